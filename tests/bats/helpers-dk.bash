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
