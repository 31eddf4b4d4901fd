#!/usr/bin/env bats
# dk's Kubernetes client (common/kube.c, common/kubeconfig.c) against the API emulator: runs the
# unit test binary t-kube, which skips itself unless KUBECONFIG_TEST names a kubeconfig.

load ../kube-emulator/emulator

setup_file() {
    # real kubectl, to hold the emulator's new TLS options to it; empty when it cannot be had
    PEERS_DIR=$("$BATS_TEST_DIRNAME/../helpers/peers.sh" 2>/dev/null) || PEERS_DIR=
    export PEERS_DIR
}

setup() {
    : "${DK_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
    T_KUBE=$DK_TOP/${BUILD:-build}/tests/t-kube
    [ -x "$T_KUBE" ] || skip "$T_KUBE is not built (make unit)"
    KUBECTL=${PEERS_DIR:+$PEERS_DIR/kubectl}
    PROXY_PID=
}

teardown() {
    kube_stop
    if [ -n "$PROXY_PID" ]; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
    fi
}

# Runs t-kube against the running emulator and checks that every test passed.
run_t_kube() {
    run env KUBECONFIG_TEST="${T_KUBE_CONFIG:-$KUBECONFIG}" timeout 120 "$T_KUBE"
    printf '%s\n' "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"not ok"* ]]
    [[ "$output" != *"# SKIP"* ]]
    [[ "$output" == *"${T_KUBE_LAST:-watch saw DELETED}"* ]]
}

# The quick subset (namespace, discovery, CRUD) against the kubeconfig $1 ("-": as tools find
# it: DK_KUBE_CONFIG_BASE64, KUBECONFIG...).
run_t_kube_basic() {
    T_KUBE_CONFIG=$1 T_KUBE_ONLY=basic T_KUBE_LAST="not found code" run_t_kube
}

# t-kube with kubeconfig $1 must fail its first request with text $2, without showing $3.
# The debug log goes to the output too: the secret must not be in it either.
run_t_kube_fails() {
    run env KUBECONFIG_TEST="$1" T_KUBE_EXPECT_FAIL="$2" T_KUBE_SECRET="${3:-}" T_KUBE_DEBUG=1 \
        timeout 60 "$T_KUBE"
    printf '%s\n' "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"not ok"* ]]
    [[ "$output" == *"the error holds no secret"* ]]
    [[ "$output" == *"debug: http: GET"* ]]
    [ -z "${3:-}" ] || [[ "$output" != *"$3"* ]]
}

# write_kubeconfig FILE SERVER CLUSTER_LINES USER_LINES: one cluster, user and context; the
# lines are YAML at the indentation of the cluster's and user's fields.
write_kubeconfig() {
    cat >"$1" <<YAML
apiVersion: v1
kind: Config
current-context: t
clusters:
- name: t
  cluster:
    server: $2
$3
users:
- name: t
  user:
$4
contexts:
- name: t
  context: {cluster: t, user: t, namespace: default}
YAML
}

# make_ca DIR NAME: a throw-away CA, DIR/NAME.key and DIR/NAME.crt.
make_ca() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
        -keyout "$1/$2.key" -out "$1/$2.crt" 2>/dev/null
}

# make_cert DIR NAME CA SUBJECT [EXTENSION]: DIR/NAME.key and DIR/NAME.crt signed by DIR/CA.
make_cert() {
    local ext=$1/$2.ext
    printf '%s\n' "${5:-basicConstraints=CA:FALSE}" >"$ext"
    openssl req -newkey rsa:2048 -nodes -subj "$4" -keyout "$1/$2.key" -out "$1/$2.csr" \
        2>/dev/null &&
        openssl x509 -req -in "$1/$2.csr" -CA "$1/$3.crt" -CAkey "$1/$3.key" -CAcreateserial \
            -days 2 -extfile "$ext" -out "$1/$2.crt" 2>/dev/null
}

b64() { base64 <"$1" | tr -d '\n'; }

# start_proxy DIR [--auth USER:PW]: tests/helpers/http-proxy; PROXY_PORT, log in DIR/proxy.log.
start_proxy() {
    local d=$1 i
    shift
    python3 "$DK_TOP/tests/helpers/http-proxy" "$d/proxy.port" "$d/proxy.log" --parent-pid $$ \
        "$@" >/dev/null 2>"$d/proxy.err" &
    PROXY_PID=$!
    for ((i = 0; i < 100; i++)); do
        [ -s "$d/proxy.port" ] && break
        sleep 0.1
    done
    PROXY_PORT=$(cat "$d/proxy.port")
    [ -n "$PROXY_PORT" ]
}

@test "kube-client: CRUD, apply conflicts, lists and watch work against the emulator" {
    kube_start
    run_t_kube
}

@test "kube-client: discovery falls back to one document per group-version" {
    kube_start --no-aggregated-discovery
    run_t_kube
}

@test "kube-client: TLS with the kubeconfig's certificate-authority-data and a required token" {
    kube_start --tls --token emulator-token
    run_t_kube
}

@test "kube-client: exec plugin credentials, re-run after a 401, and a CA file relative to the kubeconfig" {
    kube_start --tls --token emulator-token
    local d=$BATS_TEST_TMPDIR/exec
    mkdir -p "$d/bin"
    cp "$KUBE_CA" "$d/ca.pem"
    # the first credential is stale: the client must run the plugin again after the 401
    cat >"$d/bin/plugin" <<SH
#!/bin/sh
if [ -e "$d/ran" ]; then tok=emulator-token; else tok=stale-token; fi
echo x >>"$d/ran"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "\$tok"
SH
    chmod +x "$d/bin/plugin"
    cat >"$d/config" <<YAML
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster: {server: '$KUBE_SERVER', certificate-authority: ca.pem}
contexts:
- name: emulator
  context: {cluster: emulator, user: plugin, namespace: default}
users:
- name: plugin
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin, interactiveMode: Never}
YAML
    KUBECONFIG=$d/config run_t_kube
    [ "$(wc -l <"$d/ran")" -ge 2 ]
}

@test "kube-client: KUBECONFIG with several files merged, tokenFile, DK_KUBE_CONFIG_BASE64" {
    kube_start --tls --token emulator-token
    local d=$BATS_TEST_TMPDIR/merge
    mkdir -p "$d/creds"
    # the cluster and context in one file, the user (a tokenFile beside it) in another
    cat >"$d/cluster" <<YAML
current-context: t
clusters:
- name: t
  cluster: {server: '$KUBE_SERVER', certificate-authority-data: $(b64 "$KUBE_CA")}
contexts:
- name: t
  context: {cluster: t, user: robot, namespace: default}
YAML
    cat >"$d/creds/user" <<YAML
current-context: ignored-the-first-file-set-it
users:
- name: robot
  user: {tokenFile: token}
YAML
    echo emulator-token >"$d/creds/token"
    KUBECONFIG=$d/cluster:$d/missing:$d/creds/user run_t_kube_basic -
    # the same, whole, in one variable (which wins over KUBECONFIG)
    write_kubeconfig "$d/one" "$KUBE_SERVER" "    certificate-authority-data: $(b64 "$KUBE_CA")" \
        "    token: emulator-token"
    DK_KUBE_CONFIG_BASE64=$(b64 "$d/one") KUBECONFIG=$d/missing run_t_kube_basic -
    # a wrong token from the variable: refused, and neither message nor log shows it
    write_kubeconfig "$d/bad" "$KUBE_SERVER" "    certificate-authority-data: $(b64 "$KUBE_CA")" \
        "    token: wrong-token-in-ci-var"
    DK_KUBE_CONFIG_BASE64=$(b64 "$d/bad") run_t_kube_fails - \
        "Unauthorized (kubeconfig 'DK_KUBE_CONFIG_BASE64': user 't': credentials not accepted)" \
        wrong-token-in-ci-var
}

@test "kube-client: client certificates as data, as files and from an exec plugin; others are refused" {
    local d=$BATS_TEST_TMPDIR/cert
    mkdir -p "$d/sub"
    make_ca "$d" client-ca
    make_ca "$d" other-ca
    make_cert "$d" admin client-ca "/O=system:masters/CN=admin"
    make_cert "$d" intruder other-ca "/CN=intruder"
    cp "$d/admin.crt" "$d/admin.key" "$d/sub/"
    # no --token: without a good certificate every request is 401
    kube_start --tls --client-ca "$d/client-ca.crt"
    local ca="    certificate-authority-data: $(b64 "$KUBE_CA")"
    write_kubeconfig "$d/data" "$KUBE_SERVER" "$ca" \
        "    client-certificate-data: $(b64 "$d/admin.crt")
    client-key-data: $(b64 "$d/admin.key")"
    run_t_kube_basic "$d/data"
    # files, relative to the kubeconfig
    write_kubeconfig "$d/files" "$KUBE_SERVER" "$ca" \
        "    client-certificate: sub/admin.crt
    client-key: sub/admin.key"
    (cd / && run_t_kube_basic "$d/files")
    # an exec plugin that gives a certificate and key
    python3 -c 'import json, sys; print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential", "status": {"clientCertificateData": open(sys.argv[1]).read(),
        "clientKeyData": open(sys.argv[2]).read()}}))' "$d/admin.crt" "$d/admin.key" >"$d/cred.json"
    printf '#!/bin/sh\ncat "%s"\n' "$d/cred.json" >"$d/plugin"
    chmod +x "$d/plugin"
    write_kubeconfig "$d/exec" "$KUBE_SERVER" "$ca" \
        "    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin}"
    run_t_kube_basic "$d/exec"
    # a certificate the server does not trust: the TLS handshake fails, the key is not shown
    write_kubeconfig "$d/intruder" "$KUBE_SERVER" "$ca" \
        "    client-certificate-data: $(b64 "$d/intruder.crt")
    client-key-data: $(b64 "$d/intruder.key")"
    run_t_kube_fails "$d/intruder" "cannot reach '$KUBE_SERVER/api'" \
        "$(sed -n 2p "$d/intruder.key")"
    # no certificate, and a token the server does not take
    write_kubeconfig "$d/token" "$KUBE_SERVER" "$ca" "    token: not-a-valid-token-42"
    run_t_kube_fails "$d/token" "Unauthorized (kubeconfig '$d/token': user 't': credentials not accepted)" \
        not-a-valid-token-42
    if [ -n "$KUBECTL" ]; then
        # the emulator's --client-ca is what kubectl expects of a server
        run "$KUBECTL" --kubeconfig "$d/data" get --raw /api/v1/namespaces/default
        [ "$status" -eq 0 ]
        [[ "$output" == *'"kind": "Namespace"'* || "$output" == *'"kind":"Namespace"'* ]]
        run "$KUBECTL" --kubeconfig "$d/token" get --raw /api/v1/namespaces/default
        [ "$status" -ne 0 ]
        [[ "$output" == *"Unauthorized"* ]]
    fi
}

@test "kube-client: tls-server-name is the name the server certificate is checked against" {
    local d=$BATS_TEST_TMPDIR/sni
    mkdir -p "$d"
    make_ca "$d" ca
    make_cert "$d" server ca "/CN=kube.internal" "subjectAltName=DNS:kube.internal"
    kube_start --tls-cert "$d/server.crt" --tls-key "$d/server.key" --token emulator-token
    local server=https://127.0.0.1:$KUBE_PORT
    local ca="    certificate-authority-data: $(b64 "$d/ca.crt")"
    write_kubeconfig "$d/good" "$server" "$ca
    tls-server-name: kube.internal" "    token: emulator-token"
    run_t_kube_basic "$d/good"
    write_kubeconfig "$d/none" "$server" "$ca" "    token: emulator-token"
    run_t_kube_fails "$d/none" "cannot reach '$server/api'" emulator-token
    [[ "$output" == *"certificate"* ]]
    write_kubeconfig "$d/wrong" "$server" "$ca
    tls-server-name: wrong.example" "    token: emulator-token"
    run_t_kube_fails "$d/wrong" "wrong.example" emulator-token
    if [ -n "$KUBECTL" ]; then
        run "$KUBECTL" --kubeconfig "$d/good" get --raw /api/v1/namespaces/default
        [ "$status" -eq 0 ]
        run "$KUBECTL" --kubeconfig "$d/none" get --raw /api/v1/namespaces/default
        [ "$status" -ne 0 ]
        [[ "$output" == *"certificate"* ]]
    fi
}

@test "kube-client: proxy-url: CONNECT for https, absolute-form for http, proxy credentials" {
    local d=$BATS_TEST_TMPDIR/proxy
    mkdir -p "$d"
    start_proxy "$d"
    kube_start --tls --token emulator-token
    local ca="    certificate-authority-data: $(b64 "$KUBE_CA")"
    write_kubeconfig "$d/https" "$KUBE_SERVER" "$ca
    proxy-url: http://127.0.0.1:$PROXY_PORT" "    token: emulator-token"
    run_t_kube_basic "$d/https"
    grep -qx "CONNECT 127.0.0.1:$KUBE_PORT" "$d/proxy.log"
    ! grep -v CONNECT "$d/proxy.log"
    # a proxy that wants credentials: right ones work, wrong ones are not shown
    kill "$PROXY_PID"
    wait "$PROXY_PID" 2>/dev/null || true
    rm -f "$d/proxy.port"
    start_proxy "$d" --auth "dk:pr0xy-pass"
    write_kubeconfig "$d/auth" "$KUBE_SERVER" "$ca
    proxy-url: http://dk:pr0xy-pass@127.0.0.1:$PROXY_PORT" "    token: emulator-token"
    run_t_kube_basic "$d/auth"
    write_kubeconfig "$d/badauth" "$KUBE_SERVER" "$ca
    proxy-url: http://dk:wr0ng-pass@127.0.0.1:$PROXY_PORT" "    token: emulator-token"
    run_t_kube_fails "$d/badauth" "407" wr0ng-pass
    [[ "$output" == *"(through proxy-url 'http://127.0.0.1:$PROXY_PORT')"* ]]
    if [ -n "$KUBECTL" ]; then
        run "$KUBECTL" --kubeconfig "$d/auth" get --raw /api/v1/namespaces/default
        [ "$status" -eq 0 ]
        run "$KUBECTL" --kubeconfig "$d/badauth" get --raw /api/v1/namespaces/default
        [ "$status" -ne 0 ]
        [[ "$output" == *"Proxy Authentication Required"* ]]
    fi
    # plain http: requests in absolute form, no CONNECT
    kube_stop
    : >"$d/proxy.log"
    kube_start --token emulator-token
    write_kubeconfig "$d/http" "$KUBE_SERVER" \
        "    proxy-url: http://dk:pr0xy-pass@127.0.0.1:$PROXY_PORT" "    token: emulator-token"
    run_t_kube_basic "$d/http"
    grep -q "^GET http://127.0.0.1:$KUBE_PORT/api" "$d/proxy.log"
    ! grep -q CONNECT "$d/proxy.log"
    # a proxy nobody listens on
    write_kubeconfig "$d/dead" "$KUBE_SERVER" "    proxy-url: http://127.0.0.1:1" \
        "    token: emulator-token"
    run_t_kube_fails "$d/dead" "cannot reach '$KUBE_SERVER/api'" emulator-token
    [[ "$output" == *"(through proxy-url 'http://127.0.0.1:1')"* ]]
}

# watch_across_restart START_RV: t-kube watches while the emulator is stopped and a fresh one
# (resourceVersions from START_RV on) takes its port; the watch must see what changes after.
watch_across_restart() {
    local d=$BATS_TEST_TMPDIR/restart start_rv=$1
    mkdir -p "$d"
    cat >"$d/restart" <<SH
#!/bin/bash
kill $KUBE_EMULATOR_PID
for i in \$(seq 100); do
    rm -f "$d/port"
    python3 "$KUBE_EMULATOR_DIR/emulator.py" --port $KUBE_PORT --port-file "$d/port" \\
        --parent-pid $$ --token emulator-token --start-resource-version $start_rv \\
        --bookmark-interval 0.5 --log "$d/emulator.log" >/dev/null 2>>"$d/stderr" &
    pid=\$!
    for j in \$(seq 50); do
        [ -s "$d/port" ] && { echo \$pid >"$d/pid"; exit 0; }
        kill -0 \$pid 2>/dev/null || break
        sleep 0.1
    done
    sleep 0.1
done
exit 1
SH
    chmod +x "$d/restart"
    local rc=0
    T_KUBE_ONLY=restart T_KUBE_RESTART="$d/restart" T_KUBE_RESTART_RV=$((start_rv > 1 ? start_rv : 0)) \
        T_KUBE_LAST="DELETED after the restart seen" run_t_kube || rc=1
    KUBE_EMULATOR_PID=$(cat "$d/pid" 2>/dev/null)
    return $rc
}

@test "kube-client: a watch goes on across an emulator restart (reconnect, 410 Expired, relist)" {
    kube_start --token emulator-token
    watch_across_restart 100000
    # the watch came back with its old version (which the new emulator answered with 410),
    # then with one of the new emulator's
    grep -Eq 'watch=1[^ ]*resourceVersion=[0-9]{1,5}[& ]' "$BATS_TEST_TMPDIR/restart/emulator.log"
    grep -Eq 'watch=1[^ ]*resourceVersion=1[0-9]{5}[& ]' "$BATS_TEST_TMPDIR/restart/emulator.log"
}

@test "kube-client: a watch goes on when the restarted emulator is behind its version (504, relist)" {
    kube_start --token emulator-token
    watch_across_restart 1
    grep -q 'resourceVersion=.* 504 ' "$BATS_TEST_TMPDIR/restart/emulator.log"
}

@test "kube-client: t-kube skips without KUBECONFIG_TEST" {
    run env -u KUBECONFIG_TEST "$T_KUBE"
    [ "$status" -eq 0 ]
    [[ "$output" == *"# SKIP KUBECONFIG_TEST not set"* ]]
}
