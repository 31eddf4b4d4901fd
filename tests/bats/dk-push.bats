#!/usr/bin/env bats
# dk-push against Debian's docker-registry, with skopeo as the oracle.

load ../helpers/registry
load helpers-dk

setup_file() {
    command -v docker-registry >/dev/null || skip "docker-registry is not installed"
    command -v skopeo >/dev/null || skip "skopeo is not installed"
}

setup() {
    dk_isolate
}

teardown() {
    registry_stop_all
}

@test "dk-push: --help lists the commands and --version prints the version" {
    run dk-push --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"copy SRC DST"* ]]
    [[ "$output" == *"DK_PLATFORM"* ]]
    run dk-push copy --help
    [ "$status" -eq 0 ]
    run dk-push --version
    [ "$status" -eq 0 ]
    [[ "$output" == "dk-push "* ]]
}

@test "dk-push: copy between registries keeps the digest" {
    registry_start src plain
    registry_start dst plain
    want=$(push_test_image "$SRC_HOST/app:v1" --layers 3 --layer-size 100000 --seed 1)
    run_split dk-push copy "$SRC_HOST/app:v1" "$DST_HOST/team/app:v1"
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(jqo .push.digest)" = "$want" ]
    [ "$(jqo .push.blobs.copied)" = 4 ]
    [ "$(skopeo_digest "$DST_HOST/team/app:v1")" = "$want" ]
}

@test "dk-push: a second copy skips every blob the destination has" {
    registry_start src plain
    registry_start dst plain
    push_test_image "$SRC_HOST/app:v1" --layers 2 --seed 2 >/dev/null
    dk-push copy "$SRC_HOST/app:v1" "$DST_HOST/app:v1" >/dev/null 2>&1
    run_split dk-push copy "$SRC_HOST/app:v1" "$DST_HOST/app:v2"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.blobs.copied)" = 0 ]
    [ "$(jqo .push.blobs.skipped)" = 3 ]
}

@test "dk-push: a copy within one registry mounts the blobs" {
    registry_start reg plain
    want=$(push_test_image "$REG_HOST/a/app:v1" --layers 3 --seed 3)
    run_split dk-push copy "$REG_HOST/a/app:v1" "$REG_HOST/b/app:v1"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.blobs.mounted)" = 4 ]
    [ "$(jqo .push.blobs.copied)" = 0 ]
    [ "$(skopeo_digest "$REG_HOST/b/app:v1")" = "$want" ]
}

@test "dk-push: a multi-platform image is copied whole, or one platform with --platform" {
    registry_start src plain
    registry_start dst plain
    want=$(push_test_image "$SRC_HOST/multi:v1" --index --seed 4)
    run_split dk-push copy "$SRC_HOST/multi:v1" "$DST_HOST/multi:all"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.digest)" = "$want" ]
    [ "$(skopeo inspect --raw --tls-verify=false "docker://$DST_HOST/multi:all" | jq '.manifests|length')" = 2 ]
    arm=$(skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/multi:v1" |
        jq -r '.manifests[]|select(.platform.architecture=="arm64").digest')
    run_split dk-push copy --platform linux/arm64 "$SRC_HOST/multi:v1" "$DST_HOST/multi:arm"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.digest)" = "$arm" ]
    [ "$(skopeo_digest "$DST_HOST/multi:arm")" = "$arm" ]
    run_split dk-push copy --platform windows/amd64 "$SRC_HOST/multi:v1" "$DST_HOST/multi:win"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"no platform 'windows/amd64'"* ]]
}

@test "dk-push: what skopeo pushed dk copies, and what dk pushed skopeo copies, digests equal" {
    registry_start reg plain
    want=$(push_test_image "$REG_HOST/from-skopeo:v1" --docker --layers 2 --seed 5)
    dk-push copy "$REG_HOST/from-skopeo:v1" "$REG_HOST/by-dk:v1" >/dev/null 2>&1
    skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$REG_HOST/by-dk:v1" "docker://$REG_HOST/by-skopeo:v1"
    [ "$(skopeo_digest "$REG_HOST/by-dk:v1")" = "$want" ]
    [ "$(skopeo_digest "$REG_HOST/by-skopeo:v1")" = "$want" ]
    run_split dk-push digest "$REG_HOST/by-skopeo:v1"
    [ "$(jqo .push.digest)" = "$want" ]
}

@test "dk-push: OCI layouts in and out, readable by skopeo" {
    registry_start reg plain
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --layers 2 --seed 6 >/dev/null
    want=$(skopeo inspect --raw "oci:$dir:v1" | sha256sum | awk '{print "sha256:"$1}')
    run_split dk-push copy "oci:$dir:v1" "$REG_HOST/app:v1"
    [ "$status" -eq 0 ]
    [ "$(skopeo_digest "$REG_HOST/app:v1")" = "$want" ]
    run_split dk-push copy "$REG_HOST/app:v1" "oci:$BATS_TEST_TMPDIR/out:latest"
    [ "$status" -eq 0 ]
    [ "$(skopeo inspect --raw "oci:$BATS_TEST_TMPDIR/out:latest" | sha256sum | awk '{print "sha256:"$1}')" = "$want" ]
    skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/out:latest" "docker://$REG_HOST/back:v1"
    [ "$(skopeo_digest "$REG_HOST/back:v1")" = "$want" ]
}

@test "dk-push: an oci-archive written by dk is read by skopeo, and dk reads it back" {
    registry_start reg plain
    want=$(push_test_image "$REG_HOST/app:v1" --layers 2 --seed 7)
    for f in app.tar app.tar.gz; do
        run_split dk-push copy "$REG_HOST/app:v1" "oci-archive:$BATS_TEST_TMPDIR/$f:app"
        [ "$status" -eq 0 ]
        [ "$(skopeo inspect --raw "oci-archive:$BATS_TEST_TMPDIR/$f:app" | sha256sum | awk '{print "sha256:"$1}')" = "$want" ]
        run_split dk-push copy "oci-archive:$BATS_TEST_TMPDIR/$f" "$REG_HOST/restored-${f%%.*}:v1"
        [ "$status" -eq 0 ]
        [ "$(skopeo_digest "$REG_HOST/restored-${f%%.*}:v1")" = "$want" ]
        # the image keeps its name from the archive into a layout
        run_split dk-push copy "oci-archive:$BATS_TEST_TMPDIR/$f" "oci:$BATS_TEST_TMPDIR/layout-${f%%.*}"
        [ "$status" -eq 0 ]
        skopeo inspect --raw "oci:$BATS_TEST_TMPDIR/layout-${f%%.*}:app" >/dev/null
    done
    ls "$BATS_TEST_TMPDIR"/dk-archive-* 2>/dev/null && false
    true
}

@test "dk-push: tag, ls and catalog" {
    registry_start reg plain
    want=$(push_test_image "$REG_HOST/team/app:v1" --seed 8)
    push_test_image "$REG_HOST/other:v1" --seed 9 >/dev/null
    run_split dk-push tag "$REG_HOST/team/app:v1" v2 stable
    [ "$status" -eq 0 ]
    [ "$(jqo .push.digest)" = "$want" ]
    [ "$(skopeo_digest "$REG_HOST/team/app:stable")" = "$want" ]
    run_split dk-push ls "$REG_HOST/team/app"
    [ "$status" -eq 0 ]
    [ "$(jqo '.push.tags|sort|join(",")')" = "stable,v1,v2" ]
    run_split dk-push catalog "$REG_HOST/team"
    [ "$status" -eq 0 ]
    [ "$(jqo '.push.repositories|join(",")')" = "team/app" ]
    run_split dk-push tag "$REG_HOST/team/app:v1" "-bad"
    [ "$status" -eq 2 ]
}

@test "dk-push: inspect shows the manifest and the config" {
    registry_start reg plain
    want=$(push_test_image "$REG_HOST/app:v1" --label org.example.team=blue --seed 10)
    run_split dk-push inspect "$REG_HOST/app:v1"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.digest)" = "$want" ]
    [ "$(jqo '.push.config.config.Labels["org.example.team"]')" = blue ]
    [ "$(jqo '.push.manifest.layers|length')" = 1 ]
}

@test "dk-push: delete removes that tag only" {
    registry_start reg plain
    want=$(push_test_image "$REG_HOST/app:v1" --seed 11)
    dk-push tag "$REG_HOST/app:v1" alpha >/dev/null 2>&1
    run_split dk-push delete "$REG_HOST/app:alpha"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.digest)" = "$want" ]
    run skopeo inspect --raw --tls-verify=false "docker://$REG_HOST/app:alpha"
    [ "$status" -ne 0 ]
    [ "$(skopeo_digest "$REG_HOST/app:v1")" = "$want" ]
    [ "$(skopeo list-tags --tls-verify=false "docker://$REG_HOST/app" | jq -r '.Tags|join(",")')" = v1 ]
}

@test "dk-push: publish copies every image of the document to the --tag templates" {
    registry_start reg plain
    a=$(push_test_image "$REG_HOST/proj:aaa-1" --seed 12)
    b=$(push_test_image "$REG_HOST/proj:bbb-1" --seed 13)
    doc='{"schema":"dk/v1","project":"proj","keep":{"me":1},"images":{
      "backend":{"ref":"'"$REG_HOST"'/proj:aaa-1","tag":"aaa-1"},
      "front-end":{"ref":"'"$REG_HOST"'/proj:bbb-1","tag":"bbb-1"}}}'
    run_split dk-push publish --tag "$REG_HOST/export/%image%:latest" \
        --tag "$REG_HOST/export/all:%image_slug%-%image_content_based_tag%" <<<"$doc"
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(jqo .keep.me)" = 1 ]
    [ "$(jqo '.published|length')" = 4 ]
    [ "$(jqo '.images.backend.published[0]')" = "$REG_HOST/export/backend:latest" ]
    [ "$(skopeo_digest "$REG_HOST/export/front-end:latest")" = "$b" ]
    [ "$(skopeo_digest "$REG_HOST/export/all:backend-aaa-1")" = "$a" ]
    run_split dk-push publish --tag "$REG_HOST/export/same:latest" <<<"$doc"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"for two images"* ]]
}

@test "dk-push: basic auth from the environment, login and logout; no secret in any output" {
    registry_start reg htpasswd
    run_split dk-push ls "$REG_HOST/app"
    [ "$status" -eq 1 ]
    assert_failed_doc
    [[ "$stderr" == *"401"* ]]
    DK_USERNAME=$REG_USER DK_PASSWORD=$REG_PASS run_split dk-push copy \
        "oci:$(mktemp -d)" "$REG_HOST/app:v1"
    [ "$status" -eq 2 ] || [ "$status" -eq 1 ]
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --seed 14 >/dev/null
    DK_USERNAME=$REG_USER DK_PASSWORD=$REG_PASS run_split dk-push copy "oci:$dir:v1" "$REG_HOST/app:v1"
    [ "$status" -eq 0 ]
    [[ "$output$stderr" != *"$REG_PASS"* ]]
    # wrong password: clear error, and the password is nowhere
    DK_USERNAME=$REG_USER DK_PASSWORD=wrong-secret-123 run_split dk-push ls "$REG_HOST/app" -v
    [ "$status" -eq 1 ]
    [[ "$output$stderr" != *"wrong-secret-123"* ]]
    # login stores credentials that later commands use
    run_split dk-push login "$REG_HOST" -u "$REG_USER" --password-stdin <<<"$REG_PASS"
    [ "$status" -eq 0 ]
    [ -f "$DOCKER_CONFIG/config.json" ]
    [ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]
    [[ "$output$stderr" != *"$REG_PASS"* ]]
    run_split dk-push ls "$REG_HOST/app"
    [ "$status" -eq 0 ]
    [ "$(jqo '.push.tags|join(",")')" = v1 ]
    run_split dk-push login "$REG_HOST" -u "$REG_USER" --password-stdin <<<"not-the-password"
    [ "$status" -eq 1 ]
    [[ "$output$stderr" != *"not-the-password"* ]]
    run_split dk-push logout "$REG_HOST"
    [ "$status" -eq 0 ]
    run_split dk-push ls "$REG_HOST/app"
    [ "$status" -eq 1 ]
}

@test "dk-push: bearer tokens per repository scope, anonymous pull where allowed" {
    registry_start reg token
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --seed 15 >/dev/null
    run_split dk-push copy "oci:$dir:v1" "$REG_HOST/public/app:v1"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"401"* || "$stderr" == *"denied"* || "$stderr" == *"UNAUTHORIZED"* ]]
    DK_USERNAME=$REG_USER DK_PASSWORD=$REG_PASS run_split dk-push copy "oci:$dir:v1" "$REG_HOST/public/app:v1"
    [ "$status" -eq 0 ]
    [[ "$output$stderr" != *"$REG_PASS"* ]]
    DK_USERNAME=$REG_USER DK_PASSWORD=$REG_PASS run_split dk-push copy "$REG_HOST/public/app:v1" "$REG_HOST/private/app:v1"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.blobs.mounted)" = 2 ]
    grep -q 'repository:private/app:pull,push' "$REG_TOKEN_LOG"
    # anonymous pull of public/ works, of private/ does not
    run_split dk-push digest "$REG_HOST/public/app:v1"
    [ "$status" -eq 0 ]
    run_split dk-push digest "$REG_HOST/private/app:v1"
    [ "$status" -eq 1 ]
    DK_USERNAME=$REG_USER DK_PASSWORD=bad-pass-999 run_split dk-push digest "$REG_HOST/private/app:v1"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"wrong username or password"* ]]
    [[ "$output$stderr" != *"bad-pass-999"* ]]
}

@test "dk-push: TLS with a test CA, verified when asked" {
    registry_start reg tls
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --seed 16 >/dev/null
    run_split dk-push copy --tls-verify=true --ca-cert "$REG_CA" "oci:$dir:v1" "$REG_TLS_HOST/app:v1"
    [ "$status" -eq 0 ]
    run_split dk-push ls --tls-verify=true "$REG_TLS_HOST/app"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"certificate"* || "$stderr" == *"SSL"* ]]
    run_split dk-push ls "$REG_TLS_HOST/app"
    [ "$status" -eq 0 ]
    [ "$(jqo '.push.tags|join(",")')" = v1 ]
}

@test "dk-push: the registry stopped in the middle of a copy, then the same command completes" {
    registry_start src plain
    registry_start dst plain
    want=$(push_test_image "$SRC_HOST/big:v1" --layers 5 --layer-size 8000000 --seed 17)
    dk-push copy --parallel 1 "$SRC_HOST/big:v1" "$DST_HOST/big:v1" >"$BATS_TEST_TMPDIR/out" 2>&1 &
    pid=$!
    # freeze the destination as soon as an upload has started, then kill it
    for _ in $(seq 1 400); do
        [ -n "$(find "$DST_DIR" -path '*_uploads*' -name data 2>/dev/null | head -1)" ] && break
        sleep 0.02
    done
    kill -STOP "$DST_PID"
    sleep 0.3
    kill -9 "$DST_PID"
    kill -CONT "$DST_PID" 2>/dev/null || true
    st=0
    wait "$pid" || st=$?
    [ "$st" -eq 1 ]
    [ "$(skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/big:v1" >/dev/null && echo ok)" = ok ]
    # the same registry again, on the same port and storage
    _dk_env_clean
    env "${_dk_unset[@]}" docker-registry serve "$DST_CONFIG" >>"$DST_LOG" 2>&1 &
    DST_PID=$!
    for _ in $(seq 1 100); do curl -fs "http://$DST_HOST/v2/" >/dev/null && break; sleep 0.1; done
    run_split dk-push copy "$SRC_HOST/big:v1" "$DST_HOST/big:v1"
    [ "$status" -eq 0 ]
    [ "$(skopeo_digest "$DST_HOST/big:v1")" = "$want" ]
    kill "$DST_PID"; wait "$DST_PID" || true
}

@test "dk-push: a blob served with the wrong content is rejected" {
    registry_start src plain
    registry_start dst plain
    push_test_image "$SRC_HOST/app:v1" --layers 1 --layer-size 50000 --seed 18 >/dev/null
    layer=$(skopeo inspect --raw --tls-verify=false "docker://$SRC_HOST/app:v1" | jq -r '.layers[0].digest')
    hex=${layer#sha256:}
    data=$(find "$SRC_DIR" -path "*/blobs/sha256/${hex:0:2}/$hex/data")
    [ -f "$data" ]
    printf 'corrupted' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
    run_split dk-push copy "$SRC_HOST/app:v1" "$DST_HOST/app:v1"
    [ "$status" -eq 1 ]
    assert_failed_doc
    [[ "$stderr" == *"wrong content"* ]]
    run skopeo inspect --raw --tls-verify=false "docker://$DST_HOST/app:v1"
    [ "$status" -ne 0 ]
    # the same for a layout on disk
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --layers 1 --seed 19 >/dev/null
    layer=$(jq -r '.layers[0].digest' "$dir/blobs/sha256/$(jq -r '.manifests[0].digest' "$dir/index.json" | cut -d: -f2)")
    printf 'corrupted' | dd of="$dir/blobs/sha256/${layer#sha256:}" bs=1 seek=10 conv=notrunc 2>/dev/null
    run_split dk-push copy "oci:$dir:v1" "$DST_HOST/app:v2"
    [ "$status" -eq 1 ]
    run skopeo inspect --raw --tls-verify=false "docker://$DST_HOST/app:v2"
    [ "$status" -ne 0 ]
}

@test "dk-push: 404, 403 and 500 give clear errors" {
    registry_start reg plain
    run_split dk-push inspect "$REG_HOST/nothing:here"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "dk-push: error: "*"404"*"nothing:here"* ]]
    assert_failed_doc
    [ "$(jqo .error.code)" = not-found ]
    for code in 403 500; do
        port=$(free_port)
        python3 "$DK_TOP/tests/helpers/status-server" "$port" "$code" &
        spid=$!
        for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
        run_split dk-push ls "127.0.0.1:$port/app"
        kill "$spid"; wait "$spid" 2>/dev/null || true
        [ "$status" -eq 1 ]
        [[ "$stderr" == *"$code"* ]]
        assert_failed_doc
    done
}

@test "dk-push: bad references, bad flags and bad JSON on stdin exit 2 naming the input" {
    run_split dk-push copy "Bad/Ref:x" "127.0.0.1:1/app:v1"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"'Bad/Ref:x'"* ]]
    assert_failed_doc
    run_split dk-push inspect "127.0.0.1:1/app:bad tag"
    [ "$status" -eq 2 ]
    run_split dk-push copy --no-such-flag a b
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--no-such-flag"* ]]
    run_split dk-push ls 127.0.0.1:1/app <<<'{"schema": "dk/v1", '
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"standard input"* ]]
    run_split dk-push frobnicate
    [ "$status" -eq 2 ]
    run_split dk-push copy onlyone
    [ "$status" -eq 2 ]
}

@test "dk-push: unknown keys of the document pass through, and --quiet prints nothing" {
    registry_start reg plain
    push_test_image "$REG_HOST/app:v1" --seed 20 >/dev/null
    run_split dk-push copy --quiet "$REG_HOST/app:v1" "$REG_HOST/app:v2" <<<'{"schema":"dk/v1","x":{"y":[1,2]}}'
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(jqo '.x.y[1]')" = 2 ]
    assert_doc
}

@test "dk-push: chunked uploads from a layout give the same image" {
    registry_start reg plain
    dir="$BATS_TEST_TMPDIR/img"
    want=$("$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --layers 2 --layer-size 300000 --seed 21)
    run_split dk-push copy --chunk-size 65536 "oci:$dir:v1" "$REG_HOST/app:v1"
    [ "$status" -eq 0 ]
    [ "$(jqo .push.blobs.copied)" = 3 ]
    [ "$(skopeo_digest "$REG_HOST/app:v1")" = "$want" ]
    skopeo copy -q --src-tls-verify=false "docker://$REG_HOST/app:v1" "oci:$BATS_TEST_TMPDIR/back:v1"
    run_split dk-push copy --chunk-size 10 "oci:$dir:v1" "$REG_HOST/app:v2"
    [ "$status" -eq 2 ]
}

@test "dk-push: publish drops labels by prefix, templates without a tag are refused" {
    registry_start reg plain
    push_test_image "$REG_HOST/proj:aaa-1" --label dk.digest=abc --label keep.me=1 --seed 22 >/dev/null
    doc='{"schema":"dk/v1","images":{"app":{"ref":"'"$REG_HOST"'/proj:aaa-1","tag":"aaa-1"}}}'
    GITLAB_CI=true run_split dk-push publish --tag "$REG_HOST/out/%image%:v1" --drop-label-prefix dk. <<<"$doc"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"section_start:"*"dk_publish"* ]]
    [[ "$stderr" == *"section_end:"* ]]
    labels=$(skopeo inspect --tls-verify=false "docker://$REG_HOST/out/app:v1" | jq -c '.Labels')
    [ "$labels" = '{"keep.me":"1"}' ]
    [ "$(jqo '.published[0].digest')" = "$(skopeo_digest "$REG_HOST/out/app:v1")" ]
    run_split dk-push publish --tag "$REG_HOST/out/%image%" <<<"$doc"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"has no tag"* ]]
}

@test "dk-push: make install puts the tools under DESTDIR/PREFIX" {
    make -s -C "$DK_TOP" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/dk BUILD="${BUILD:-build}" >/dev/null
    [ -x "$BATS_TEST_TMPDIR/root/opt/dk/bin/dk-push" ]
    "$BATS_TEST_TMPDIR/root/opt/dk/bin/dk-push" --version
}

@test "dk-push: catalog follows Link pagination across pages" {
    registry_start reg plain
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --seed 23 >/dev/null
    for r in a b c d e; do
        dk-push copy --quiet "oci:$dir:v1" "$REG_HOST/p/$r:v1" >/dev/null
    done
    run_split dk-push catalog --page-size 2 -v "$REG_HOST/p"
    [ "$status" -eq 0 ]
    [ "$(jqo '.push.repositories|join(",")')" = "p/a,p/b,p/c,p/d,p/e" ]
    run_split dk-push catalog --page-size 0 "$REG_HOST"
    [ "$status" -eq 2 ]
}

@test "dk-push: --insecure reaches a TLS registry under any name without its CA" {
    registry_start reg tls
    dir="$BATS_TEST_TMPDIR/img"
    "$DK_TOP/tests/helpers/mkimage" "$dir" --tag v1 --seed 24 >/dev/null
    run_split dk-push copy --tls-verify=true "oci:$dir:v1" "$REG_TLS_HOST/app:v1"
    [ "$status" -eq 1 ]
    run_split dk-push copy --insecure "oci:$dir:v1" "$REG_TLS_HOST/app:v1"
    [ "$status" -eq 0 ]
}

@test "dk-push: progress goes to a terminal, not to a log, and never to stdout" {
    command -v script >/dev/null || skip "script(1) is not installed"
    registry_start reg plain
    push_test_image "$REG_HOST/app:v1" --layers 2 --seed 25 >/dev/null
    script -qec "dk-push copy $REG_HOST/app:v1 $REG_HOST/tty/app:v1 >$BATS_TEST_TMPDIR/doc.json" \
        "$BATS_TEST_TMPDIR/tty.log" >/dev/null
    grep -q "3/3 blobs" "$BATS_TEST_TMPDIR/tty.log"
    jq -e '.push.digest' "$BATS_TEST_TMPDIR/doc.json" >/dev/null
    run_split dk-push copy "$REG_HOST/app:v1" "$REG_HOST/log/app:v1"
    [ "$status" -eq 0 ]
    [[ "$stderr" != *"3/3 blobs"* ]]
}
