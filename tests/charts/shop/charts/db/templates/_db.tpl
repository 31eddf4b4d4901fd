{{- define "shop.overridden" -}}child loses{{- end }}
