# shellcheck shell=bash
# Real registries for tests and benchmarks: Debian's docker-registry (distribution 2.8) on a free
# 127.0.0.1 port in a temporary directory, plain, with htpasswd auth, with TLS from a throw-away
# CA, or with token auth from tests/helpers/token-server.
#
#   bats:   load ../helpers/registry        then registry_stop_all in teardown/teardown_file
#   shell:  source tests/helpers/registry.bash   (an EXIT trap stops what was started)
#
# Functions: free_port, registry_start, registry_stop, registry_stop_all, push_test_image.
# Do not call registry_start in a subshell ($(...), `run`, a pipeline): the variables it exports
# would be lost, and a watchdog stops a registry once the shell that started it is gone.
#
# Settings (environment): DK_REGISTRY_BIN (default docker-registry), DK_REGISTRY_TIMEOUT
# (seconds to wait for /v2/, default 20), DK_TOKEN_EXPIRES (token lifetime, default 300),
# PUSH_CREDS (user:password for push_test_image).

DK_HELPERS_DIR=${DK_HELPERS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
DK_MKIMAGE=${DK_MKIMAGE:-$DK_HELPERS_DIR/mkimage}
DK_TOKEN_SERVER=${DK_TOKEN_SERVER:-$DK_HELPERS_DIR/token-server}

# Names of the registries started by this shell (not exported: each shell owns its own).
if ! declare -p _DK_REGISTRIES >/dev/null 2>&1; then
    _DK_REGISTRIES=()
fi

# free_port — prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# _dk_var NAME — the variable prefix for a registry name: "src" -> "SRC", "my-reg" -> "MY_REG".
_dk_var() {
    local v
    v=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9_' '_')
    case "$v" in [0-9]*) v="_$v" ;; esac
    printf '%s' "$v"
}

# _dk_get VAR — prints the value of the variable named VAR (empty when unset).
_dk_get() {
    printf '%s' "${!1-}"
}

# _dk_export VAR VALUE
_dk_export() {
    printf -v "$1" '%s' "$2"
    # shellcheck disable=SC2163 # exporting the variable named by $1 is the point
    export "$1"
}

# _dk_tmpbase — the directory under which state directories are made.
_dk_tmpbase() {
    if [ -n "${BATS_TEST_TMPDIR:-}" ] && [ -d "$BATS_TEST_TMPDIR" ]; then
        printf '%s' "$BATS_TEST_TMPDIR"
    elif [ -n "${BATS_FILE_TMPDIR:-}" ] && [ -d "$BATS_FILE_TMPDIR" ]; then
        printf '%s' "$BATS_FILE_TMPDIR"
    else
        printf '%s' "${TMPDIR:-/tmp}"
    fi
}

# _dk_fail MESSAGE... — prints to stderr, returns 1.
_dk_fail() {
    printf 'registry helper: %s\n' "$*" >&2
    return 1
}

# _dk_http_code URL [curl args...] — prints the HTTP status of a GET (000 when no answer).
_dk_http_code() {
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

# _dk_start_watchdog OWNERPID PID... — kills the PIDs once OWNERPID is gone, so nothing
# outlives a shell that died without cleaning up. Sets _dk_watchdog_pid.
_dk_start_watchdog() {
    local owner=$1
    shift
    (
        set +e
        trap - EXIT INT TERM
        while _dk_alive "$owner"; do
            alive=0
            for p in "$@"; do
                if _dk_alive "$p"; then alive=1; fi
            done
            [ $alive = 1 ] || exit 0
            sleep 1
        done
        kill "$@" 2>/dev/null
        exit 0
    ) </dev/null >/dev/null 2>&1 3>&- &
    _dk_watchdog_pid=$!
}

# _dk_alive PID — true while PID runs (a zombie counts as gone).
_dk_alive() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    [ "${s%% *}" != Z ]
}

# _dk_kill PID — TERM, wait up to 5 s, then KILL; reaps it when it is our child.
_dk_kill() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        _dk_alive "$pid" || break
        sleep 0.1
    done
    if _dk_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

# _dk_env_clean — sets _dk_unset to `env` arguments that drop REGISTRY_* variables, which
# distribution would read as configuration overrides (a registry named "registry" exports
# REGISTRY_HOST...).
_dk_env_clean() {
    local v
    _dk_unset=()
    while IFS= read -r v; do
        case "$v" in REGISTRY_*) _dk_unset+=(-u "$v") ;; esac
    done < <(compgen -e)
}

# _dk_make_tls DIR — a throw-away CA (DIR/ca.pem) and a server certificate for 127.0.0.1 and
# localhost signed by it (DIR/server.pem, DIR/server-key.pem).
_dk_make_tls() {
    local d=$1
    (
        set -e
        cd "$d"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout ca-key.pem -out ca.pem -days 2 -subj "/CN=dk test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign"
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout server-key.pem -out server.csr -subj "/CN=localhost"
        printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=serverAuth" >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
            -days 2 -extfile server.ext -out server.pem
    ) >"$d/openssl.log" 2>&1 || {
        cat "$d/openssl.log" >&2
        _dk_fail "making the TLS certificates in $d failed"
    }
}

# _dk_write_authfile FILE USER PASS HOST... — a Docker config.json / containers auth.json.
_dk_write_authfile() {
    local file=$1 user=$2 pass=$3 auth sep=""
    shift 3
    auth=$(printf '%s:%s' "$user" "$pass" | base64 -w0)
    {
        printf '{"auths": {'
        for h in "$@"; do
            printf '%s"%s": {"auth": "%s"}' "$sep" "$h" "$auth"
            sep=", "
        done
        printf '}}\n'
    } >"$file"
}

# _dk_start_token_server DIR USER PASS — starts token-server for a registry's state dir;
# sets _dk_token_port and _dk_token_pid.
_dk_start_token_server() {
    local d=$1 user=$2 pass=$3 tries code i
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/token-key.pem" \
        -out "$d/token-cert.pem" -days 2 -subj "/CN=dk test token signer" \
        >"$d/token-openssl.log" 2>&1 || {
        cat "$d/token-openssl.log" >&2
        _dk_fail "making the token signing key failed"
        return 1
    }
    printf '%s:%s\n' "$user" "$pass" >"$d/token-users"
    : >"$d/token.log"
    for tries in 1 2 3; do
        _dk_token_port=$(free_port) || return 1
        "$DK_TOKEN_SERVER" --port "$_dk_token_port" --key "$d/token-key.pem" \
            --cert "$d/token-cert.pem" --users "$d/token-users" --log "$d/token.log" \
            --expires "${DK_TOKEN_EXPIRES:-300}" \
            </dev/null >>"$d/token-server.out" 2>&1 3>&- &
        _dk_token_pid=$!
        for ((i = 0; i < 100; i++)); do
            code=$(_dk_http_code "http://127.0.0.1:$_dk_token_port/healthz")
            [ "$code" = 200 ] && return 0
            kill -0 "$_dk_token_pid" 2>/dev/null || break
            sleep 0.05
        done
        _dk_kill "$_dk_token_pid"
        grep -q 'Address already in use' "$d/token-server.out" 2>/dev/null || break
        echo "port $_dk_token_port was taken (try $tries), retrying" >>"$d/token-server.out"
    done
    cat "$d/token-server.out" >&2
    _dk_fail "token server did not start (log: $d/token-server.out)"
}

# registry_start NAME [plain|htpasswd|tls|token]
#   Starts a registry and waits until GET /v2/ answers. Exports, with P = NAME upper-cased
#   (non-alphanumerics -> _):
#     P_HOST      127.0.0.1:PORT                   P_PORT   PORT
#     P_URL       http://127.0.0.1:PORT (tls: https://localhost:PORT)
#     P_DIR       state directory (config.yml, data/, certificates, logs); under
#                 $BATS_TEST_TMPDIR, else $BATS_FILE_TMPDIR, else $TMPDIR or /tmp
#     P_PID       registry pid                     P_LOG    registry log
#     P_CONFIG    registry config file             P_MODE   the mode
#   htpasswd, token:  P_USER, P_PASS, P_AUTHFILE (auth.json / config.json with the credentials
#                     for P_HOST and localhost:PORT), P_DOCKER_CONFIG (its directory)
#   tls:    P_CA (CA certificate PEM), P_TLS_HOST (localhost:PORT), P_CERT_DIR (a directory
#           with ca.crt, for skopeo --cert-dir / containers certs.d)
#   token:  P_TOKEN_URL (realm), P_TOKEN_LOG (JSON line per token request), P_TOKEN_PID,
#           P_TOKEN_USERS (user:password file, read per request: append to add users)
registry_start() {
    local name=${1:?registry_start NAME [plain|htpasswd|tls|token]} mode=${2:-plain}
    local var dir port pid code want=200 scheme=http hostname=127.0.0.1 tries i
    local user="" pass="" bin=${DK_REGISTRY_BIN:-docker-registry}
    local timeout=${DK_REGISTRY_TIMEOUT:-20} curl_tls=()
    case "$mode" in
    plain | tls) ;;
    htpasswd | token) want=401 ;;
    *) _dk_fail "registry_start: unknown mode '$mode' (plain|htpasswd|tls|token)"; return 1 ;;
    esac
    var=$(_dk_var "$name")
    if [ -n "$(_dk_get "${var}_PID")" ] && kill -0 "$(_dk_get "${var}_PID")" 2>/dev/null; then
        _dk_fail "registry_start: a registry named '$name' is already running"
        return 1
    fi
    command -v "$bin" >/dev/null 2>&1 || {
        _dk_fail "registry_start: '$bin' not found (apt-get install docker-registry)"
        return 1
    }
    dir=$(mktemp -d "$(_dk_tmpbase)/registry-$name.XXXXXX") || return 1
    mkdir -p "$dir/data"
    # Outside bats nobody else removes it: registry_stop does (unless DK_KEEP_TMP=1).
    [ -n "${BATS_TEST_FILENAME:-}" ] || : >"$dir/.dk-remove-on-stop"

    local auth_yaml="" tls_yaml=""
    case "$mode" in
    htpasswd)
        user=dk-user
        pass=$(openssl rand -hex 12)
        htpasswd -Bbn "$user" "$pass" >"$dir/htpasswd" 2>"$dir/htpasswd.err" || {
            cat "$dir/htpasswd.err" >&2
            _dk_fail "registry_start: htpasswd failed"
            return 1
        }
        auth_yaml="auth:
  htpasswd:
    realm: dk-test-registry
    path: '$dir/htpasswd'"
        ;;
    tls)
        _dk_make_tls "$dir" || return 1
        scheme=https hostname=localhost
        curl_tls=(--cacert "$dir/ca.pem")
        tls_yaml="  tls:
    certificate: '$dir/server.pem'
    key: '$dir/server-key.pem'"
        ;;
    token)
        user=dk-user
        pass=$(openssl rand -hex 12)
        _dk_start_token_server "$dir" "$user" "$pass" || return 1
        auth_yaml="auth:
  token:
    realm: http://127.0.0.1:$_dk_token_port/token
    service: dk-test-registry
    issuer: dk-test-issuer
    rootcertbundle: '$dir/token-cert.pem'"
        ;;
    esac

    local log=$dir/registry.log
    : >"$log"
    for tries in 1 2 3; do
        port=$(free_port) || return 1
        cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: '$dir/data'
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: "$(openssl rand -hex 16)"
$tls_yaml
$auth_yaml
EOF
        # env execs the registry, so $! is the registry's own pid.
        _dk_env_clean
        env "${_dk_unset[@]}" "$bin" serve "$dir/config.yml" </dev/null >>"$log" 2>&1 3>&- &
        pid=$!
        code=000
        for ((i = 0; i < timeout * 20; i++)); do
            code=$(_dk_http_code "$scheme://$hostname:$port/v2/" "${curl_tls[@]}")
            [ "$code" = "$want" ] && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        [ "$code" = "$want" ] && break
        _dk_kill "$pid"
        pid=""
        if grep -q 'address already in use' "$log" && [ "$tries" -lt 3 ]; then
            echo "registry helper: port $port was taken, retrying" >>"$log"
            continue
        fi
        break
    done
    if [ -z "$pid" ]; then
        [ -n "${_dk_token_pid:-}" ] && [ "$mode" = token ] && _dk_kill "$_dk_token_pid"
        {
            echo "----- $log -----"
            cat "$log"
            echo "-----"
        } >&2
        _dk_fail "registry_start $name ($mode): GET $scheme://$hostname:$port/v2/ answered" \
            "'$code', expected $want within ${timeout}s; config: $dir/config.yml"
        return 1
    fi

    _DK_REGISTRIES+=("$name")
    _dk_export "${var}_HOST" "127.0.0.1:$port"
    _dk_export "${var}_PORT" "$port"
    _dk_export "${var}_URL" "$scheme://$hostname:$port"
    _dk_export "${var}_DIR" "$dir"
    _dk_export "${var}_PID" "$pid"
    _dk_export "${var}_LOG" "$log"
    _dk_export "${var}_CONFIG" "$dir/config.yml"
    _dk_export "${var}_MODE" "$mode"
    local watched=("$pid")
    if [ "$mode" = tls ]; then
        mkdir -p "$dir/certs.d"
        cp "$dir/ca.pem" "$dir/certs.d/ca.crt"
        _dk_export "${var}_CA" "$dir/ca.pem"
        _dk_export "${var}_TLS_HOST" "localhost:$port"
        _dk_export "${var}_CERT_DIR" "$dir/certs.d"
    fi
    if [ -n "$user" ]; then
        mkdir -p "$dir/docker"
        _dk_write_authfile "$dir/docker/config.json" "$user" "$pass" \
            "127.0.0.1:$port" "localhost:$port"
        _dk_export "${var}_USER" "$user"
        _dk_export "${var}_PASS" "$pass"
        _dk_export "${var}_AUTHFILE" "$dir/docker/config.json"
        _dk_export "${var}_DOCKER_CONFIG" "$dir/docker"
    fi
    if [ "$mode" = token ]; then
        _dk_export "${var}_TOKEN_URL" "http://127.0.0.1:$_dk_token_port/token"
        _dk_export "${var}_TOKEN_LOG" "$dir/token.log"
        _dk_export "${var}_TOKEN_PID" "$_dk_token_pid"
        _dk_export "${var}_TOKEN_USERS" "$dir/token-users"
        watched+=("$_dk_token_pid")
    fi
    _dk_start_watchdog "$BASHPID" "${watched[@]}"
    echo "$_dk_watchdog_pid" >"$dir/watchdog.pid"
    _dk_install_exit_trap
    return 0
}

# registry_stop NAME — stops the registry (and its token server) and waits for it to exit.
# Under bats the state directory stays (bats removes its temporary directories); outside bats
# it is removed, unless DK_KEEP_TMP=1.
registry_stop() {
    local name=${1:?registry_stop NAME} var dir pid n kept=()
    var=$(_dk_var "$name")
    dir=$(_dk_get "${var}_DIR")
    if [ -n "$dir" ] && [ -f "$dir/watchdog.pid" ]; then
        kill "$(cat "$dir/watchdog.pid")" 2>/dev/null || true
        rm -f "$dir/watchdog.pid"
    fi
    pid=$(_dk_get "${var}_PID")
    _dk_kill "$pid"
    pid=$(_dk_get "${var}_TOKEN_PID")
    _dk_kill "$pid"
    for n in "${_DK_REGISTRIES[@]}"; do
        [ "$n" = "$name" ] || kept+=("$n")
    done
    _DK_REGISTRIES=("${kept[@]}")
    unset "${var}_PID" "${var}_TOKEN_PID"
    if [ -n "$dir" ] && [ -f "$dir/.dk-remove-on-stop" ] && [ "${DK_KEEP_TMP:-0}" != 1 ]; then
        rm -rf "$dir"
    fi
    return 0
}

# registry_stop_all — stops every registry this shell started.
registry_stop_all() {
    local n
    for n in "${_DK_REGISTRIES[@]}"; do
        registry_stop "$n"
    done
    _DK_REGISTRIES=()
    return 0
}

# Outside bats, make sure an exiting script stops its registries; an EXIT trap that is already
# set is kept and run after.
_dk_install_exit_trap() {
    [ -z "${BATS_TEST_FILENAME:-}" ] || return 0
    local current parsed=()
    current=$(trap -p EXIT)
    case "$current" in *registry_stop_all*) return 0 ;; esac
    if [ -n "$current" ]; then
        # "trap -- 'handler' EXIT" -> (trap -- handler EXIT)
        eval "parsed=($current)"
        # shellcheck disable=SC2064 # the previous handler is meant to be expanded now
        trap "registry_stop_all; ${parsed[2]}" EXIT
    else
        trap registry_stop_all EXIT
    fi
}

# push_test_image HOST/REPO:TAG [mkimage args...]
#   Makes an image with mkimage (see tests/helpers/mkimage) and pushes it with skopeo; prints
#   the pushed manifest digest, which is the digest mkimage printed for the same arguments.
#   PUSH_CREDS=user:password adds --dest-creds; --index pushes with --all (and --format v2s2
#   with --docker). TLS is not verified (works for 127.0.0.1:PORT and localhost:PORT).
push_test_image() {
    local ref=${1:?push_test_image HOST/REPO:TAG [mkimage args...]}
    shift
    local tag=${ref##*/}
    case "$tag" in
    *:*) tag=${tag##*:} ;;
    *) _dk_fail "push_test_image: '$ref' has no tag"; return 1 ;;
    esac
    local work rc=0 a all=() creds=() docker=0
    work=$(mktemp -d "$(_dk_tmpbase)/push-image.XXXXXX") || return 1
    for a in "$@"; do
        case "$a" in
        --index) all=(--all) ;;
        --docker) docker=1 ;;
        esac
    done
    # A Docker manifest list reaches the registry unchanged only this way (see mkimage).
    [ ${#all[@]} -gt 0 ] && [ $docker = 1 ] && all+=(--format v2s2)
    [ -n "${PUSH_CREDS:-}" ] && creds=(--dest-creds "$PUSH_CREDS")
    if ! "$DK_MKIMAGE" "$work/layout" --tag "$tag" "$@" >"$work/mkimage.out" 2>&1; then
        cat "$work/mkimage.out" >&2
        _dk_fail "push_test_image: mkimage $* failed"
        rc=1
    elif ! skopeo copy --quiet --dest-tls-verify=false "${creds[@]}" "${all[@]}" \
        --digestfile "$work/digest" "oci:$work/layout:$tag" "docker://$ref" \
        >"$work/skopeo.out" 2>&1; then
        cat "$work/skopeo.out" >&2
        _dk_fail "push_test_image: skopeo copy to docker://$ref failed"
        rc=1
    else
        cat "$work/digest"
        echo
    fi
    rm -rf "$work"
    return $rc
}
