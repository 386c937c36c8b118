// First step of `pnpm start` and `pnpm test`: refuse a Node.js older than package.json's "engines"
// and say where to get a newer one, before the build or a dependency fails in some obscure way
// (Debian 12's own `nodejs` is 18, Ubuntu 22.04's is 12). CommonJS and old syntax on purpose: this
// file must run on the old Node it is there to refuse.
"use strict";
// biome-ignore lint/style/useNodejsImportProtocol: "node:fs" needs Node 14.18; Ubuntu 22.04 has 12
const fs = require("fs");
// biome-ignore lint/style/useNodejsImportProtocol: as above
const path = require("path");

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));

/** [major, minor, patch] of "20.19.0", "v18.19.0" or ">=20.19". */
function parts(version) {
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!match) throw new Error(`not a version: "${version}"`);
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

/** Whether `version` is below `minimum` ("20.19"). */
function isOlder(version, minimum) {
  const have = parts(version);
  const need = parts(minimum);
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i] < need[i];
  return false;
}

/** The minimum of package.json's engines.node, which must read ">=X.Y". */
function minimumNode() {
  // biome-ignore lint/complexity/useOptionalChain: optional chaining needs Node 14
  const range = manifest.engines && manifest.engines.node;
  if (!/^>=\s*\d+(\.\d+){0,2}$/.test(range || ""))
    throw new Error(`package.json engines.node is not ">=X.Y": ${range}`);
  return range.replace(/^>=\s*/, "");
}

/** What to tell someone running Node `version`; null when it is recent enough. */
function advice(version, minimum) {
  if (!isOlder(version, minimum)) return null;
  const pnpm = String(manifest.packageManager || "pnpm").replace(/\+.*$/, "");
  return [
    `hookyard: Node.js ${version} is too old: Hookyard needs Node.js ${minimum} or later (24 recommended).`,
    "Debian's and Ubuntu's own nodejs packages are older (Debian 12: 18). Install a newer one, either",
    "  - NodeSource's packages for Debian and Ubuntu (Node 20, 22 or 24: the nodesource/distributions",
    "    instructions set up their apt repository, then: sudo apt-get install nodejs), or",
    "  - nvm, as your own user (nvm-sh/nvm): nvm install 24",
    `then pnpm: corepack enable (Node 20 to 24 bundle corepack) or npm install -g ${pnpm},`,
    `and run the command again (node --version must then say v${minimum} or later).`,
  ].join("\n");
}

module.exports = { isOlder: isOlder, minimumNode: minimumNode, advice: advice };

if (require.main === module) {
  const message = advice(process.versions.node, minimumNode());
  if (message) {
    console.error(message);
    process.exit(1);
  }
}
