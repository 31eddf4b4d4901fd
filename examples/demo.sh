#!/usr/bin/env bash
# make demo: dk's main job end to end on local defaults.
#
# Starts a local registry (Debian's docker-registry on a free 127.0.0.1 port, in a temporary
# directory), makes a small base image from Debian's busybox-static, builds the seed example
# (examples/myapp) with dk-tag and dk-build, copies, tags, lists and inspects it with dk-push,
# exports it to an archive, renders its .helm chart with the image built (dk-deploy render),
# and prints the pipeline document. Everything it starts is stopped
# at the end, whatever happens.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export PATH="$top/$BUILD/bin:$PATH"
# shellcheck source=../tests/helpers/registry.bash
source "$top/tests/helpers/registry.bash"
DK_TOP=$top
# shellcheck source=../tests/bats/helpers-dk.bash
source "$top/tests/bats/helpers-dk.bash"

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
dk-push copy "oci:$work/base:1.0" "$DEMO_HOST/demo/base:1.0" >/dev/null

step "a stand-in for the 'node' base image (busybox with npm and node scripts)"
push_node_base "$DEMO_HOST"

step "the seed example (examples/myapp) in a git repository, FROM pointed at the local base"
cp -r "$top/examples/myapp" "$work/myapp"
sed -i "s|^FROM node|FROM $DEMO_HOST/node:1|" "$work/myapp/Dockerfile"
git_init "$work/myapp"
git_commit "$work/myapp" "myapp"
export DK_BUILDAH_ROOT="$work/buildah/root" DK_BUILDAH_RUNROOT="$work/buildah/run"
export DK_STORAGE_DRIVER=vfs DK_ISOLATION=chroot

step "dk-tag: the content digest, from the commit"
dk-tag -C "$work/myapp" --explain myapp >"$work/doc.json"

step "dk-build: build and push under the content tag"
dk-build -C "$work/myapp" --repo "$DEMO_HOST/mybundle" <"$work/doc.json" >"$work/doc2.json"

step "dk-build again: everything is in the registry, nothing to build"
dk-build -C "$work/myapp" --repo "$DEMO_HOST/mybundle" <"$work/doc2.json" >"$work/doc3.json"
ref=$(jq -r .images.myapp.ref "$work/doc3.json")

step "dk-push publish: the image under a stable name (werf export)"
dk-push publish --tag "$DEMO_HOST/export/%image%:latest" <"$work/doc3.json" >"$work/doc4.json"

step "dk-push copy within the registry (blobs are mounted, not copied)"
dk-push copy "$ref" "$DEMO_HOST/demo/app:1.0" <"$work/doc4.json" >"$work/doc5.json"

step "dk-push tag: more tags for the same image"
dk-push tag "$DEMO_HOST/demo/app:1.0" latest stable <"$work/doc5.json" >"$work/doc6.json"

step "dk-push ls and catalog"
dk-push ls "$DEMO_HOST/demo/app" | jq -c '.push'
dk-push catalog "$DEMO_HOST" | jq -c '.push'

step "dk-push inspect"
dk-push inspect "$DEMO_HOST/demo/app:stable" |
    jq '{digest: .push.digest, cmd: .push.config.config.Cmd, labels: .push.config.config.Labels}'

step "dk-push copy to an OCI archive for an air-gapped site"
dk-push copy "$DEMO_HOST/demo/app:stable" "oci-archive:$work/app.tar.gz:app" <"$work/doc6.json" >"$work/doc7.json"
ls -l "$work/app.tar.gz" >&2

step "dk-deploy render: the .helm chart with the image just built (helm template, without helm)"
dk-deploy render -C "$work/myapp" --namespace demo <"$work/doc7.json"
dk-deploy render -C "$work/myapp" --namespace demo --output-document <"$work/doc7.json" >"$work/doc8.json"

step "the pipeline document"
jq 'del(.render.manifests[].yaml)' "$work/doc8.json"
