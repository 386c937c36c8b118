// Some packages list development tools as optional peers: TypeScript (valibot, bullmq's
// dependents, @prisma/client) and the Prisma CLI (@prisma/client). In this workspace both are
// installed for building (`tsc`, `prisma generate`), so pnpm resolves those peers, and
// `pnpm deploy --prod` then copies the tools into every Docker image: about 210 MB of the API's
// 353 MB tree, never loaded at run time (the Prisma client runs on its WASM query compiler and
// @prisma/adapter-pg). Dropping these optional peers keeps the tools out of production trees.
const TOOL_PEERS = ["typescript", "prisma"];

function readPackage(pkg) {
  for (const peer of TOOL_PEERS) {
    if (pkg.peerDependenciesMeta?.[peer]?.optional && pkg.peerDependencies) {
      delete pkg.peerDependencies[peer];
      delete pkg.peerDependenciesMeta[peer];
    }
  }
  return pkg;
}

module.exports = { hooks: { readPackage } };
