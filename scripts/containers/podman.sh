# Sourced by the scripts in scripts/containers/: podman with this repository's settings.
# shellcheck shell=bash
CONTAINERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CONTAINERS_DIR/../.." && pwd)"
export CONTAINERS_CONF="$CONTAINERS_DIR/containers.conf"

# The base images docker/Dockerfile names; here local stand-ins (base-image.sh) carry those names.
BASE_IMAGE="docker.io/library/node:24-bookworm-slim"
DEBIAN_BASE_IMAGE="docker.io/library/debian:bookworm-slim"
# The images build-images.sh makes (and tests/containers.test.ts runs).
IMAGE_TAG="${HOOKYARD_IMAGE_TAG:-local}"
IMAGE_API="localhost/hookyard-api:$IMAGE_TAG"
IMAGE_WORKER="localhost/hookyard-worker:$IMAGE_TAG"
IMAGE_MIGRATE="localhost/hookyard-migrate:$IMAGE_TAG"

need() {
  command -v "$1" >/dev/null || { echo "$1 is missing: run scripts/containers/install-tools.sh" >&2; exit 1; }
}

# Bytes of an image as podman counts them (all its layers, uncompressed).
image_size() { podman image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }
