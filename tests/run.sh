#!/usr/bin/env bash
# Runs every test suite — the C unit tests (TAP), then the bats suites — and ends with one
# summary line "N passed, N failed[, N skipped]". Exits non-zero when any test failed.
# Arguments, when given, are bats files or unit test names to run instead of all.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
export DK_BIN="$top/$BUILD/bin"
export DK_TOP="$top"
export PATH="$DK_BIN:$PATH"

passed=0 failed=0 skipped=0
failures=()

# Reads TAP on stdin, echoes it, and counts into the totals.
count_tap() {
    local suite=$1 line
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case "$line" in
        "not ok "*"# skip"* | "not ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
        "ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
        "not ok "*"# TODO"*) ;;
        "ok "*) passed=$((passed + 1)) ;;
        "not ok "*)
            failed=$((failed + 1))
            failures+=("$suite: ${line#not ok }")
            ;;
        esac
    done
}

units=() batsfiles=()
if [ $# -gt 0 ]; then
    for a in "$@"; do
        case "$a" in
        *.bats) batsfiles+=("$a") ;;
        *) units+=("$BUILD/tests/$a") ;;
        esac
    done
else
    for t in "$BUILD"/tests/t-*; do [ -x "$t" ] && units+=("$t"); done
    for b in tests/bats/*.bats; do [ -f "$b" ] && batsfiles+=("$b"); done
fi

for t in "${units[@]}"; do
    name=$(basename "$t")
    echo "# unit: $name"
    out=$(mktemp)
    "$t" >"$out" 2>&1
    rc=$?
    count_tap "$name" <"$out"
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
        failed=$((failed + 1))
        failures+=("$name: exited $rc")
        echo "not ok - $name exited $rc"
    fi
    rm -f "$out"
done

if [ ${#batsfiles[@]} -gt 0 ]; then
    for b in "${batsfiles[@]}"; do
        echo "# bats: $b"
        out=$(mktemp)
        bats --tap "$b" >"$out" 2>&1
        rc=$?
        count_tap "$(basename "$b")" <"$out"
        if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
            failed=$((failed + 1))
            failures+=("$(basename "$b"): bats exited $rc")
        fi
        rm -f "$out"
    done
fi

if [ ${#failures[@]} -gt 0 ]; then
    echo "# failed:"
    printf '#   %s\n' "${failures[@]}"
fi
if [ $skipped -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
