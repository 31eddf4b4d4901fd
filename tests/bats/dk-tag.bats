#!/usr/bin/env bats
# dk-tag: content digests from git, stable where they should be, sensitive where they must be.

load helpers-dk

setup() {
    dk_isolate
    P="$BATS_TEST_TMPDIR/p"
    git_init "$P"
    mkdir -p "$P/src" "$P/docs"
    cat >"$P/werf.yaml" <<'EOT'
project: demo
configVersion: 1
---
image: app
dockerfile: Dockerfile
args:
  GREETING: hello
  UNUSED: nothing
EOT
    cat >"$P/Dockerfile" <<'EOT'
FROM example.org/base:1 AS build
ARG GREETING=hi
ENV MODE=prod
COPY src/ /src/
RUN echo "$GREETING" > /g

FROM example.org/base:1
COPY --from=build /g /g
CMD ["/bin/sh"]
EOT
    echo 'int main(void) { return 0; }' >"$P/src/main.c"
    echo 'notes' >"$P/docs/readme.txt"
    printf 'src/*.tmp\n' >"$P/.dockerignore"
    git_commit "$P" init
}

digest() {
    dk-tag -C "$P" "$@" </dev/null | jq -r '.images.app.digest'
}

@test "dk-tag: writes a 56-hex digest per image into the document, with the commit" {
    run_split dk-tag -C "$P"
    [ "$status" -eq 0 ]
    assert_doc
    [[ "$(jqo .images.app.digest)" =~ ^[0-9a-f]{56}$ ]]
    [ "$(jqo .git.commit)" = "$(git -C "$P" rev-parse HEAD)" ]
    [ "$(jqo .project)" = demo ]
}

@test "dk-tag: the same commit gives the same digest in another clone, path, umask and mtime" {
    d1=$(digest)
    git clone -q "$P" "$BATS_TEST_TMPDIR/elsewhere/clone"
    touch -d '2001-01-01' "$BATS_TEST_TMPDIR/elsewhere/clone/src/main.c"
    d2=$( (umask 077; dk-tag -C "$BATS_TEST_TMPDIR/elsewhere/clone" </dev/null) | jq -r .images.app.digest)
    [ "$d1" = "$d2" ]
    # and from a subdirectory's point of view, --dir names the project
    cd "$P/src"
    d3=$(dk-tag -C .. </dev/null | jq -r .images.app.digest)
    [ "$d1" = "$d3" ]
}

@test "dk-tag: each input changed alone changes the digest" {
    base=$(digest)
    check() { # description, then a command run in $P
        local what=$1
        shift
        (cd "$P" && eval "$*")
        git_commit "$P" "$what"
        local d
        d=$(digest)
        [ "$d" != "$base" ] || { echo "digest did not change: $what" >&2; return 1; }
        base=$d
    }
    check "a COPY source file" 'echo "// more" >> src/main.c'
    check "a new file under a COPY source" 'echo x > src/new.c'
    check "an instruction" 'sed -i "s/ENV MODE=prod/ENV MODE=dev/" Dockerfile'
    check "a declared build arg" 'sed -i "s/GREETING: hello/GREETING: hey/" werf.yaml'
    check "the image cacheVersion" 'echo "cacheVersion: \"2\"" >> werf.yaml'
    check "the global cacheVersion" 'sed -i "s/^configVersion: 1/configVersion: 1\nbuild:\n  cacheVersion: g1/" werf.yaml'
    check "the target" 'echo "target: build" >> werf.yaml'
    check "the platform" 'echo "platform: [linux/arm64]" >> werf.yaml'
    check "a base image" 'sed -i "s|example.org/base:1 AS build|example.org/base:2 AS build|" Dockerfile'
}

@test "dk-tag: files outside COPY sources, ignored files and undeclared args do not count" {
    base=$(digest)
    echo "more notes" >>"$P/docs/readme.txt"
    echo junk >"$P/src/scratch.tmp"
    sed -i 's/UNUSED: nothing/UNUSED: something/' "$P/werf.yaml"
    git_commit "$P" "noise"
    [ "$(digest)" = "$base" ]
}

@test "dk-tag: contextAddFiles count from the working tree" {
    echo "contextAddFiles: [local.env]" >>"$P/werf.yaml"
    echo "A=1" >"$P/local.env"
    git_commit "$P" cafiles
    a=$(digest)
    echo "A=2" >"$P/local.env"
    b=$(digest)
    [ "$a" != "$b" ]
}

@test "dk-tag: --commit recomputes an older commit; --dev sees uncommitted and untracked files" {
    old=$(digest)
    echo '// v2' >>"$P/src/main.c"
    git_commit "$P" v2
    new=$(digest)
    [ "$old" != "$new" ]
    [ "$(digest --commit HEAD~1)" = "$old" ]
    echo '// dirty' >>"$P/src/main.c"
    [ "$(digest)" = "$new" ]
    dev1=$(digest --dev)
    [ "$dev1" != "$new" ]
    echo 'x' >"$P/src/untracked.c"
    [ "$(digest --dev)" != "$dev1" ]
    run_split dk-tag -C "$P" --dev
    [ "$(jqo .git.dev)" = true ]
}

@test "dk-tag: dependencies come first and their digests count" {
    cat >>"$P/werf.yaml" <<'EOT'
dependencies:
- image: base
  imports:
  - type: ImageName
    targetBuildArg: BASE
---
image: base
dockerfile: base.Dockerfile
EOT
    printf 'FROM example.org/os:1\nRUN echo base\n' >"$P/base.Dockerfile"
    sed -i '1i ARG BASE=none' "$P/Dockerfile"
    git_commit "$P" deps
    run_split dk-tag -C "$P"
    [ "$status" -eq 0 ]
    [ "$(jqo '.images|keys|join(",")')" = "app,base" ]
    a=$(jqo .images.app.digest)
    sed -i 's/echo base/echo base2/' "$P/base.Dockerfile"
    git_commit "$P" base2
    run_split dk-tag -C "$P"
    [ "$(jqo .images.app.digest)" != "$a" ]
    run_split dk-tag -C "$P" base
    [ "$(jqo '.images|keys|join(",")')" = "base" ]
}

@test "dk-tag: --explain prints every input on standard error" {
    run_split dk-tag -C "$P" --explain app
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"dk-digest v1"* ]]
    [[ "$stderr" == *"ARG GREETING=hello"* ]]
    [[ "$stderr" == *"files src/ 1 sha256:"* ]]
    [[ "$stderr" == *"  src/main.c 100644 "* ]]
    [[ "$stderr" != *"readme.txt"* ]]
    assert_doc
}

@test "dk-tag: bad configurations and Dockerfiles exit 2 naming the file and line" {
    printf 'project: demo\nconfigVersion: 1\n---\nimage: app\ndockerfil: Dockerfile\n' >"$P/werf.yaml"
    git_commit "$P" typo
    run_split dk-tag -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"werf.yaml:5"*"dockerfil"* ]]
    assert_failed_doc

    printf 'project: {{ .Env.X }}\nconfigVersion: 1\n' >"$P/werf.yaml"
    git_commit "$P" templated
    run_split dk-tag -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"not supported yet"* ]]

    printf 'project: demo\nconfigVersion: 1\n---\nimage: app\n' >"$P/werf.yaml"
    printf 'FROM x\nFORM y\n' >"$P/Dockerfile"
    git_commit "$P" syntax
    run_split dk-tag -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"Dockerfile:2"* ]]

    printf 'FROM x\nCOPY nothing-here/ /x\n' >"$P/Dockerfile"
    git_commit "$P" nosrc
    run_split dk-tag -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"nothing-here/"*"matches no file"* ]]

    printf 'project: demo\nconfigVersion: 1\n---\nimage: app\ndependencies:\n- image: ghost\n' >"$P/werf.yaml"
    git_commit "$P" ghost
    run_split dk-tag -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"ghost"* ]]

    printf 'project: demo\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- image: b\n---\nimage: b\ndependencies:\n- image: a\n' >"$P/werf.yaml"
    git_commit "$P" cycle
    run_split dk-tag -C "$P"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"cycle"* ]]

    run_split dk-tag -C "$BATS_TEST_TMPDIR"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"not in a git repository"* ]]
}

@test "dk-tag: the example of docs/config.md is accepted as written" {
    D="$BATS_TEST_TMPDIR/docs-example"
    git_init "$D"
    awk '/^```yaml$/{on=1; next} /^```$/{on=0} on' "$DK_TOP/docs/config.md" >"$D/werf.yaml"
    mkdir -p "$D/backend"
    printf 'ARG BASE_IMAGE=x\nFROM $BASE_IMAGE AS app\nARG KEY\nCOPY . /srv/\n' >"$D/backend/Dockerfile"
    printf 'FROM example.org/os:1\n' >"$D/base.Dockerfile"
    echo 'code' >"$D/backend/main.c"
    echo 'A=1' >"$D/backend/local.env"
    git_commit "$D" docs
    run_split dk-tag -C "$D"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jqo '.images|keys|join(",")')" = "backend,base" ]
}
