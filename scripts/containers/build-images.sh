#!/usr/bin/env bash
# Builds Hookyard's three images from docker/Dockerfile with podman, as Docker would build them:
#   localhost/hookyard-api:local  localhost/hookyard-worker:local  localhost/hookyard-migrate:local
# (HOOKYARD_IMAGE_TAG changes `local`). The base images come from base-image.sh (local stand-ins of
# node:24-bookworm-slim and debian:bookworm-slim under names of their own, made first if missing),
# given to the Dockerfile as its NODE_IMAGE and DEBIAN_IMAGE build arguments. tests/containers.test.ts
# runs what this builds; scripts/test-prerequisites.sh calls this (so `pnpm test` and CI do).
#
# The three targets share the build stage: the first build fills podman's layer cache, the other
# two reuse it. This machine's pnpm store is mounted where the build stage's pnpm keeps its store, so
# `pnpm fetch` takes what is already there and adds what is not (as a BuildKit cache mount would;
# HOOKYARD_PNPM_STORE_MOUNT=0 turns that off). Everything else happens inside the build, on Node 24,
# exactly as with Docker: install, prisma generate, tsc, vite, pnpm deploy.
#
# Logs: .tmp/containers/build-<target>.log. On failure, .tmp/containers/build-failed says what failed
# (tests/containers.test.ts then fails with it) and the three tags are removed, so that no test runs
# an image of older sources.
#
# Settings this machine needs (docker/README.md, "Built and run in CI"): containers.conf (runc,
# host ulimits), --network host (the build stage reaches the npm registry), --format docker (OCI
# images have no HEALTHCHECK), --pull=never (no container registry can be reached).
set -euo pipefail
source "$(dirname "$0")/podman.sh"

context="${HOOKYARD_BUILD_CONTEXT:-$REPO_ROOT}"
logs="$REPO_ROOT/.tmp/containers"
failed="$logs/build-failed"
mkdir -p "$logs"
rm -f "$failed"
current="preparing"
on_exit() {
  local status=$?
  ((status == 0)) && return
  { echo "scripts/containers/build-images.sh failed while $current (exit $status)."
    [[ -n "${log:-}" && -f "${log:-}" ]] && { echo "Last lines of $log:"; tail -40 "$log"; }
  } >"$failed"
  command -v podman >/dev/null && podman untag "$IMAGE_API" "$IMAGE_WORKER" "$IMAGE_MIGRATE" 2>/dev/null || true
  cat "$failed" >&2
}
trap on_exit EXIT

need podman

current="making the base images"
log="$logs/base-image.log"
bash "$CONTAINERS_DIR/base-image.sh" 2>&1 | tee "$log"

mounts=()
if [[ "${HOOKYARD_PNPM_STORE_MOUNT:-1}" != 0 ]] && command -v pnpm >/dev/null; then
  store="$(cd "$REPO_ROOT" && pnpm store path 2>/dev/null || true)" # .../pnpm/store/v10
  if [[ -n "$store" ]]; then
    store="$(dirname "$store")"
    mkdir -p "$store"
    # Where pnpm, run as root in the build stage, keeps its store.
    mounts=(--volume "$store:/root/.local/share/pnpm/store")
  fi
fi

started=$SECONDS
for target in api worker migrate; do
  image="localhost/hookyard-$target:$IMAGE_TAG"
  log="$logs/build-$target.log"
  current="building $image"
  t0=$SECONDS
  if ! podman build --pull=never --format docker --network host --layers "${mounts[@]}" \
    --build-arg "NODE_IMAGE=$BASE_IMAGE" --build-arg "DEBIAN_IMAGE=$DEBIAN_BASE_IMAGE" \
    -f "$context/docker/Dockerfile" --target "$target" -t "$image" "$context" >"$log" 2>&1; then
    exit 1
  fi
  echo "images: $image $(mb "$(image_size "$image")") in $((SECONDS - t0)) s"
done
log=""
echo "images: built in $((SECONDS - started)) s (base images: node $(mb "$(image_size "$BASE_IMAGE")")," \
  "debian $(mb "$(image_size "$DEBIAN_BASE_IMAGE")"))"
