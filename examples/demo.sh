#!/usr/bin/env bash
# make demo: dk's main job end to end on local defaults.
#
# Starts a local registry (Debian's docker-registry on a free 127.0.0.1 port, in a temporary
# directory), makes a small base image from Debian's busybox-static, copies and tags it with
# dk-push, lists and inspects it, and prints the pipeline document. Everything it starts is
# stopped at the end, whatever happens.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export PATH="$top/$BUILD/bin:$PATH"
# shellcheck source=../tests/helpers/registry.bash
source "$top/tests/helpers/registry.bash"

work=$(mktemp -d)
export DOCKER_CONFIG="$work/docker"
trap 'registry_stop_all; rm -rf "$work"' EXIT

step() { if [ -t 2 ]; then printf "\n\033[1m== %s\033[0m\n" "$*" >&2; else printf "\n== %s\n" "$*" >&2; fi; }

step "start a local registry"
registry_start demo plain
echo "registry: $DEMO_HOST" >&2

step "make a small base image from busybox-static (an OCI layout)"
"$top/tests/helpers/mkimage" "$work/base" --tag 1.0 --busybox \
    --label org.opencontainers.image.title=demo-base >/dev/null
echo "image layout: $work/base" >&2

step "dk-push copy: the layout into the registry"
dk-push copy "oci:$work/base:1.0" "$DEMO_HOST/demo/base:1.0" >"$work/doc.json"

step "dk-push copy within the registry (blobs are mounted, not copied)"
dk-push copy "$DEMO_HOST/demo/base:1.0" "$DEMO_HOST/demo/app:1.0" <"$work/doc.json" >"$work/doc2.json"

step "dk-push tag: more tags for the same image"
dk-push tag "$DEMO_HOST/demo/app:1.0" latest stable <"$work/doc2.json" >"$work/doc3.json"

step "dk-push ls and catalog"
dk-push ls "$DEMO_HOST/demo/app" | jq -c '.push'
dk-push catalog "$DEMO_HOST/demo" | jq -c '.push'

step "dk-push inspect"
dk-push inspect "$DEMO_HOST/demo/app:stable" |
    jq '{digest: .push.digest, labels: .push.config.config.Labels, layers: (.push.manifest.layers | length)}'

step "dk-push copy to an OCI archive for an air-gapped site"
dk-push copy "$DEMO_HOST/demo/app:stable" "oci-archive:$work/app.tar.gz:app" <"$work/doc3.json" >"$work/doc4.json"
ls -l "$work/app.tar.gz" >&2

step "the pipeline document"
jq . "$work/doc4.json"
