#!/usr/bin/env bash
# dk-build: (a) a warm run over 10 images that are all in the registry already, (b) the cold
# build overhead of dk-build over plain `buildah bud` + `buildah push`, in the same run, on the
# same registry.
#
# (a) A project with 10 images, each `FROM <registry>/busybox:1` + `COPY imgNN.txt`. They are
#     built once (cold, not measured); then REPS runs of dk-build, each with a fresh, empty
#     buildah storage, find every image under its content tag and build nothing. Median wall
#     time and the registry requests dk-build counted (DK_STATS=1).
# (b) One image (busybox base, COPY of a small tree, RUN, CMD) built from scratch REPS times
#     each way, interleaved, each repetition with a fresh buildah storage and into an empty
#     repository: `dk-build --repo REG/coldN` vs `buildah bud -t IMG ctx && buildah push IMG
#     docker://REG/plainN:tag` (vfs storage, chroot isolation, both pulling the base from the
#     same local registry), and dk-build once more with DK_SETTLE_MS=0 to show what its settle
#     wait costs. Repetition I of each starts at the same fraction of a second (see at_phase).
#     Medians and the overhead of dk-build.
# Everything runs on 127.0.0.1, one Debian docker-registry. The section between the markers in
# docs/benchmarks.md is rewritten.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
REPS=${REPS:-5}
export PATH="$top/$BUILD/bin:$PATH"
# shellcheck source-path=SCRIPTDIR source=../tests/helpers/registry.bash disable=SC1091
source "$top/tests/helpers/registry.bash"
# shellcheck source=SCRIPTDIR/lib.sh
source "$top/bench/lib.sh"

for c in buildah docker-registry skopeo jq git; do
    command -v "$c" >/dev/null || {
        echo "bench-build: $c is not installed, skipped" >&2
        exit 0
    }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-build.XXXXXX")
cleanup() {
    registry_stop_all
    rm -rf "$work"
}
trap cleanup EXIT
# An empty Docker config: nothing of the machine's leaks in. buildah refuses a DOCKER_CONFIG or
# REGISTRY_AUTH_FILE that names a missing file, so plain buildah runs without them (dk-build
# drops them itself for its buildah children).
export DOCKER_CONFIG="$work/docker"
mkdir -p "$DOCKER_CONFIG"
unset REGISTRY_AUTH_FILE DOCKER_AUTH_CONFIG DK_USERNAME DK_PASSWORD DK_REPO
export XDG_RUNTIME_DIR="$work/xdg"
mkdir -p "$XDG_RUNTIME_DIR"
export DK_STORAGE_DRIVER=vfs DK_ISOLATION=chroot DK_NO_PROGRESS=1

registry_start breg plain >/dev/null
REG=$BREG_HOST
push_test_image "$REG/busybox:1" --busybox >/dev/null

git_commit_all() {
    git -C "$1" add -A
    git -C "$1" -c user.name=bench -c user.email=bench@dk -c commit.gpgsign=false \
        commit -q -m "${2:-bench}"
}

# storage N -> sets DK_BUILDAH_ROOT / DK_BUILDAH_RUNROOT to a fresh, empty buildah storage
storage() {
    local d="$work/storage/$1"
    export DK_BUILDAH_ROOT="$d/root" DK_BUILDAH_RUNROOT="$d/run"
}
# drop_storage -> removes the current storage (vfs: plain directories)
drop_storage() {
    local d
    d=$(dirname "$DK_BUILDAH_ROOT")
    if [ -d "$DK_BUILDAH_ROOT" ]; then
        env -u DOCKER_CONFIG buildah --root "$DK_BUILDAH_ROOT" --runroot "$DK_BUILDAH_RUNROOT" \
            --storage-driver vfs rm -a >/dev/null 2>&1 || true
    fi
    rm -rf "$d"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f\n", b - a}'; }
# at_phase I -> sleeps until the wall clock is at fraction (I - 0.5) / REPS of a second. buildah's
# vfs driver sleeps, after computing a layer diff, until the next whole second after the diff
# began (containers/storage drivers/fsdiff.go, NaiveDiffDriver.Diff), so a cold build's time
# depends on where in the second it starts. Repetition I of every variant starts at the same
# phase, and the phases are spread evenly over the second, so no variant is favoured by when
# the previous one happened to finish.
at_phase() {
    local w
    w=$(awk -v i="$1" -v n="$REPS" -v now="$(date +%s.%N)" \
        'BEGIN { f = (i - 0.5) / n; w = int(now) + 1 + f - now; if (w > 1) w -= 1; printf "%.3f", w }')
    sleep "$w"
}
# requests FILE -> the count of the "stats: N registry requests" line
requests() { sed -n 's/.*stats: \([0-9]*\) registry requests.*/\1/p' "$1" | tail -1; }

# --- (a) warm: 10 images, all in the registry ----------------------------------------------
warm="$work/warm"
mkdir -p "$warm"
git -C "$warm" init -q -b main
printf 'project: warm\nconfigVersion: 1\n' >"$warm/werf.yaml"
for n in $(seq -w 1 10); do
    printf -- '---\nimage: img%s\ndockerfile: img%s.Dockerfile\n' "$n" "$n" >>"$warm/werf.yaml"
    printf 'FROM %s/busybox:1\nCOPY img%s.txt /img%s.txt\n' "$REG" "$n" "$n" >"$warm/img$n.Dockerfile"
    echo "image $n" >"$warm/img$n.txt"
done
git_commit_all "$warm"
WARM_REPO="$REG/bench/warm"

storage warm-cold
if ! dk-build -C "$warm" --repo "$WARM_REPO" </dev/null >"$work/warm-cold.json" 2>"$work/warm-cold.err"; then
    cat "$work/warm-cold.err" >&2
    exit 1
fi
[ "$(jq '[.images[] | select(.built == true)] | length' "$work/warm-cold.json")" = 10 ] || {
    echo "bench-build: the cold build did not build 10 images" >&2
    exit 1
}
drop_storage

warm_t=() warm_r=()
for i in $(seq 1 "$REPS"); do
    storage "warm$i"
    a=$(now)
    DK_STATS=1 dk-build -C "$warm" --repo "$WARM_REPO" </dev/null >"$work/warm.json" 2>"$work/warm.err" || {
        cat "$work/warm.err" >&2
        exit 1
    }
    b=$(now)
    built=$(jq '[.images[] | select(.built != false)] | length' "$work/warm.json")
    [ "$built" = 0 ] || {
        echo "bench-build: a warm run built $built images" >&2
        exit 1
    }
    # nothing was built, so nothing may have touched the storage
    [ ! -e "$DK_BUILDAH_ROOT" ] || [ -z "$(ls -A "$DK_BUILDAH_ROOT")" ] || echo "bench-build: warm run $i wrote to buildah storage" >&2
    warm_t+=("$(elapsed "$a" "$b")")
    warm_r+=("$(requests "$work/warm.err")")
    echo "bench-build: warm $i: ${warm_t[-1]} s, ${warm_r[-1]} registry requests" >&2
    drop_storage
done
wt=$(printf '%s\n' "${warm_t[@]}" | median)
wr=$(printf '%s\n' "${warm_r[@]}" | median)

# --- (b) cold: one image, dk-build vs buildah bud + push -----------------------------------
cold="$work/cold"
mkdir -p "$cold/app/lib"
git -C "$cold" init -q -b main
printf 'project: cold\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n' >"$cold/werf.yaml"
cat >"$cold/Dockerfile" <<EOT
FROM $REG/busybox:1
WORKDIR /app
COPY app/ /app/
RUN ls -lR /app > /app/listing.txt && wc -c /app/lib/* > /app/sizes.txt
CMD ["/bin/sh"]
EOT
python3 - "$cold/app/lib" <<'PY'
import base64, random, sys
rng = random.Random(7)
for n in range(1, 21):
    with open(f"{sys.argv[1]}/part{n:02d}.txt", "wb") as f:
        f.write(base64.encodebytes(rng.randbytes(50000)))
PY
echo 'echo hello' >"$cold/app/run.sh"
git_commit_all "$cold"
# the same files for plain buildah, without .git and werf.yaml
ctx="$work/cold-ctx"
mkdir -p "$ctx"
git -C "$cold" archive HEAD Dockerfile app | tar -x -C "$ctx"

plain_build() { # N
    local bh=(env -u DOCKER_CONFIG buildah --root "$DK_BUILDAH_ROOT" --runroot "$DK_BUILDAH_RUNROOT" --storage-driver vfs)
    "${bh[@]}" bud --isolation chroot --tls-verify=false -q -t "localhost/plain$1:bench" "$ctx" &&
        "${bh[@]}" push --tls-verify=false -q "localhost/plain$1:bench" "docker://$REG/bench/plain$1:bench"
}

# dk_cold I NAME REPO [env...] -> "seconds requests" of one dk-build from scratch, started at
# phase I
dk_cold() {
    local i=$1 name=$2 repo=$3 a b
    shift 3
    storage "$name"
    at_phase "$i"
    a=$(now)
    env DK_STATS=1 "$@" dk-build -C "$cold" --repo "$repo" </dev/null >"$work/cold.json" 2>"$work/cold.err" || {
        cat "$work/cold.err" >&2
        return 1
    }
    b=$(now)
    drop_storage
    [ "$(jq -r .images.app.built "$work/cold.json")" = true ] || {
        echo "bench-build: dk-build into $repo did not build" >&2
        return 1
    }
    echo "$(elapsed "$a" "$b") $(requests "$work/cold.err")"
}

dk_t=() pl_t=() dk_r=() d0_t=()
for i in $(seq 1 "$REPS"); do
    read -r t r < <(dk_cold "$i" "dk$i" "$REG/bench/cold$i") || exit 1
    dk_t+=("$t") dk_r+=("$r")

    storage "plain$i"
    at_phase "$i"
    a=$(now)
    plain_build "$i" >"$work/plain.out" 2>&1 || {
        cat "$work/plain.out" >&2
        exit 1
    }
    b=$(now)
    pl_t+=("$(elapsed "$a" "$b")")
    drop_storage

    # the same without the settle wait before the final tag listing (DK_SETTLE_MS)
    read -r t r < <(dk_cold "$i" "nosettle$i" "$REG/bench/nosettle$i" DK_SETTLE_MS=0) || exit 1
    d0_t+=("$t")
    echo "bench-build: cold $i: dk-build ${dk_t[-1]} s (${dk_r[-1]} requests), buildah ${pl_t[-1]} s, dk-build with DK_SETTLE_MS=0 ${d0_t[-1]} s" >&2
done
dt=$(printf '%s\n' "${dk_t[@]}" | median)
pt=$(printf '%s\n' "${pl_t[@]}" | median)
dr=$(printf '%s\n' "${dk_r[@]}" | median)
d0=$(printf '%s\n' "${d0_t[@]}" | median)

row_a=$(awk -v t="$wt" -v r="$wr" 'BEGIN { printf "| warm: 10 images, all in the registry, empty storage | %.3f s | %d | — | — | target < 0.5 s: **%s** |", t, r, (t < 0.5 ? "met" : "missed") }')
row_b=$(awk -v d="$dt" -v p="$pt" -v r="$dr" 'BEGIN { o = (d / p - 1) * 100; printf "| cold: 1 image, empty storage and repository | %.2f s | %d | %.2f s | **%+.0f %%** | target < 10 %%: **%s** |", d, r, p, o, (o < 10 ? "met" : "missed") }')
row_c=$(awk -v d="$d0" -v p="$pt" -v r="$dr" 'BEGIN { o = (d / p - 1) * 100; printf "| cold, `DK_SETTLE_MS=0` (no settle wait) | %.2f s | %d | %.2f s | **%+.0f %%** | |", d, r, p, o }')
echo "$row_a" >&2
echo "$row_b" >&2
echo "$row_c" >&2

# What was seen when this script was written; kept with the figures it explains.
reading=$(
    cat <<'EOT'
### Reading the dk-build figures

- **Warm runs are far inside the target.** With `-v`, the registry part of a warm run takes
  about 20 ms: 2 requests to find the registry's scheme (HTTPS is tried first on 127.0.0.1 and
  fails, then HTTP, as Docker does), one tag listing, and for each image a `HEAD` of the
  manifest. The tags of
  `--repo` are listed once for all lookups (13 requests for 10 images; it was 22 when every
  image listed them again).
  The rest is the start-up and content digests that dk-tag also pays (see above).
- **The cold target of 10 % is missed because of the settle wait.** After pushing its tag
  dk-build waits before listing the tags again, so that a competing runner's older tag is
  seen: four times what its own tag request took, at least 300 ms (on loopback always the
  floor). A fixed 500 ms cost +54 %; a 100 ms floor measured +8 % and +21 % (the vfs noise
  below decides each run) but let four runners under heavy load (the ASan suite beside other
  builds) report two different tags once, so the floor went back up to 300 ms. The run
  without any wait (`DK_SETTLE_MS=0`) shows what dk-build itself adds. Without it (`DK_SETTLE_MS=0`) what is left is
  about 70 ms before buildah starts (content digest, registry probe, exporting the context from
  git) and 80–100 ms after it (dk's upload of config and layers, manifest, tag and final
  listing), measured with `strace -e execve` and `-v`; buildah pushing into an OCI layout for dk
  costs about what pushing to the registry costs plain buildah.
- **buildah's vfs driver makes cold times jump by whole seconds.** After computing a layer diff
  it sleeps until the next full second after the diff began (containers/storage
  `drivers/fsdiff.go`, `NaiveDiffDriver.Diff`; caught with SIGQUIT stack dumps of `buildah bud`:
  `time.Sleep` ← `NaiveDiffDriver.Diff.func3` ← `containerImageRef.NewImageSource`). The same
  build takes anything from 1.2 to 2.0 s here depending on where in the second it started, and
  a few tens of milliseconds of extra work before the commit can cost almost a whole second. Run back to
  back, each build starts where the previous one's sleep ended, which once made dk-build look
  +75 % slower. So repetition i of every variant starts at the same fraction (i − ½)/REPS of a
  second, spread evenly over the second; the medians still carry ±0.1 s of this quantisation,
  which is as much as the target. Measured by hand with the overlay driver, which has no such
  sleep (4 runs each, DK_SETTLE_MS=0): buildah bud + push 0.66–0.98 s, dk-build 0.85–1.08 s,
  means 0.84 s and 0.95 s (+14 %).
EOT
)
section="<!-- bench-build:start -->
## dk-build: warm runs and cold build overhead

\`bench/bench-build.sh\`, $(date -u +%Y-%m-%d), $(nproc) cores, docker-registry $(dpkg-query -W -f='${Version}' docker-registry 2>/dev/null),
buildah $(buildah --version | awk '{print $3}'), vfs storage, chroot isolation, median of $REPS repetitions on
127.0.0.1. Warm: a project of 10 images (\`FROM busybox\` + one \`COPY\` each) built once, then
dk-build run with a fresh, empty buildah storage each time; every image is found under its
content tag and nothing is built. Cold: one image (\`FROM busybox\`, \`COPY\` of 1.3 MB in 21
files, \`RUN\`), built from scratch each time — fresh buildah storage, empty repository — by
\`dk-build\` and by \`buildah bud\` + \`buildah push\`, interleaved, repetition i of each started at
the same fraction of a second (see below). Requests = HTTP requests dk-build made to the registry
(\`DK_STATS=1\`; the base-image pulls of its buildah child are not counted). Overhead =
dk-build / buildah − 1. Targets: warm < 0.5 s, cold overhead < 10 %.

| case | dk-build | requests | buildah bud + push | overhead | |
|---|---|---|---|---|---|
$row_a
$row_b
$row_c

$reading
<!-- bench-build:end -->"
bench_write_section bench-build "$section"
