import type { Reporter, TestModule } from "vitest/node";

/** Ends the run with the plain line CI reads: "N passed, N failed". */
export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      // A file whose beforeAll threw shows its tests as skipped: they did not pass, so they failed.
      const moduleFailed = module.state() === "failed";
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed" || moduleFailed) failed += 1;
        else skipped += 1;
      }
      // A file that failed to load has no tests but must not count as green.
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed += 1;
    }
    // Errors outside any test (global setup, a crashed worker) fail the run too.
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
