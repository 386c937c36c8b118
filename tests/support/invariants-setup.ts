import type { TestDatabase } from "@hookyard/testkit";
import { afterAll, afterEach, beforeEach } from "vitest";
// By path, not through @hookyard/testkit's index: every test file loads this, and most need no Prisma.
import { liveTestDatabases, onTestDatabaseDrop } from "../../packages/testkit/src/drop-hooks.js";
import { checkInvariants } from "../../packages/testkit/src/invariants.js";

/*
 * Every test database is checked against docs/invariants.md before it is dropped (vitest setupFiles:
 * this runs in each test file's process). A violation fails the test that dropped the database, in
 * the test or its afterEach; one dropped in a describe's afterAll, or never dropped, fails the file.
 * A green test that left Postgres lying is not green. A test that breaks an invariant on purpose
 * says so: `database.waive(name, why)`.
 */

const inTest: string[] = [];
const outside: string[] = [];
let testRunning = false;

async function check(database: TestDatabase): Promise<void> {
  const found = testRunning ? inTest : outside;
  try {
    const lines = await checkInvariants(database.url, { waived: database.waived.keys() });
    for (const line of lines) found.push(`${database.name}: ${line}`);
  } catch (error) {
    // Gone already (dropped some other way): nothing left to check.
    if ((error as { code?: string }).code === "3D000") return;
    found.push(`${database.name}: the invariants could not be checked: ${String(error)}`);
  }
}

onTestDatabaseDrop(check);

function report(found: string[], when: string): void {
  if (found.length === 0) return;
  const lines = found.splice(0);
  throw new Error(`invariants violated (docs/invariants.md), found ${when}:\n${lines.join("\n")}`);
}

beforeEach(() => {
  testRunning = true;
});

// Registered first, so it runs after the test file's own afterEach hooks (vitest runs them as a stack).
afterEach(() => {
  testRunning = false;
  report(inTest, "when this test's database was dropped");
});

afterAll(async () => {
  // Databases not dropped by the file itself (a test that never closed its Hookyard) are checked too.
  for (const database of liveTestDatabases()) await check(database);
  report(outside, "when a database of the file was dropped after its tests (afterAll), or never");
});
