# shellcheck shell=bash
# What the benchmark scripts share: the median of numbers on stdin, and rewriting a script's
# own marked section of docs/benchmarks.md.

# median — the median of the numbers on standard input, one per line.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench_write_section NAME TEXT — replaces <!-- NAME:start --> … <!-- NAME:end --> in
# docs/benchmarks.md with TEXT (which carries the markers), or appends it.
bench_write_section() {
    local name=$1 section=$2 doc
    doc="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/docs/benchmarks.md"
    [ -f "$doc" ] || printf '# Benchmarks\n\nEvery figure here is written by a script in bench/ (make bench): dk and its peer in the same run, on the same machine, reported as ratios.\n' >"$doc"
    python3 - "$doc" "$name" "$section" <<'PY'
import re, sys
path, name, section = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
pat = re.compile(r"<!-- %s:start -->.*?<!-- %s:end -->" % (re.escape(name), re.escape(name)), re.S)
text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
    echo "updated $doc" >&2
}
