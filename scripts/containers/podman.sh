# Sourced by the scripts in scripts/containers/: podman with this repository's settings.
# shellcheck shell=bash
CONTAINERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CONTAINERS_DIR/../.." && pwd)"
export CONTAINERS_CONF="$CONTAINERS_DIR/containers.conf"

# The local stand-ins (base-image.sh) of docker/Dockerfile's two base images, node:24-bookworm-slim and
# debian:bookworm-slim, under names of their own, so that a developer's real images of those names stay
# as they are; build-images.sh hands them to the Dockerfile as its NODE_IMAGE and DEBIAN_IMAGE.
BASE_IMAGE="localhost/hookyard-base/node:24-bookworm-slim"
DEBIAN_BASE_IMAGE="localhost/hookyard-base/debian:bookworm-slim"
# The names base-image.sh gave them before; it removes such a tag where it still marks a stand-in.
OFFICIAL_NAMES=("docker.io/library/node:24-bookworm-slim" "docker.io/library/debian:bookworm-slim")
# The images build-images.sh makes (and tests/containers.test.ts runs).
IMAGE_TAG="${HOOKYARD_IMAGE_TAG:-local}"
IMAGE_API="localhost/hookyard-api:$IMAGE_TAG"
IMAGE_WORKER="localhost/hookyard-worker:$IMAGE_TAG"
IMAGE_MIGRATE="localhost/hookyard-migrate:$IMAGE_TAG"

need() {
  command -v "$1" >/dev/null || {
    echo "$1 is missing: scripts/test-prerequisites.sh installs it (apt-get install podman runc catatonit mmdebstrap)" >&2
    exit 1
  }
}

# Bytes of an image as podman counts them (all its layers, uncompressed).
image_size() { podman image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }
