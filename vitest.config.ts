import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources in tests, so a change is tested without
// a build. Tests that spawn Hookyard's processes run the build (pnpm test builds first).
const source = (dir: string) => fileURLToPath(new URL(`${dir}/src/index.ts`, import.meta.url));
const packages = ["core", "config", "logger", "db", "queues", "telemetry", "testkit", "transport"];

const ALL = ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "tests/**/*.test.ts"];

/**
 * Files that run alone, after the rest: they load both cores on purpose (faults under steady load,
 * two workers, fairness and rate limits measured at a receiver, hostile input and receivers, a Redis
 * Cluster failing over, the images in podman), so a neighbour would change what they measure or slow
 * them past their waits. Everything else runs three files at a time, each with its own database and
 * queue prefix (CONTRIBUTING.md, "Tests"): they spend most of their time waiting on Postgres, Redis,
 * receivers and Chromium, and three at a time ran the 141 shared files in 446 s (997 s of tests).
 */
const ALONE = [
  "tests/fault-*.test.ts",
  "tests/fairness.test.ts",
  "tests/rate-limit.test.ts",
  "tests/input-cost.test.ts",
  "tests/hostile-input.test.ts",
  "tests/redis-cluster.test.ts",
  "tests/containers.test.ts",
];

export default defineConfig({
  resolve: {
    alias: [
      ...packages.map((name) => ({ find: `@hookyard/${name}`, replacement: source(`packages/${name}`) })),
      { find: "@hookyard/api", replacement: source("apps/api") },
      { find: "@hookyard/worker", replacement: source("apps/worker") },
    ],
  },
  test: {
    globalSetup: ["tests/global-setup.ts"],
    // Each test database is checked against docs/invariants.md before it is dropped.
    setupFiles: ["tests/support/invariants-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", "./tests/support/count-reporter.ts"],
    projects: [
      {
        extends: true,
        test: { name: "shared", include: ALL, exclude: ALONE, maxWorkers: 3, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "alone", include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
