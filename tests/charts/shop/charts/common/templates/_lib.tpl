{{- define "common.hello" -}}hello from {{ .Chart.Name }}{{- end }}
