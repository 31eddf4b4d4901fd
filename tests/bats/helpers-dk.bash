# shellcheck shell=bash
# Shared set-up for dk's bats suites: tools on PATH, a private Docker config, helpers to
# check the pipeline document that a tool wrote.

: "${DK_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${DK_BIN:=$DK_TOP/build/bin}"
export PATH="$DK_BIN:$PATH"

# Every test gets its own empty Docker config, so nothing of the machine's leaks in.
dk_isolate() {
    export DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker"
    export REGISTRY_AUTH_FILE="$BATS_TEST_TMPDIR/auth.json"
    export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
    mkdir -p "$DOCKER_CONFIG" "$XDG_RUNTIME_DIR"
    unset DOCKER_AUTH_CONFIG DK_USERNAME DK_PASSWORD
}

# Runs a command with stdout and stderr kept apart: $output is stdout, $stderr the rest.
run_split() {
    local errf="$BATS_TEST_TMPDIR/stderr.$$"
    # a failing command must not trip bats' ERR trap: it is what some tests expect
    status=0
    output=$("$@" 2>"$errf") || status=$?
    stderr=$(cat "$errf")
    rm -f "$errf"
}

# The value of a jq filter over $output.
jqo() {
    printf '%s' "$output" | jq -r "$1"
}

# Asserts that $output is a valid pipeline document.
assert_doc() {
    printf '%s' "$output" | "$DK_TOP/tests/helpers/validate-pipeline" || {
        echo "not a valid pipeline document: $output" >&2
        return 1
    }
}

# Asserts that $output is a pipeline document with an error object and that stderr has
# exactly one line of dk-push's error.
assert_failed_doc() {
    assert_doc
    [ "$(jqo '.error.message')" != null ] || { echo "no error object: $output" >&2; return 1; }
}

# The manifest digest skopeo sees for a reference.
skopeo_digest() {
    skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | awk '{print "sha256:"$1}'
}

# A git repository for a project: git_init DIR; commit DIR MESSAGE.
git_init() {
    mkdir -p "$1"
    git -C "$1" init -q -b main
}

git_commit() {
    git -C "$1" add -A
    git -C "$1" -c user.name=dk-test -c user.email=dk@test -c commit.gpgsign=false \
        commit -q --allow-empty -m "${2:-change}"
}

# Private buildah storage for a test: exports DK_BUILDAH_ROOT and friends so that dk-build
# uses vfs storage with chroot isolation under the test's directory.
buildah_private() {
    export DK_BUILDAH_ROOT="${1:-$BATS_TEST_TMPDIR}/buildah/root"
    export DK_BUILDAH_RUNROOT="${1:-$BATS_TEST_TMPDIR}/buildah/run"
    export DK_STORAGE_DRIVER=vfs
    export DK_ISOLATION=chroot
}

# Builds a "node" stand-in base image (busybox with npm and node scripts) and pushes it to
# HOST/node:1; needs a registry started and buildah.
push_node_base() {
    local host=$1 dir
    dir=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/nodebase.XXXXXX")
    push_test_image "$host/busybox:1" --busybox >/dev/null
    cat >"$dir/Dockerfile" <<EOT
FROM $host/busybox:1
RUN printf '#!/bin/sh\necho npm "\$@"\n' >/bin/npm && chmod +x /bin/npm && \
    printf '#!/bin/sh\necho "node runs \$1"\n' >/bin/node && chmod +x /bin/node
EOT
    local b=(env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE buildah --root "$dir/root" --runroot "$dir/run" --storage-driver vfs)
    "${b[@]}" bud --isolation chroot --tls-verify=false -q -t "$host/node:1" "$dir" >/dev/null
    "${b[@]}" push --tls-verify=false "$host/node:1" "docker://$host/node:1" >/dev/null 2>&1
    "${b[@]}" rmi -a -f >/dev/null 2>&1 || true
    rm -rf "$dir"
}
