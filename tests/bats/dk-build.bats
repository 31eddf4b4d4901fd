#!/usr/bin/env bats
# dk-build with buildah against Debian's docker-registry: reuse, convergence, rebuilds.

load ../helpers/registry
load helpers-dk

setup_file() {
    command -v docker-registry >/dev/null || skip "docker-registry is not installed"
    command -v buildah >/dev/null || skip "buildah is not installed"
    export DOCKER_CONFIG="$BATS_FILE_TMPDIR/docker"
    mkdir -p "$DOCKER_CONFIG"
    registry_start reg plain
    push_node_base "$REG_HOST"
}

teardown_file() {
    registry_stop_all
}

setup() {
    dk_isolate
    buildah_private
    P="$BATS_TEST_TMPDIR/p"
    git_init "$P"
    # the seed example of the distribution overview, with a local base image for "node"
    cat >"$P/werf.yaml" <<'EOT'
project: myproject
configVersion: 1
---
image: myapp
dockerfile: Dockerfile
EOT
    cat >"$P/Dockerfile" <<EOT
FROM $REG_HOST/node:1

WORKDIR /app
COPY . .
RUN npm ci

CMD ["node", "server.js"]
EOT
    echo 'console.log("hi")' >"$P/server.js"
    echo '{"name": "myapp"}' >"$P/package.json"
    git_commit "$P" init
    REPO="$REG_HOST/t$BATS_TEST_NUMBER/myproject"
}

build() {
    dk-build -C "$P" --repo "$REPO" "$@"
}

@test "dk-build: the seed example builds, is pushed under its content tag and runs" {
    run_split build
    [ "$status" -eq 0 ]
    assert_doc
    d=$(jqo .images.myapp.digest)
    [[ "$(jqo .images.myapp.tag)" =~ ^${d}-[0-9]{13}$ ]]
    [ "$(jqo .images.myapp.built)" = true ]
    [ "$(jqo .images.myapp.ref)" = "$REPO:$(jqo .images.myapp.tag)" ]
    [ "$(jqo .repo)" = "$REPO" ]
    ref=$(jqo .images.myapp.ref)
    [ "$(skopeo_digest "$ref")" = "$(jqo .images.myapp.manifest)" ]
    cfg=$(skopeo inspect --config --tls-verify=false "docker://$ref")
    [ "$(jq -c .config.Cmd <<<"$cfg")" = '["node","server.js"]' ]
    [ "$(jq -r '.config.Labels["dk.digest"]' <<<"$cfg")" = "$d" ]
    [ "$(jq -r '.config.Labels["org.opencontainers.image.revision"]' <<<"$cfg")" = "$(git -C "$P" rev-parse HEAD)" ]
    # it runs: the stand-in node prints its argument
    b=(env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE buildah --root "$DK_BUILDAH_ROOT" --runroot "$DK_BUILDAH_RUNROOT" --storage-driver vfs)
    c=$("${b[@]}" from --tls-verify=false -q "$ref")
    run "${b[@]}" run --isolation chroot "$c" -- node server.js
    [[ "$output" == *"node runs server.js"* ]]
    run "${b[@]}" run --isolation chroot "$c" -- cat /app/server.js
    [[ "$output" == *'console.log("hi")'* ]]
}

@test "dk-build: a second runner with empty storage reuses everything and builds nothing" {
    build >/dev/null 2>&1
    buildah_private "$BATS_TEST_TMPDIR/other-runner"
    run_split build
    [ "$status" -eq 0 ]
    [ "$(jqo .images.myapp.built)" = false ]
    [ ! -d "$DK_BUILDAH_ROOT" ] || [ -z "$(ls -A "$DK_BUILDAH_ROOT" 2>/dev/null)" ]
}

@test "dk-build: four runners started together report the same ref, the oldest tag" {
    for i in 1 2 3 4; do
        buildah_private "$BATS_TEST_TMPDIR/runner$i"
        build >"$BATS_TEST_TMPDIR/out$i.json" 2>"$BATS_TEST_TMPDIR/err$i.txt" &
    done
    wait
    refs=$(for i in 1 2 3 4; do jq -r .images.myapp.ref "$BATS_TEST_TMPDIR/out$i.json"; done | sort -u)
    [ "$(wc -l <<<"$refs")" -eq 1 ]
    d=$(jq -r .images.myapp.digest "$BATS_TEST_TMPDIR/out1.json")
    oldest=$(skopeo list-tags --tls-verify=false "docker://$REPO" | jq -r '.Tags[]' | grep "^$d-" | sort | head -1)
    [ "$refs" = "$REPO:$oldest" ]
}

@test "dk-build: a chain of three images rebuilds only what changed" {
    cat >>"$P/werf.yaml" <<'EOT'
---
image: a
dockerfile: a.Dockerfile
---
image: b
dockerfile: b.Dockerfile
dependencies:
- image: a
  imports:
  - type: ImageName
    targetBuildArg: A_IMAGE
---
image: c
dockerfile: c.Dockerfile
dependencies:
- image: b
  imports:
  - type: ImageName
    targetBuildArg: B_IMAGE
EOT
    printf 'FROM %s/busybox:1\nCOPY a.txt /a.txt\n' "$REG_HOST" >"$P/a.Dockerfile"
    printf 'ARG A_IMAGE\nFROM $A_IMAGE\nRUN cat /a.txt > /b.txt\n' >"$P/b.Dockerfile"
    printf 'ARG B_IMAGE\nFROM $B_IMAGE\nCOPY c.txt /c.txt\n' >"$P/c.Dockerfile"
    echo a >"$P/a.txt"
    echo c1 >"$P/c.txt"
    git_commit "$P" chain
    run_split build a b c
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(jqo '[.images.a.built, .images.b.built, .images.c.built]|join(",")')" = "true,true,true" ]
    echo c2 >"$P/c.txt"
    git_commit "$P" c2
    run_split build a b c
    [ "$status" -eq 0 ]
    [ "$(jqo '[.images.a.built, .images.b.built, .images.c.built]|join(",")')" = "false,false,true" ]
    echo a2 >"$P/a.txt"
    git_commit "$P" a2
    run_split build a b c
    [ "$(jqo '[.images.a.built, .images.b.built, .images.c.built]|join(",")')" = "true,true,true" ]
}

@test "dk-build: two clean builds of one commit on separate storages give the same manifest" {
    run_split build
    m1=$(jqo .images.myapp.manifest)
    buildah_private "$BATS_TEST_TMPDIR/second"
    REPO="$REG_HOST/t$BATS_TEST_NUMBER/again"
    run_split build
    [ "$status" -eq 0 ]
    [ "$(jqo .images.myapp.built)" = true ]
    [ "$(jqo .images.myapp.manifest)" = "$m1" ]
}

@test "dk-build: a failing RUN exits 1 with the backend's last lines and the document" {
    sed -i 's/RUN npm ci/RUN echo about-to-fail \&\& false/' "$P/Dockerfile"
    git_commit "$P" broken
    run_split build
    [ "$status" -eq 1 ]
    assert_failed_doc
    [[ "$stderr" == *"about-to-fail"* ]]
    [[ "$stderr" == *"cannot build image 'myapp'"* ]]
    [[ "$(jqo .images.myapp.digest)" =~ ^[0-9a-f]{56}$ ]]
}

@test "dk-build: --add-tag pushes aliases; one alias for two images is refused" {
    run_split build --add-tag '%image%-latest'
    [ "$status" -eq 0 ]
    assert_doc
    [ "$(skopeo_digest "$REPO:myapp-latest")" = "$(jqo .images.myapp.manifest)" ]
    [ "$(jqo '.images.myapp.custom_tags[0]')" = "myapp-latest" ]
    printf -- '---\nimage: other\ndockerfile: Dockerfile\n' >>"$P/werf.yaml"
    git_commit "$P" two
    run_split build --add-tag latest
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"same tag 'latest'"* ]]
}

@test "dk-build: an image in a secondary repo is copied, not built" {
    run_split build
    first=$(jqo .images.myapp.tag)
    OTHER="$REPO"
    REPO="$REG_HOST/t$BATS_TEST_NUMBER/primary"
    buildah_private "$BATS_TEST_TMPDIR/clean"
    run_split build --secondary-repo "$OTHER"
    [ "$status" -eq 0 ]
    [ "$(jqo .images.myapp.built)" = false ]
    [ "$(jqo .images.myapp.tag)" = "$first" ]
    skopeo inspect --raw --tls-verify=false "docker://$REPO:$first" >/dev/null
}

@test "dk-build: bad usage and an unreachable registry give clear errors" {
    run_split dk-build -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--repo"* ]]
    run_split dk-build -C "$P" --repo "127.0.0.1:1/x"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"127.0.0.1:1"* ]]
    run_split dk-build -C "$P" --repo "$REPO" --backend podman
    [ "$status" -eq 2 ]
}

@test "dk-build: a cache repo is read first and filled after a build" {
    CACHE="$REG_HOST/t$BATS_TEST_NUMBER/cache"
    run_split build --cache-repo "$CACHE"
    [ "$status" -eq 0 ]
    tag=$(jqo .images.myapp.tag)
    [ "$(skopeo_digest "$CACHE:$tag")" = "$(jqo .images.myapp.manifest)" ]
    REPO="$REG_HOST/t$BATS_TEST_NUMBER/fresh"
    buildah_private "$BATS_TEST_TMPDIR/clean"
    run_split build --cache-repo "$CACHE"
    [ "$status" -eq 0 ]
    [ "$(jqo .images.myapp.built)" = false ]
    [ "$(jqo .images.myapp.tag)" = "$tag" ]
}

@test "dk-build: contextAddFiles from the working tree go into the build context" {
    printf 'contextAddFiles: [local.env]\n' >>"$P/werf.yaml"
    printf 'COPY local.env /app/local.env\n' >>"$P/Dockerfile"
    echo "local.env" >"$P/.gitignore"
    git_commit "$P" cafiles
    echo "SECRET_MODE=on" >"$P/local.env"
    run_split build
    [ "$status" -eq 0 ]
    ref=$(jqo .images.myapp.ref)
    b=(env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE buildah --root "$DK_BUILDAH_ROOT" --runroot "$DK_BUILDAH_RUNROOT" --storage-driver vfs)
    c=$("${b[@]}" from --tls-verify=false -q "$ref")
    run "${b[@]}" run --isolation chroot "$c" -- cat /app/local.env
    [[ "$output" == *"SECRET_MODE=on"* ]]
}
