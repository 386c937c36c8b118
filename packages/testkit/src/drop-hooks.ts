import type { TestDatabase } from "./database.js";

/*
 * The test databases made in this process, and what runs before one is dropped (the invariants'
 * check, tests/support/invariants-setup.ts). Apart from database.ts, so that the setup file of every
 * test file can load it without loading Prisma.
 */

/** Run before a test database is dropped, while it is still there. */
export type BeforeDrop = (database: TestDatabase) => Promise<void>;

export const beforeDropHooks: BeforeDrop[] = [];
export const liveDatabases = new Set<TestDatabase>();

/** Runs `hook` before each test database of this process is dropped. */
export function onTestDatabaseDrop(hook: BeforeDrop): void {
  beforeDropHooks.push(hook);
}

/** The test databases made in this process and not dropped yet. */
export function liveTestDatabases(): TestDatabase[] {
  return [...liveDatabases];
}
