#!/usr/bin/env bash
# dk-push copy vs skopeo copy, in the same run, on the same images and registries.
#
# Images: 5 layers of 20 MB random data, and 40 small layers (16 kB). Cases: between two
# registries, and within one (a different repository of the same registry). Every repetition
# copies into an empty destination — a registry started fresh for it — because skopeo
# remembers where blobs live and would mount them on later repetitions. REPS repetitions
# (default 5); the median wall time and the peak RSS (GNU time) are reported. The section
# between the markers in docs/benchmarks.md is rewritten.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
REPS=${REPS:-5}
export PATH="$top/$BUILD/bin:$PATH"
# shellcheck source=SCRIPTDIR/../tests/helpers/registry.bash
source "$top/tests/helpers/registry.bash"
# shellcheck source=SCRIPTDIR/lib.sh
source "$top/bench/lib.sh"

work=$(mktemp -d)
export DOCKER_CONFIG="$work/docker"
trap 'registry_stop_all; rm -rf "$work"' EXIT

"$top/tests/helpers/mkimage" "$work/big" --tag v1 --layers 5 --layer-size 20000000 \
    --gzip-level 1 --seed 101 >/dev/null
"$top/tests/helpers/mkimage" "$work/small" --tag v1 --layers 40 --layer-size 16000 \
    --seed 102 >/dev/null

# measure TOOL IMAGE MODE -> "seconds kB cpu-seconds" of one copy into an empty destination
measure() {
    local tool=$1 image=$2 mode=$3 src dst out
    registry_start bsrc plain >/dev/null
    skopeo copy -q --dest-tls-verify=false "oci:$work/$image:v1" "docker://$BSRC_HOST/src/app:v1"
    src="$BSRC_HOST/src/app:v1"
    if [ "$mode" = across ]; then
        registry_start bdst plain >/dev/null
        dst="$BDST_HOST/dst/app:v1"
    else
        dst="$BSRC_HOST/dst/app:v1"
    fi
    out="$work/time.$$"
    if [ "$tool" = dk ]; then
        /usr/bin/time -f '%e %M %U %S' -o "$out" dk-push copy --quiet "$src" "$dst" >/dev/null
    else
        /usr/bin/time -f '%e %M %U %S' -o "$out" skopeo copy -q --src-tls-verify=false \
            --dest-tls-verify=false "docker://$src" "docker://$dst" >/dev/null
    fi
    registry_stop bsrc
    [ "$mode" = across ] && registry_stop bdst
    awk '{print $1, $2, $3 + $4}' "$out"
}


rows=()
for image in big small; do
    for mode in across within; do
        dk_t=() sk_t=() dk_m=() sk_m=() dk_c=() sk_c=()
        for _ in $(seq 1 "$REPS"); do
            read -r t m c < <(measure dk "$image" "$mode")
            dk_t+=("$t") dk_m+=("$m") dk_c+=("$c")
            read -r t m c < <(measure skopeo "$image" "$mode")
            sk_t+=("$t") sk_m+=("$m") sk_c+=("$c")
        done
        dt=$(printf '%s\n' "${dk_t[@]}" | median)
        st=$(printf '%s\n' "${sk_t[@]}" | median)
        dc=$(printf '%s\n' "${dk_c[@]}" | median)
        sc=$(printf '%s\n' "${sk_c[@]}" | median)
        dm=$(printf '%s\n' "${dk_m[@]}" | sort -n | tail -1)
        sm=$(printf '%s\n' "${sk_m[@]}" | sort -n | tail -1)
        label="5 × 20 MB layers"
        [ "$image" = small ] && label="40 × 16 kB layers"
        where="two registries"
        [ "$mode" = within ] && where="one registry (mount)"
        rows+=("$(awk -v l="$label" -v w="$where" -v dt="$dt" -v st="$st" -v dm="$dm" -v sm="$sm" -v dc="$dc" -v sc="$sc" \
            'BEGIN { printf "| %s | %s | %.2f s | %.2f s | **%.1fx** | %.2f s | %.2f s | %s | %.1f MB | %.1f MB | **%.2f** |", l, w, dt, st, (dt > 0 ? st / dt : 0), dc, sc, (dc >= 0.005 ? sprintf("**%.1fx**", sc / dc) : "— (dk < 0.01 s)"), dm / 1024, sm / 1024, dm / sm }')")
        echo "${rows[-1]}" >&2
    done
done

section=$(
    cat <<EOT
<!-- bench-copy:start -->
## dk-push copy vs skopeo copy

\`bench/bench-copy.sh\`, $(date -u +%Y-%m-%d), $(nproc) cores, docker-registry $(dpkg-query -W -f='${Version}' docker-registry 2>/dev/null),
skopeo $(skopeo --version | awk '{print $3}'), median of $REPS repetitions, each into an empty
destination registry on 127.0.0.1. Speed-up = skopeo wall time / dk wall time; CPU = user +
system time of the client alone (the registries not counted), ratio = skopeo / dk; RSS ratio =
dk peak RSS / skopeo peak RSS (lower is better). Targets: speed-up ≥ 1.5x across registries,
RSS ratio < 0.33.

| image | between | dk-push | skopeo | speed-up | dk CPU | skopeo CPU | CPU ratio | dk RSS | skopeo RSS | RSS ratio |
|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
<!-- bench-copy:end -->
EOT
)
bench_write_section bench-copy "$section"
