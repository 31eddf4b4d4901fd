# shellcheck shell=bash
# Start and stop the test-only Kubernetes API emulator (tests/kube-emulator/emulator.py).
#
#   bats:   load ../kube-emulator/emulator    kube_start in setup, kube_stop in teardown
#   shell:  source tests/kube-emulator/emulator.bash; kube_start; ...; kube_stop
#
# kube_start [--tls] [EMULATOR ARGS...] starts one emulator on a free 127.0.0.1 port, plain HTTP,
# or HTTPS with --tls (a throw-away self-signed certificate for 127.0.0.1 made with openssl; the
# kubeconfig carries it as certificate-authority-data; KUBE_CA is its file), and exports:
#   KUBE_PORT          the port
#   KUBE_SERVER        http://127.0.0.1:PORT
#   KUBE_DIR           its state directory (kubeconfig, log, caches)
#   KUBECONFIG         a kubeconfig for it (context "emulator", token user, namespace default)
#   KUBECACHEDIR, HELM_CACHE_HOME, HELM_CONFIG_HOME, HELM_DATA_HOME   isolated under KUBE_DIR
#   KUBE_EMULATOR_PID  the emulator's process id
# The emulator exits by itself when the shell that started it is gone (--parent-pid).
# Do not call kube_start in a subshell ($(...), `run`): its exports would be lost.
# kube_stop stops it (safe to call twice, or when nothing was started).

KUBE_EMULATOR_DIR=${KUBE_EMULATOR_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

kube_start() {
    local base dir i tls=0 scheme=http
    if [ "${1:-}" = --tls ]; then
        tls=1
        shift
    fi
    if [ -n "${BATS_TEST_TMPDIR:-}" ] && [ -d "$BATS_TEST_TMPDIR" ]; then
        base=$BATS_TEST_TMPDIR
    else
        base=${TMPDIR:-/tmp}
    fi
    dir=$(mktemp -d "$base/kube-emulator.XXXXXX")
    if [ $tls = 1 ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=kube-emulator \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>"$dir/openssl.log" ||
            { echo "kube_start: openssl failed: $(cat "$dir/openssl.log")" >&2; return 1; }
        set -- --tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key" "$@"
        scheme=https
        export KUBE_CA=$dir/tls.crt
    fi
    python3 "$KUBE_EMULATOR_DIR/emulator.py" --port 0 --port-file "$dir/port" \
        --parent-pid $$ --log "$dir/emulator.log" "$@" >"$dir/stdout" 2>"$dir/stderr" &
    KUBE_EMULATOR_PID=$!
    export KUBE_EMULATOR_PID
    for ((i = 0; i < 100; i++)); do
        [ -s "$dir/port" ] && break
        if ! kill -0 "$KUBE_EMULATOR_PID" 2>/dev/null; then
            echo "kube_start: the emulator exited: $(cat "$dir/stderr")" >&2
            return 1
        fi
        sleep 0.1
    done
    [ -s "$dir/port" ] || { echo "kube_start: no port after 10 s" >&2; kube_stop; return 1; }
    KUBE_PORT=$(cat "$dir/port")
    KUBE_DIR=$dir
    KUBE_SERVER=$scheme://127.0.0.1:$KUBE_PORT
    export KUBE_PORT KUBE_DIR KUBE_SERVER
    kube_write_kubeconfig "$dir/kubeconfig" "$KUBE_SERVER" emulator-token \
        "$([ $tls = 0 ] || cat "$dir/tls.crt")"
    export KUBECONFIG=$dir/kubeconfig
    export KUBECACHEDIR=$dir/kube-cache
    export HELM_CACHE_HOME=$dir/helm/cache HELM_CONFIG_HOME=$dir/helm/config
    export HELM_DATA_HOME=$dir/helm/data
}

# kube_write_kubeconfig FILE SERVER [TOKEN [CA_PEM]] — a kubeconfig with one cluster, user and
# context.  An https:// server without CA_PEM gets insecure-skip-tls-verify.
kube_write_kubeconfig() {
    local file=$1 server=$2 token=${3:-emulator-token} ca=${4:-} tls=""
    if [ -n "$ca" ]; then
        tls="    certificate-authority-data: $(printf '%s\n' "$ca" | base64 | tr -d '\n')"
    else
        case "$server" in https://*) tls="    insecure-skip-tls-verify: true" ;; esac
    fi
    {
        echo "apiVersion: v1"
        echo "kind: Config"
        echo "clusters:"
        echo "- name: emulator"
        echo "  cluster:"
        echo "    server: $server"
        [ -z "$tls" ] || echo "$tls"
        echo "users:"
        echo "- name: emulator"
        echo "  user:"
        echo "    token: $token"
        echo "contexts:"
        echo "- name: emulator"
        echo "  context:"
        echo "    cluster: emulator"
        echo "    user: emulator"
        echo "    namespace: default"
        echo "current-context: emulator"
    } >"$file"
    chmod 600 "$file"
}

kube_stop() {
    local pid=${KUBE_EMULATOR_PID:-} i
    [ -n "$pid" ] || return 0
    if kill "$pid" 2>/dev/null; then
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    KUBE_EMULATOR_PID=
}
