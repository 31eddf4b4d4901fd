#!/usr/bin/env bash
# make bench: runs every benchmark and rewrites its section of docs/benchmarks.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
for b in "$top"/bench/bench-*.sh; do
    "$b"
done
