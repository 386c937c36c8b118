import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources in tests, so a change is tested without
// a build. Tests that spawn Hookyard's processes run the build (pnpm test builds first).
const source = (dir: string) => fileURLToPath(new URL(`${dir}/src/index.ts`, import.meta.url));
const packages = ["core", "config", "logger", "db", "queues", "telemetry", "testkit", "transport"];

export default defineConfig({
  resolve: {
    alias: [
      ...packages.map((name) => ({ find: `@hookyard/${name}`, replacement: source(`packages/${name}`) })),
      { find: "@hookyard/api", replacement: source("apps/api") },
      { find: "@hookyard/worker", replacement: source("apps/worker") },
    ],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    // Each test database is checked against docs/invariants.md before it is dropped.
    setupFiles: ["tests/support/invariants-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", "./tests/support/count-reporter.ts"],
  },
});
