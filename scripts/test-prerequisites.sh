#!/usr/bin/env bash
# Run by `pnpm test` before the suite: the tests talk to the machine's real PostgreSQL and Redis and,
# end to end, to a real Distribution registry pushed to with skopeo; the API reference page is opened in
# a real Chromium; the images of docker/Dockerfile run in podman. On a node-svc machine this installs
# what is missing (Debian packages; we run as root there), starts a service that is down, and builds
# the images (scripts/containers/build-images.sh; HOOKYARD_IMAGES_READY=1 skips that when the caller
# has just built them, as .ci/run does). It installs only packages this machine's apt sources have
# (`apt-cache show`), and says what else the tests need. Starting PostgreSQL and Redis is for test
# machines: `pnpm start` never starts a service, it says how (scripts/service-trouble.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v openssl >/dev/null || missing+=(openssl) # certificates for the HTTPS receivers
command -v tinyproxy >/dev/null || missing+=(tinyproxy) # the egress proxy of tests/egress-proxy.test.ts
# tests/kubernetes-manifests.test.ts and tests/containers.test.ts render deploy/kubernetes with
# `kubectl kustomize` (kustomize 5). Debian has no kubectl (its kubernetes-client is 1.20, whose
# kustomize 2 cannot read these files): installed only where an apt source has it (Kubernetes' or
# Google Cloud's repository; this machine image's came from Google Cloud's), else said at the end.
command -v kubectl >/dev/null || missing+=(kubectl)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v pg_isready >/dev/null || missing+=(postgresql-client)
command -v redis-server >/dev/null || missing+=(redis-server)
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
unavailable=()
# Keeps in the named array only the packages the apt sources have; the others go to `unavailable`.
only_available() {
  local -n list=$1
  local have=() package
  for package in "${list[@]}"; do
    if apt-cache show "$package" >/dev/null 2>&1; then have+=("$package"); else unavailable+=("$package"); fi
  done
  list=("${have[@]}")
}
if ((${#missing[@]} + ${#container_tools[@]})); then
  apt-get update -qq
  only_available missing
  only_available container_tools
fi
if ((${#missing[@]} + ${#container_tools[@]})); then
  echo "test prerequisites: installing ${missing[*]} ${container_tools[*]} (Debian packages)"
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
# The tests log in as HOOKYARD_TEST_DATABASE_SERVER (packages/testkit), with no password by default:
# a machine whose TCP logins ask for one (Debian's own setting, scram-sha-256) must name it there.
server="${HOOKYARD_TEST_DATABASE_SERVER:-postgresql://postgres@127.0.0.1:5432}"
if ! refused="$(psql --no-password -Atqc 'SELECT 1' "$server/postgres" 2>&1 >/dev/null)"; then
  echo "test prerequisites: the tests cannot log in to PostgreSQL as $(sed -E 's#(//[^:/@]*):[^@]*@#\1:***@#' <<<"$server"): $refused" >&2
  echo "  Give the user a password and name it: export HOOKYARD_TEST_DATABASE_SERVER=postgresql://postgres:<password>@127.0.0.1:5432" >&2
  echo "  (README, \"Start it\": sudo -u postgres psql -c \"ALTER USER postgres PASSWORD '<password>'\")" >&2
  exit 1
fi
if ((${#unavailable[@]})); then
  echo "test prerequisites: not installed, no apt source here has them: ${unavailable[*]}" >&2
  if [[ " ${unavailable[*]} " == *" kubectl "* ]]; then
    echo "  kubectl 1.27 or later (for \`kubectl kustomize\`) is needed by tests/kubernetes-manifests.test.ts and" >&2
    echo "  tests/containers.test.ts, which fail without it: install it from the Kubernetes project's own apt" >&2
    echo "  repository, or its release binary onto the PATH." >&2
  fi
fi

# The images tests/containers.test.ts runs. A failed build does not stop the suite: build-images.sh
# leaves .tmp/containers/build-failed, and the container tests fail with what it says.
if [[ "${HOOKYARD_IMAGES_READY:-}" != 1 ]]; then
  bash scripts/containers/build-images.sh ||
    echo "test prerequisites: building the images failed; tests/containers.test.ts will fail (.tmp/containers/)" >&2
fi
