import type { TestDatabase } from "@hookyard/testkit";
import { afterAll, afterEach } from "vitest";
// By path, not through @hookyard/testkit's index: every test file loads this, and most need no Prisma.
import { liveTestDatabases, onTestDatabaseDrop } from "../../packages/testkit/src/drop-hooks.js";
import { checkInvariants } from "../../packages/testkit/src/invariants.js";

/*
 * Every test database is checked against docs/invariants.md before it is dropped (vitest setupFiles:
 * this runs in each test file's process). A violation fails the test that dropped the database (or
 * the file, for one dropped in afterAll, or never dropped): a green test that left Postgres lying is
 * not green. A test that breaks an invariant on purpose says so: `database.waive(name, why)`.
 */

const found: string[] = [];

async function check(database: TestDatabase): Promise<void> {
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

function report(when: string): void {
  if (found.length === 0) return;
  const lines = found.splice(0);
  throw new Error(`invariants violated (docs/invariants.md), found ${when}:\n${lines.join("\n")}`);
}

afterEach(() => report("when the test's database was dropped"));

afterAll(async () => {
  // Databases not dropped by the file itself (a test that never closed its Hookyard) are checked too.
  for (const database of liveTestDatabases()) await check(database);
  report("after the file's tests");
});
