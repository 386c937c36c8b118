#!/usr/bin/env bash
# Run by `pnpm test` before the suite: the tests talk to the machine's real PostgreSQL and Redis and,
# end to end, to a real Distribution registry pushed to with skopeo; the API reference page is opened in
# a real Chromium; the images of docker/Dockerfile run in podman. On a node-svc machine this installs
# what is missing (Debian packages; we run as root there), starts a service that is down, and builds
# the images (scripts/containers/build-images.sh; HOOKYARD_IMAGES_READY=1 skips that when the caller
# has just built them, as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v openssl >/dev/null || missing+=(openssl) # certificates for the HTTPS receivers
command -v tinyproxy >/dev/null || missing+=(tinyproxy) # the egress proxy of tests/egress-proxy.test.ts
command -v kubectl >/dev/null || missing+=(kubectl) # renders deploy/kubernetes (kustomize)
command -v pg_isready >/dev/null || missing+=(postgresql-client)
# tests/openapi.test.ts renders the API reference in headless Chromium (playwright-core drives it).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# tests/containers.test.ts: podman builds and runs the images (no Docker engine runs here), with runc
# (crun 1.8 fails on these hosts' cgroups) and catatonit (the pause process of podman's pods);
# mmdebstrap makes the Debian root of the stand-in base images (scripts/containers/base-image.sh).
# No recommends: buildah, slirp4netns, uidmap and fuse-overlayfs are for rootless podman, not needed as root.
container_tools=()
command -v podman >/dev/null || container_tools+=(podman)
command -v runc >/dev/null || container_tools+=(runc)
command -v catatonit >/dev/null || container_tools+=(catatonit)
command -v mmdebstrap >/dev/null || container_tools+=(mmdebstrap)
# tests/alerts.test.ts: promtool checks deploy/prometheus, and a Prometheus scrapes the apps. Its
# recommends would add node-exporter and 20 hardware tools.
command -v promtool >/dev/null || container_tools+=(prometheus)
if ((${#missing[@]} + ${#container_tools[@]})); then
  echo "test prerequisites: installing ${missing[*]} ${container_tools[*]} (Debian packages)"
  apt-get update -qq
  if ((${#missing[@]})); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ((${#container_tools[@]})); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${container_tools[@]}" >/dev/null
  fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "test prerequisites: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "test prerequisites: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }

# The images tests/containers.test.ts runs. A failed build does not stop the suite: build-images.sh
# leaves .tmp/containers/build-failed, and the container tests fail with what it says.
if [[ "${HOOKYARD_IMAGES_READY:-}" != 1 ]]; then
  bash scripts/containers/build-images.sh ||
    echo "test prerequisites: building the images failed; tests/containers.test.ts will fail (.tmp/containers/)" >&2
fi
