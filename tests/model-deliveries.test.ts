import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  assertModel,
  drawn,
  type Harness,
  lateAttempt,
  pauseOrResume,
  pauseWhileRedelivering,
  push,
  recover,
  redeliver,
  remove,
  setHealth,
  setUpRun,
  startHarness,
  testSend,
} from "./support/model.js";

/*
 * Deliveries at random: pushes to webhooks whose receivers fail or not, pauses and resumes,
 * redeliveries, recoveries, test sends, late attempt results, a rare DELETE, and a pause raced with
 * a redelivery. After each step every delivery's status and attempts, and what the receiver got,
 * must be what the model says: a finished delivery moves only through redeliver or recover.
 */
describe("deliveries, against a model", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("end as the model says after every step, races included", { timeout: 120_000 }, async () => {
    const commands = drawn(
      { push, setHealth, pauseOrResume, redeliver, recover, testSend, lateAttempt, pauseWhileRedelivering, remove },
      { push: 2, setHealth: 2, redeliver: 2, lateAttempt: 2 },
    );
    await assertModel(
      "model-deliveries",
      fc.asyncProperty(fc.commands(commands, { maxCommands: 10 }), async (cmds) => {
        const { model, real } = await setUpRun(harness, { hooks: 2, chain: false });
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      6,
    );
  });
});
