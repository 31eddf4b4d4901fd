#!/usr/bin/env bats
# The test infrastructure itself: tests/helpers/registry.bash (docker-registry plain, htpasswd,
# TLS, token), tests/helpers/token-server and tests/helpers/mkimage, checked with curl and skopeo.

load ../helpers/registry

MKIMAGE="$BATS_TEST_DIRNAME/../helpers/mkimage"
ZERO_DIGEST=sha256:0000000000000000000000000000000000000000000000000000000000000000

teardown() {
    registry_stop_all
}

# http_code [curl args...] URL — the HTTP status of a request ("000" when nothing answered).
http_code() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" || true
}

# json EXPR — evaluates a Python expression over the JSON document on stdin (bound to `d`).
json() {
    python3 -c 'import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(json.dumps(r) if isinstance(r, (dict, list, bool)) or r is None else r)' "$1"
}

# gone PID — true once PID no longer runs (waits up to 5 s). A zombie counts as gone: an
# orphan that exits is not always reaped at once.
gone() {
    local i s
    for ((i = 0; i < 50; i++)); do
        s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
        s=${s##*) }
        [ "${s%% *}" = Z ] && return 0
        sleep 0.1
    done
    return 1
}

@test "plain registry answers GET /v2/ on 127.0.0.1 and registry_stop ends it" {
    registry_start src plain
    [[ "$SRC_HOST" =~ ^127\.0\.0\.1:[0-9]+$ ]]
    [ "$SRC_HOST" = "127.0.0.1:$SRC_PORT" ]
    [ "$SRC_URL" = "http://$SRC_HOST" ]
    [ -d "$SRC_DIR/data" ]
    [ -f "$SRC_LOG" ]
    [[ "$SRC_DIR" == "$BATS_TEST_TMPDIR"/* ]]
    grep -q "addr: 127.0.0.1:$SRC_PORT" "$SRC_CONFIG"
    grep -q "enabled: true" "$SRC_CONFIG"
    # SRC_PID is the registry itself, not a wrapper shell.
    [[ "$(tr '\0' ' ' <"/proc/$SRC_PID/cmdline")" == *"serve $SRC_CONFIG"* ]]
    run curl -sf "http://$SRC_HOST/v2/"
    [ "$status" -eq 0 ]
    [ "$output" = "{}" ]

    pid=$SRC_PID
    registry_stop src
    gone "$pid"
    [ "$(http_code "http://$SRC_HOST/v2/")" = 000 ]
}

@test "registry_start fails with the registry's log when it cannot start" {
    run registry_start bad nonsense
    [ "$status" -eq 1 ]
    [[ "$output" == *"unknown mode 'nonsense'"* ]]

    DK_REGISTRY_TIMEOUT=2 DK_REGISTRY_BIN=false run registry_start bad plain
    [ "$status" -eq 1 ]
    [[ "$output" == *"registry_start bad (plain)"* ]]
    [[ "$output" == *"registry.log"* ]]
}

@test "push_test_image pushes an image skopeo inspects with its label and layers" {
    registry_start src plain
    digest=$(push_test_image "$SRC_HOST/app/one:v1" --layers 3 --label org.example.kind=test)
    [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]

    run skopeo inspect --tls-verify=false "docker://$SRC_HOST/app/one:v1"
    [ "$status" -eq 0 ]
    [ "$(json 'd["Labels"]["org.example.kind"]' <<<"$output")" = test ]
    [ "$(json 'len(d["Layers"])' <<<"$output")" = 3 ]
    [ "$(json 'd["Digest"]' <<<"$output")" = "$digest" ]
    [ "$(json 'd["Architecture"]' <<<"$output")" = amd64 ]

    # The registry holds exactly what mkimage wrote: same arguments, same digest.
    local_digest=$("$MKIMAGE" "$BATS_TEST_TMPDIR/local" --tag v1 --layers 3 \
        --label org.example.kind=test)
    [ "$local_digest" = "$digest" ]

    run skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/app/one:v1"
    [ "$(json 'd["mediaType"]' <<<"$output")" = application/vnd.oci.image.manifest.v1+json ]

    digest=$(push_test_image "$SRC_HOST/app/docker:v1" --docker --layers 2)
    run skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/app/docker:v1"
    [ "$(json 'd["mediaType"]' <<<"$output")" = \
        application/vnd.docker.distribution.manifest.v2+json ]
    [ "$(json 'd["layers"][0]["mediaType"]' <<<"$output")" = \
        application/vnd.docker.image.rootfs.diff.tar.gzip ]
    [ "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" = "$digest" ]
}

@test "htpasswd registry refuses anonymous clients and accepts its user" {
    registry_start priv htpasswd
    [ -n "$PRIV_USER" ]
    [ "${#PRIV_PASS}" -ge 16 ]
    [ "$(http_code "http://$PRIV_HOST/v2/")" = 401 ]
    curl -s -D - -o /dev/null "http://$PRIV_HOST/v2/" | grep -qi '^www-authenticate: basic'
    [ "$(http_code -u "$PRIV_USER:$PRIV_PASS" "http://$PRIV_HOST/v2/")" = 200 ]
    [ "$(http_code -u "$PRIV_USER:wrong" "http://$PRIV_HOST/v2/")" = 401 ]

    run push_test_image "$PRIV_HOST/secret/app:v1"
    [ "$status" -ne 0 ]
    PUSH_CREDS="$PRIV_USER:$PRIV_PASS" push_test_image "$PRIV_HOST/secret/app:v1"

    run skopeo list-tags --tls-verify=false --creds "$PRIV_USER:$PRIV_PASS" \
        "docker://$PRIV_HOST/secret/app"
    [ "$status" -eq 0 ]
    [ "$(json 'd["Tags"]' <<<"$output")" = '["v1"]' ]
    run skopeo list-tags --tls-verify=false --creds "$PRIV_USER:wrong" \
        "docker://$PRIV_HOST/secret/app"
    [ "$status" -ne 0 ]
    run skopeo list-tags --tls-verify=false --no-creds "docker://$PRIV_HOST/secret/app"
    [ "$status" -ne 0 ]
    # The exported auth file works as a containers auth.json / Docker config.json.
    run skopeo list-tags --tls-verify=false --authfile "$PRIV_AUTHFILE" \
        "docker://$PRIV_HOST/secret/app"
    [ "$status" -eq 0 ]
    [ "$PRIV_DOCKER_CONFIG/config.json" = "$PRIV_AUTHFILE" ]
}

@test "TLS registry is reachable with its CA and refused without it" {
    registry_start sec tls
    [ "$SEC_TLS_HOST" = "localhost:$SEC_PORT" ]
    [ "$SEC_URL" = "https://$SEC_TLS_HOST" ]
    [ -f "$SEC_CA" ]
    run curl -sS --cacert "$SEC_CA" "https://$SEC_TLS_HOST/v2/"
    [ "$status" -eq 0 ]
    [ "$output" = "{}" ]
    run curl -sS --cacert "$SEC_CA" "https://$SEC_HOST/v2/"
    [ "$status" -eq 0 ]
    run curl -sS "https://$SEC_TLS_HOST/v2/"
    [ "$status" -eq 60 ] # peer certificate cannot be authenticated with known CA certificates
    [ "$(http_code "http://$SEC_HOST/v2/")" = 400 ] # plain HTTP to a TLS port

    run openssl x509 -in "$SEC_DIR/server.pem" -noout -ext subjectAltName
    [[ "$output" == *"IP Address:127.0.0.1"* ]]
    [[ "$output" == *"DNS:localhost"* ]]

    # skopeo verifies the server with the CA from the exported cert dir.
    push_test_image "$SEC_TLS_HOST/tls/app:v1"
    run skopeo inspect --cert-dir "$SEC_CERT_DIR" "docker://$SEC_TLS_HOST/tls/app:v1"
    [ "$status" -eq 0 ]
    run skopeo inspect "docker://$SEC_TLS_HOST/tls/app:v1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"certificate"* ]]
}

@test "token server: a bearer token works against the registry (curl)" {
    registry_start tok token
    [ "$TOK_TOKEN_URL" != "" ]
    [[ "$(tr '\0' ' ' <"/proc/$TOK_TOKEN_PID/cmdline")" == *token-server* ]]
    chal=$(curl -s -D - -o /dev/null -I "http://$TOK_HOST/v2/foo/bar/blobs/$ZERO_DIGEST" |
        tr -d '\r' | grep -i '^www-authenticate:')
    [[ "$chal" == *"Bearer realm=\"$TOK_TOKEN_URL\""* ]]
    [[ "$chal" == *'service="dk-test-registry"'* ]]
    [[ "$chal" == *'scope="repository:foo/bar:pull"'* ]]

    resp=$(curl -sf -u "$TOK_USER:$TOK_PASS" \
        "$TOK_TOKEN_URL?service=dk-test-registry&scope=repository:foo/bar:pull,push")
    token=$(json 'd["token"]' <<<"$resp")
    [ "$(json 'd["access_token"] == d["token"]' <<<"$resp")" = true ]
    [ "$(json 'd["expires_in"]' <<<"$resp")" = 300 ]
    [[ "$(json 'd["issued_at"]' <<<"$resp")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$ ]]
    claims=$(cut -d. -f2 <<<"$token" | python3 -c 'import base64, sys
s = sys.stdin.read().strip()
print(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode())')
    [ "$(json 'd["aud"]' <<<"$claims")" = dk-test-registry ]
    [ "$(json 'd["iss"]' <<<"$claims")" = dk-test-issuer ]
    [ "$(json 'd["access"][0]["actions"]' <<<"$claims")" = '["pull", "push"]' ]

    auth=(-H "Authorization: Bearer $token")
    [ "$(http_code "${auth[@]}" "http://$TOK_HOST/v2/")" = 200 ]
    [ "$(http_code -I "${auth[@]}" "http://$TOK_HOST/v2/foo/bar/blobs/$ZERO_DIGEST")" = 404 ]
    [ "$(http_code -I "http://$TOK_HOST/v2/foo/bar/blobs/$ZERO_DIGEST")" = 401 ]
    # The token is for foo/bar only.
    [ "$(http_code -I "${auth[@]}" "http://$TOK_HOST/v2/other/blobs/$ZERO_DIGEST")" = 401 ]

    # Monolithic blob upload with the token.
    printf 'hello dk\n' >"$BATS_TEST_TMPDIR/blob"
    d="sha256:$(sha256sum "$BATS_TEST_TMPDIR/blob" | cut -d' ' -f1)"
    loc=$(curl -s -D - -o /dev/null -X POST "${auth[@]}" \
        "http://$TOK_HOST/v2/foo/bar/blobs/uploads/" |
        tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
    [ -n "$loc" ]
    case "$loc" in http*) ;; *) loc="http://$TOK_HOST$loc" ;; esac
    [ "$(http_code -X PUT "${auth[@]}" -H 'Content-Type: application/octet-stream' \
        --data-binary "@$BATS_TEST_TMPDIR/blob" "$loc&digest=$d")" = 201 ]
    [ "$(http_code -I "${auth[@]}" "http://$TOK_HOST/v2/foo/bar/blobs/$d")" = 200 ]

    # Wrong password: 401 from the token server; anonymous push scope: no access granted.
    [ "$(http_code -u "$TOK_USER:wrong" "$TOK_TOKEN_URL?service=dk-test-registry")" = 401 ]
    resp=$(curl -sf "$TOK_TOKEN_URL?service=dk-test-registry&scope=repository:foo/bar:pull,push")
    anon=$(json 'd["token"]' <<<"$resp")
    [ "$(http_code -I -H "Authorization: Bearer $anon" \
        "http://$TOK_HOST/v2/foo/bar/blobs/$d")" = 401 ]
    run grep -c "$TOK_PASS" "$TOK_TOKEN_LOG"
    [ "$output" = 0 ]
}

@test "token registry: anonymous push refused, user push works, public/ pulls anonymously" {
    registry_start tok token
    run push_test_image "$TOK_HOST/private/app:v1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"skopeo copy"* ]]

    export PUSH_CREDS="$TOK_USER:$TOK_PASS"
    digest=$(push_test_image "$TOK_HOST/private/app:v1" --label who=user)
    push_test_image "$TOK_HOST/public/x:v1"
    unset PUSH_CREDS

    run skopeo inspect --tls-verify=false --no-creds "docker://$TOK_HOST/public/x:v1"
    [ "$status" -eq 0 ]
    run skopeo copy --quiet --src-tls-verify=false --src-no-creds \
        "docker://$TOK_HOST/public/x:v1" "oci:$BATS_TEST_TMPDIR/pulled:v1"
    [ "$status" -eq 0 ]
    run skopeo inspect --tls-verify=false --no-creds "docker://$TOK_HOST/private/app:v1"
    [ "$status" -ne 0 ]
    run skopeo inspect --tls-verify=false --creds "$TOK_USER:$TOK_PASS" \
        "docker://$TOK_HOST/private/app:v1"
    [ "$status" -eq 0 ]
    [ "$(json 'd["Digest"]' <<<"$output")" = "$digest" ]

    # The log names the scopes asked for and whether credentials came with them.
    log=$TOK_TOKEN_LOG
    python3 - "$log" "$TOK_USER" <<'EOF'
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1])]
user = sys.argv[2]
def has(pred):
    return any(pred(e) for e in entries)
assert has(lambda e: "repository:private/app:pull,push" in e["scopes"] and not e["auth"]
           and e["access"] == []), "anonymous push request"
assert has(lambda e: "repository:private/app:pull,push" in e["scopes"] and e["auth"]
           and e["user"] == user and e["access"][0]["actions"] == ["pull", "push"]), "user push"
assert has(lambda e: "repository:public/x:pull" in e["scopes"] and not e["auth"]
           and e["access"] == [{"type": "repository", "name": "public/x",
                                "actions": ["pull"]}]), "anonymous public pull"
assert all(e["service"] == "dk-test-registry" for e in entries)
EOF
    run grep -c "$TOK_PASS" "$log"
    [ "$output" = 0 ]
}

@test "mkimage is deterministic, seeded, and writes what the config says" {
    args=(--tag t --layers 2 --layer-size 4096 --label a=b)
    d1=$("$MKIMAGE" "$BATS_TEST_TMPDIR/one" "${args[@]}")
    d2=$("$MKIMAGE" "$BATS_TEST_TMPDIR/two" "${args[@]}")
    [[ "$d1" =~ ^sha256:[0-9a-f]{64}$ ]]
    [ "$d1" = "$d2" ]
    cmp "$BATS_TEST_TMPDIR/one/index.json" "$BATS_TEST_TMPDIR/two/index.json"
    [ "$(cat "$BATS_TEST_TMPDIR/one/oci-layout")" = '{"imageLayoutVersion":"1.0.0"}' ]

    d3=$("$MKIMAGE" "$BATS_TEST_TMPDIR/three" "${args[@]}" --seed other)
    [ "$d3" != "$d1" ]
    r1=$("$MKIMAGE" "$BATS_TEST_TMPDIR/r1" "${args[@]}" --random)
    r2=$("$MKIMAGE" "$BATS_TEST_TMPDIR/r2" "${args[@]}" --random)
    [ "$r1" != "$r2" ]

    # Every layer differs; diff_ids are the sha256 of the uncompressed tars.
    blobs=$BATS_TEST_TMPDIR/one/blobs/sha256
    manifest=$(cat "$blobs/${d1#sha256:}")
    cfg=$(json 'd["config"]["digest"][7:]' <<<"$manifest")
    config=$(cat "$blobs/$cfg")
    [ "$(json 'd["config"]["Labels"]' <<<"$config")" = '{"a": "b"}' ]
    [ "$(json 'len(d["history"])' <<<"$config")" = 2 ]
    for i in 0 1; do
        layer=$(json "d['layers'][$i]['digest'][7:]" <<<"$manifest")
        diff_id=$(json "d['rootfs']['diff_ids'][$i]" <<<"$config")
        [ "sha256:$(gzip -dc "$blobs/$layer" | sha256sum | cut -d' ' -f1)" = "$diff_id" ]
        [ "$(stat -c %s "$blobs/$layer")" = "$(json "d['layers'][$i]['size']" <<<"$manifest")" ]
        run tar -tvzf "$blobs/$layer"
        [[ "$output" == *" 4096 1970-01-01 00:00 data/layer-$((i + 1)).bin"* ]]
    done
    [ "$(json 'd["layers"][0]["digest"] != d["layers"][1]["digest"]' <<<"$manifest")" = true ]

    # A second tag goes into the same layout next to the first.
    "$MKIMAGE" "$BATS_TEST_TMPDIR/one" --tag other --layers 1 >/dev/null
    [ "$(json 'len(d["manifests"])' <"$BATS_TEST_TMPDIR/one/index.json")" = 2 ]
    run skopeo inspect "oci:$BATS_TEST_TMPDIR/one:t"
    [ "$status" -eq 0 ]
    [ "$(json 'd["Digest"]' <<<"$output")" = "$d1" ]
}

@test "mkimage --busybox makes a runnable base layer" {
    d=$("$MKIMAGE" "$BATS_TEST_TMPDIR/bb" --tag base --busybox --layer-size 0)
    blobs=$BATS_TEST_TMPDIR/bb/blobs/sha256
    manifest=$(cat "$blobs/${d#sha256:}")
    [ "$(json 'len(d["layers"])' <<<"$manifest")" = 1 ]
    config=$(cat "$blobs/$(json 'd["config"]["digest"][7:]' <<<"$manifest")")
    [ "$(json 'd["config"]["Cmd"]' <<<"$config")" = '["/bin/sh"]' ]
    mkdir "$BATS_TEST_TMPDIR/rootfs"
    tar -xzf "$blobs/$(json 'd["layers"][0]["digest"][7:]' <<<"$manifest")" \
        -C "$BATS_TEST_TMPDIR/rootfs"
    for tool in sh ls cat echo; do
        [ "$(readlink "$BATS_TEST_TMPDIR/rootfs/bin/$tool")" = busybox ]
    done
    run "$BATS_TEST_TMPDIR/rootfs/bin/sh" -c 'echo hello from busybox'
    [ "$status" -eq 0 ]
    [ "$output" = "hello from busybox" ]
}

@test "an --index image pushed with skopeo copy --all lists two platforms" {
    registry_start src plain
    digest=$(push_test_image "$SRC_HOST/multi:v1" --index --label k=v)
    [ "$digest" = "$("$MKIMAGE" "$BATS_TEST_TMPDIR/idx" --tag v1 --index --label k=v)" ]
    run skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/multi:v1"
    [ "$status" -eq 0 ]
    index=$output
    [ "$(json 'd["mediaType"]' <<<"$index")" = application/vnd.oci.image.index.v1+json ]
    [ "$(json 'len(d["manifests"])' <<<"$index")" = 2 ]
    [ "$(json '[m["platform"]["architecture"] for m in d["manifests"]]' <<<"$index")" = \
        '["amd64", "arm64"]' ]
    [ "$(json 'd["manifests"][0]["digest"] != d["manifests"][1]["digest"]' <<<"$index")" = true ]
    # Both images are in the registry, with their own layers.
    layers=()
    for arch in amd64 arm64; do
        run skopeo inspect --tls-verify=false --override-arch "$arch" \
            "docker://$SRC_HOST/multi:v1"
        [ "$status" -eq 0 ]
        [ "$(json 'd["Architecture"]' <<<"$output")" = "$arch" ]
        layers+=("$(json 'd["Layers"]' <<<"$output")")
    done
    [ "${layers[0]}" != "${layers[1]}" ]

    # Docker flavour: a manifest list, pushed unchanged.
    digest=$(push_test_image "$SRC_HOST/multi:docker" --index --docker)
    [ "$digest" = "$("$MKIMAGE" "$BATS_TEST_TMPDIR/dl" --tag d --index --docker)" ]
    run skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/multi:docker"
    [ "$(json 'd["mediaType"]' <<<"$output")" = \
        application/vnd.docker.distribution.manifest.list.v2+json ]
    [ "$(json 'len(d["manifests"])' <<<"$output")" = 2 ]
    [ "$(json 'd["manifests"][1]["mediaType"]' <<<"$output")" = \
        application/vnd.docker.distribution.manifest.v2+json ]
    [ "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" = "$digest" ]
}

@test "registries outlive no one: EXIT trap outside bats, watchdog on a killed shell" {
    helpers="$BATS_TEST_DIRNAME/../helpers/registry.bash"
    # A script that exits normally: its EXIT trap stops the registry and removes its dir.
    # shellcheck disable=SC2016 # expanded by the inner shell
    env -u BATS_TEST_FILENAME TMPDIR="$BATS_TEST_TMPDIR" bash -c '
        source "$1"
        registry_start w plain
        echo "$W_PID $W_DIR" >"$2"
    ' _ "$helpers" "$BATS_TEST_TMPDIR/exit" </dev/null 3>&-
    read -r pid dir <"$BATS_TEST_TMPDIR/exit"
    gone "$pid"
    [ ! -e "$dir" ]

    # A shell killed with SIGKILL runs no trap: the watchdog stops its registry.
    # shellcheck disable=SC2016 # expanded by the inner shell
    env -u BATS_TEST_FILENAME TMPDIR="$BATS_TEST_TMPDIR" bash -c '
        source "$1"
        registry_start w plain
        registry_start k token
        echo "$W_PID $K_PID $K_TOKEN_PID" >"$2.tmp" && mv "$2.tmp" "$2"
        exec sleep 60
    ' _ "$helpers" "$BATS_TEST_TMPDIR/killed" </dev/null >/dev/null 2>&1 3>&- &
    shell=$!
    for ((i = 0; i < 100; i++)); do
        [ -f "$BATS_TEST_TMPDIR/killed" ] && break
        sleep 0.1
    done
    read -r -a pids <"$BATS_TEST_TMPDIR/killed"
    [ ${#pids[@]} = 3 ]
    for pid in "${pids[@]}"; do
        kill -0 "$pid"
    done
    kill -KILL "$shell"
    wait "$shell" || true
    for pid in "${pids[@]}"; do
        gone "$pid"
    done
}
