#!/bin/sh
# Builds the template engine's fuzz target (fuzz/fuzz-tmpl.c) and fuzzes it for FUZZ_SECONDS
# (default 180). Exits 1 when an input crashes, leaks or hits undefined behaviour; the input
# is left in $BUILD/fuzz/ and its path printed. Run through `make fuzz`.
#
# With clang and its libFuzzer (installed with apt-get when missing): libFuzzer under ASan
# and UBSan, its corpus in $BUILD/fuzz/corpus seeded from fuzz/corpus. Without: the
# standalone driver (-DDK_FUZZ_MAIN) built with $CC and sanitizers, mutating the seeds.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-180}
out=$BUILD/fuzz
pkgs="libcurl libgit2 libcjson yaml-0.1 openssl zlib"
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
mkdir -p "$out"

has_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
        'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
        >"$out/probe.c"
    clang -fsanitize=fuzzer -o "$out/probe" "$out/probe.c" >/dev/null 2>&1
}

if ! has_libfuzzer && ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: installing clang" >&2
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    if $SUDO true 2>/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq >/dev/null || true
        $SUDO apt-get install -y -qq --no-install-recommends clang >/dev/null ||
            echo "fuzz: cannot install clang" >&2
    fi
fi

# The library with the fuzzer's instrumentation, through the Makefile's own rules. -Wno-error:
# clang's warnings may differ from gcc's, which the normal build checks.
if has_libfuzzer; then
    mode=libfuzzer
    cc=clang
    cflags="-O1 -g -Wno-error -fsanitize=fuzzer-no-link $san"
    ldflags="-fsanitize=fuzzer $san"
else
    mode=standalone
    cc=${CC:-cc}
    cflags="-O1 -g -Wno-error $san"
    ldflags="$san"
    echo "fuzz: no libFuzzer: using the standalone driver" >&2
fi
make --no-print-directory -s BUILD="$out/obj-$mode" CC="$cc" CFLAGS="$cflags" \
    "$out/obj-$mode/libdk.a"
bin=$out/fuzz-tmpl-$mode
# shellcheck disable=SC2046,SC2086
$cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $cflags -Icommon/include \
    $(pkg-config --cflags $pkgs) $([ $mode = standalone ] && echo -DDK_FUZZ_MAIN) \
    -o "$bin" fuzz/fuzz-tmpl.c "$out/obj-$mode/libdk.a" $ldflags $(pkg-config --libs $pkgs) \
    -lpthread -lm

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "fuzz: $mode, $FUZZ_SECONDS s" >&2
if [ $mode = libfuzzer ]; then
    mkdir -p "$out/corpus"
    if ! "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 -dict=fuzz/tmpl.dict -artifact_prefix="$out/" \
        "$out/corpus" fuzz/corpus; then
        echo "fuzz: FAILED: the input is in $out/ (crash-*, leak-*, timeout-*, oom-*)" >&2
        exit 1
    fi
else
    last=$out/last-input
    if ! FUZZ_LAST=$last "$bin" -t "$FUZZ_SECONDS" fuzz/corpus; then
        crash=$out/crash-$(date +%Y%m%d%H%M%S)
        cp "$last" "$crash" 2>/dev/null || true
        echo "fuzz: FAILED: the input is $crash" >&2
        exit 1
    fi
fi
echo "fuzz: no crash in $FUZZ_SECONDS s" >&2
