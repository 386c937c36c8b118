import { freePort, manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

/*
 * Issue 10: Docker Hub's callback chains, run through real loopback receivers that call back over
 * HTTP (shared/seeds/docker-hub-webhooks.txt: "A chain request is only considered complete once the
 * last callback is validated").
 */

type Verdict = "success" | "failure" | "error";

/** A receiver that, once it has answered, calls back at the delivery's callback_url (or leaves that to the test). */
interface StepReceiver extends Receiver {
  /** The callback URLs it was given, in order. */
  callbackUrls(): string[];
}

async function stepReceiver(
  callBack: Verdict | "none" | ((req: ReceivedRequest) => Verdict | "none"),
  options: { status?: number; description?: string } = {},
): Promise<StepReceiver> {
  const receiver = await startReceiver((req) => {
    const verdict = typeof callBack === "function" ? callBack(req) : callBack;
    const url = (req.json as { callback_url?: string } | null)?.callback_url;
    if (verdict !== "none" && url) {
      // After the answer, as a CI system reports back once its job ran.
      setTimeout(() => {
        void fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ state: verdict, description: options.description ?? `${verdict} from ${req.path}` }),
        });
      }, 50);
    }
    return { status: options.status ?? 200 };
  });
  return {
    ...receiver,
    callbackUrls: () => receiver.requests.map(callbackUrlOf),
  };
}

interface RunView {
  id: string;
  state: string;
  currentStep: number;
  reason: string | null;
  steps: Array<{
    position: number;
    webhookId: string;
    state: string;
    delivery: { id: string; status: string; attempts: number; lastStatusCode: number | null } | null;
    callback: { state: string | null; description: string | null; receivedAt: string | null } | null;
  }>;
}

let hookyard: TestHookyard;
const receivers: Receiver[] = [];
let repo = 0;

/** A chain of dockerhub webhooks, one per receiver, in a repository of its own. */
async function chainOf(steps: Receiver[], options: { events?: string[] } = {}) {
  repo += 1;
  const repository = `acme/app-${repo}`;
  const webhooks = [];
  for (const [i, receiver] of steps.entries()) {
    webhooks.push(
      await hookyard.createWebhook({
        name: `step ${i + 1}`,
        url: `${receiver.url}/step-${i + 1}`,
        events: ["TAG_PUSH"],
        repository,
        format: "dockerhub",
      }),
    );
  }
  const res = await hookyard.request("POST", "/api/v1/chains", {
    body: {
      name: "test, deploy, announce",
      repository,
      events: options.events ?? ["TAG_PUSH"],
      webhooks: webhooks.map((w) => w.id),
    },
  });
  expect(res.status).toBe(201);
  return { chain: res.json as { id: string }, webhooks, repository };
}

async function push(repository: string, tag = "v1") {
  const res = await hookyard.ingestDistribution(manifestPush({ repository, tag }));
  expect(res.status).toBe(202);
}

async function runsOf(chainId: string): Promise<RunView[]> {
  const res = await hookyard.request("GET", `/api/v1/chains/${chainId}/runs`);
  expect(res.status).toBe(200);
  return res.json.items;
}

/** Waits for the chain's one run to reach `state`, and returns it as GET /chain-runs/:id shows it. */
async function runReaching(chainId: string, state: string, timeoutMs = 15_000): Promise<RunView> {
  const [run] = await waitFor(
    async () => {
      const runs = await runsOf(chainId);
      return runs.length === 1 && runs[0]?.state === state && runs;
    },
    { timeoutMs, what: `a run of ${chainId} ${state}` },
  );
  const res = await hookyard.request("GET", `/api/v1/chain-runs/${run?.id}`);
  expect(res.status).toBe(200);
  return res.json;
}

/** The callback_url a dockerhub delivery carried. */
function callbackUrlOf(request: ReceivedRequest | undefined): string {
  const url = (request?.json as { callback_url?: string } | undefined)?.callback_url;
  if (!url) throw new Error("the delivery carried no callback_url");
  return url;
}

const callback = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("callback chains", () => {
  beforeAll(async () => {
    // The callback_url is built from HOOKYARD_PUBLIC_URL, by default http://127.0.0.1:$PORT.
    hookyard = await TestHookyard.start({ env: { PORT: String(await freePort()), LOG_LEVEL: "info" } });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await hookyard?.close();
  });
  const track = <T extends Receiver>(receiver: T): T => {
    receivers.push(receiver);
    return receiver;
  };

  it("runs three steps in order, each only after the one before called back success", async () => {
    const steps = [
      track(await stepReceiver("success", { description: "387 tests PASSED" })),
      track(await stepReceiver("success", { description: "deployed to staging" })),
      track(await stepReceiver("success", { description: "announced" })),
    ];
    const plain = track(await startReceiver());
    const { chain, webhooks, repository } = await chainOf(steps);
    // A webhook outside the chain gets the event as usual, at once.
    await hookyard.createWebhook({ name: "audit", url: plain.url, events: ["TAG_PUSH"], repository });
    await push(repository);

    const run = await runReaching(chain.id, "completed");
    expect(run.reason).toBeNull();
    expect(run.steps.map((s) => [s.position, s.webhookId, s.state])).toEqual(
      webhooks.map((w, i) => [i + 1, w.id, "success"]),
    );
    expect(run.steps.map((s) => s.callback?.description)).toEqual([
      "387 tests PASSED",
      "deployed to staging",
      "announced",
    ]);
    for (const step of run.steps) {
      expect(step.delivery).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200 });
      expect(step.callback?.receivedAt).toEqual(expect.any(String));
    }
    // Each step went out after the previous step's callback was received.
    const receivedAt = run.steps.map((s) => Date.parse(s.callback?.receivedAt as string));
    const deliveries = await Promise.all(
      run.steps.map((s) => hookyard.request("GET", `/api/v1/deliveries/${s.delivery?.id}`)),
    );
    const sentAt = deliveries.map((d) => Date.parse(d.json.attempts[0].startedAt));
    expect(sentAt[1]).toBeGreaterThanOrEqual(receivedAt[0] as number);
    expect(sentAt[2]).toBeGreaterThanOrEqual(receivedAt[1] as number);
    // Each chained webhook got the event once, as its step; none also outside the chain.
    expect(steps.map((s) => s.requests.length)).toEqual([1, 1, 1]);
    expect(plain.requests).toHaveLength(1);
  });

  it.each(["failure", "error"] as const)(
    "a %s callback interrupts the run, and the next step is never sent",
    async (verdict) => {
      const steps = [
        track(await stepReceiver(verdict, { description: "3 tests FAILED" })),
        track(await stepReceiver("success")),
      ];
      const { chain, repository } = await chainOf(steps);
      await push(repository);

      const run = await runReaching(chain.id, "interrupted");
      expect(run.reason).toBe(`step 1: the receiver called back ${verdict}: 3 tests FAILED`);
      expect(run.steps.map((s) => s.state)).toEqual([verdict, "skipped"]);
      await sleep(1_500);
      expect(steps[1]?.requests).toHaveLength(0);
    },
  );

  it("a step whose delivery finally fails interrupts the run, with the reason", async () => {
    const steps = [track(await stepReceiver("none", { status: 500 })), track(await stepReceiver("success"))];
    const { chain, repository } = await chainOf(steps);
    await push(repository);

    // HOOKYARD_RETRY_SCHEDULE is 100ms,200ms,300ms here: four attempts.
    const run = await runReaching(chain.id, "interrupted");
    expect(run.reason).toBe("step 1: its delivery failed after 4 attempts (last: HTTP 500)");
    expect(run.steps[0]).toMatchObject({ state: "failed", delivery: { status: "failed", attempts: 4 } });
    expect(steps[0]?.requests).toHaveLength(4);
    expect(steps[1]?.requests).toHaveLength(0);
  });

  it("validates callbacks as the contract says, changing nothing on a refusal", async () => {
    const steps = [track(await stepReceiver("none")), track(await stepReceiver("none"))];
    const { chain, repository } = await chainOf(steps);
    await push(repository);
    const [first] = await (steps[0] as Receiver).waitForRequests(1);
    const url = callbackUrlOf(first);
    expect(url).toMatch(new RegExp(`^${hookyard.config.publicUrl}/api/v1/callbacks/[A-Za-z0-9_-]{43}$`));

    const refusals: Array<[unknown, number, string]> = [
      [{}, 400, "state"],
      [{ state: "done" }, 400, "state"],
      [{ state: "success", description: "x".repeat(256) }, 400, "description"],
      [{ state: "success", context: "x".repeat(101) }, 400, "context"],
      [{ state: "success", target_url: "ftp://127.0.0.1/results" }, 400, "target_url"],
      [{ state: "success", target_url: "not a url" }, 400, "target_url"],
    ];
    for (const [body, status, field] of refusals) {
      const res = await callback(url, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const answer = (await res.json()) as { error: { code: string; message: string } };
      expect(answer.error.message).toContain(field);
    }
    const unknown = await callback(`${hookyard.config.publicUrl}/api/v1/callbacks/${"A".repeat(43)}`, {
      state: "success",
    });
    expect(unknown.status).toBe(404);
    // Nothing moved: the run waits at step 1, whose callback is still open.
    let [run] = await runsOf(chain.id);
    expect(run).toMatchObject({ state: "running", currentStep: 1 });
    expect(run?.steps[0]?.callback?.state).toBeNull();

    expect((await callback(url, { state: "success", description: "ok" })).status).toBe(200);
    expect((await callback(url, { state: "success" })).status).toBe(409);
    [run] = await runsOf(chain.id);
    expect(run).toMatchObject({ state: "running", currentStep: 2 });

    // Once the run has ended, its open step's callback is refused too.
    const [second] = await (steps[1] as Receiver).waitForRequests(1);
    const secondUrl = callbackUrlOf(second);
    expect((await callback(secondUrl, { state: "failure" })).status).toBe(200);
    const late = await callback(secondUrl, { state: "success" });
    expect(late.status).toBe(409);
  });

  it("of many callbacks racing for one step exactly one wins, and the next step goes out once", async () => {
    const steps = [track(await stepReceiver("none")), track(await stepReceiver("none"))];
    const { chain, repository } = await chainOf(steps);
    await push(repository);
    const [first] = await (steps[0] as Receiver).waitForRequests(1);
    const url = callbackUrlOf(first);

    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        callback(url, { state: i % 2 ? "success" : "failure", context: `racer ${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, ...Array(24).fill(409)]);

    const [run] = await runsOf(chain.id);
    const winner = run?.steps[0]?.callback?.state;
    if (winner === "success") {
      await (steps[1] as Receiver).waitForRequests(1);
      await sleep(1_000);
      expect(steps[1]?.requests).toHaveLength(1);
      expect(run).toMatchObject({ state: "running", currentStep: 2 });
    } else {
      expect(run).toMatchObject({ state: "interrupted", currentStep: 1 });
      await sleep(1_000);
      expect(steps[1]?.requests).toHaveLength(0);
    }
  });

  it.each([
    ["deleted", (id: string) => hookyard.request("DELETE", `/api/v1/webhooks/${id}`), "was deleted"],
    [
      "disabled",
      (id: string) => hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body: { enabled: false } }),
      "was disabled (paused by admin)",
    ],
  ])("a webhook %s mid-run interrupts the run with that reason", async (_what, change, said) => {
    const steps = [track(await stepReceiver("none")), track(await stepReceiver("success"))];
    const { chain, webhooks, repository } = await chainOf(steps);
    await push(repository);
    const [first] = await (steps[0] as Receiver).waitForRequests(1);

    const changed = await change(webhooks[1]?.id as string);
    expect(changed.status).toBeLessThan(300);
    const run = await runReaching(chain.id, "interrupted", 5_000);
    expect(run.reason).toBe(`step 2: webhook ${webhooks[1]?.id} ${said}`);
    expect(run.steps.map((s) => s.state)).toEqual(["abandoned", "skipped"]);
    // Step 1's receiver calling back now is too late.
    const url = callbackUrlOf(first);
    expect((await callback(url, { state: "success" })).status).toBe(409);
    expect(steps[1]?.requests).toHaveLength(0);
  });

  it("a chain edited mid-run does not change the run already started", async () => {
    const steps = [track(await stepReceiver("none")), track(await stepReceiver("success"))];
    const replacement = track(await stepReceiver("success"));
    const { chain, webhooks, repository } = await chainOf(steps);
    await push(repository);
    const [first] = await (steps[0] as Receiver).waitForRequests(1);
    const other = await hookyard.createWebhook({
      name: "replacement",
      url: replacement.url,
      events: ["TAG_PUSH"],
      repository,
      format: "dockerhub",
    });
    const edited = await hookyard.request("PATCH", `/api/v1/chains/${chain.id}`, {
      body: { webhooks: [webhooks[0]?.id, other.id] },
    });
    expect(edited.status).toBe(200);

    await callback(callbackUrlOf(first), { state: "success" });
    const run = await runReaching(chain.id, "completed");
    expect(run.steps.map((s) => s.webhookId)).toEqual(webhooks.map((w) => w.id));
    expect(steps[1]?.requests).toHaveLength(1);
    expect(replacement.requests).toHaveLength(0);
  });

  it("shows a run to whoever may manage its repository's webhooks, and to no one else", async () => {
    const steps = [track(await stepReceiver("success"))];
    const { chain, repository } = await chainOf(steps);
    await push(repository);
    const run = await runReaching(chain.id, "completed");
    const [namespace] = repository.split("/");
    const readers = {
      repositoryAdmin: await userWithGrants(hookyard, [{ repository }]),
      namespaceOwner: await userWithGrants(hookyard, [{ namespace }]),
    };
    const others = {
      otherRepositoryAdmin: await userWithGrants(hookyard, [{ repository: "acme/elsewhere" }]),
      otherNamespaceOwner: await userWithGrants(hookyard, [{ namespace: "other" }]),
      noGrant: await userWithGrants(hookyard, []),
    };
    for (const [who, token] of Object.entries(readers)) {
      expect((await hookyard.request("GET", `/api/v1/chain-runs/${run.id}`, { token })).status, who).toBe(200);
      const runs = await hookyard.request("GET", `/api/v1/chains/${chain.id}/runs`, { token });
      expect(
        runs.json.items.map((r: RunView) => r.id),
        who,
      ).toEqual([run.id]);
    }
    for (const [who, token] of Object.entries(others)) {
      expect((await hookyard.request("GET", `/api/v1/chain-runs/${run.id}`, { token })).status, who).toBe(404);
      expect((await hookyard.request("GET", `/api/v1/chains/${chain.id}/runs`, { token })).status, who).toBe(404);
    }
  });

  it("shows runs in /metrics and the logs, and never a callback URL's secret", async () => {
    const res = await fetch(`${hookyard.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^hookyard_chain_runs\{state="completed"\} [1-9]/m);
    expect(text).toMatch(/^hookyard_chain_runs\{state="interrupted"\} [1-9]/m);
    expect(text).toMatch(/^hookyard_chain_runs_total\{state="advanced"\} [1-9]/m);

    const moves = hookyard.logLines.filter((line) => String(line.message).startsWith("chain run "));
    expect(moves.map((line) => line.message)).toEqual(
      expect.arrayContaining(["chain run advanced", "chain run completed", "chain run interrupted"]),
    );
    const tokens = receivers.flatMap(
      (r) => (r as Partial<StepReceiver>).callbackUrls?.().map((url) => url.split("/").at(-1) as string) ?? [],
    );
    expect(tokens.length).toBeGreaterThan(10);
    const logs = JSON.stringify(hookyard.logLines);
    for (const token of tokens) expect(logs).not.toContain(token);
  });
});

describe("callback chains through expiry and restarts", () => {
  let own: TestHookyard | undefined;
  const ownReceivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(ownReceivers.splice(0).map((r) => r.close()));
    await own?.close();
    own = undefined;
  });

  async function startOwn(env: Record<string, string>, worker = true) {
    own = await TestHookyard.start({ worker, env: { PORT: String(await freePort()), ...env } });
    hookyard = own;
    return own;
  }

  it("expires a run whose step gets no callback within HOOKYARD_CALLBACK_TTL, with no other traffic", async () => {
    await startOwn({ HOOKYARD_CALLBACK_TTL: "2s" });
    const steps = [await stepReceiver("none"), await stepReceiver("success")];
    ownReceivers.push(...steps);
    const { chain, repository } = await chainOf(steps);
    await push(repository);
    const [first] = await (steps[0] as Receiver).waitForRequests(1);

    const run = await runReaching(chain.id, "expired", 10_000);
    expect(run.reason).toMatch(/^step 1: no callback came by \S+ \(HOOKYARD_CALLBACK_TTL\)$/);
    expect(run.steps.map((s) => s.state)).toEqual(["expired", "skipped"]);
    const late = await callback(callbackUrlOf(first), { state: "success" });
    expect(late.status).toBe(409);
    expect(steps[1]?.requests).toHaveLength(0);
  });

  it("a worker killed between steps neither skips a step nor sends one twice", async () => {
    const shared = await startOwn({ HOOKYARD_RECONCILE_INTERVAL: "1s" }, false);
    const steps = [await stepReceiver("none"), await stepReceiver("none"), await stepReceiver("success")];
    ownReceivers.push(...steps);
    const { chain, repository } = await chainOf(steps);
    const first = shared.spawnWorker();
    await push(repository);
    const [request] = await (steps[0] as Receiver).waitForRequests(1);
    // Step 1 is booked as delivered, then its worker dies before anything else happens.
    await waitFor(async () => (await runsOf(chain.id))[0]?.steps[0]?.delivery?.status === "succeeded");
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));

    // The callback comes while no worker runs: step 2 waits in the queue.
    expect((await callback(callbackUrlOf(request), { state: "success" })).status).toBe(200);
    await sleep(500);
    expect(steps[1]?.requests).toHaveLength(0);

    const second = shared.spawnWorker();
    const [request2] = await (steps[1] as Receiver).waitForRequests(1);
    // And dies again right after step 2 went out.
    second.kill("SIGKILL");
    await new Promise((resolve) => second.once("exit", resolve));
    expect((await callback(callbackUrlOf(request2), { state: "success" })).status).toBe(200);
    shared.spawnWorker();

    const run = await runReaching(chain.id, "completed", 20_000);
    expect(run.steps.map((s) => s.state)).toEqual(["success", "success", "success"]);
    await sleep(1_500);
    // Step 2's worker may have died before booking it: a retry then carries the same webhook-id,
    // and goes out only while the run still waits at that step; here it had moved on.
    expect(steps.map((s) => s.requests.length)).toEqual([1, 1, 1]);
  });

  it("an API restarted between a callback and the next step loses nothing: the step is queued again if its job was lost", async () => {
    const shared = await startOwn({ HOOKYARD_RECONCILE_INTERVAL: "1s" }, true);
    const steps = [await stepReceiver("none"), await stepReceiver("success")];
    ownReceivers.push(...steps);
    const { chain, repository } = await chainOf(steps);
    await push(repository);
    const [request] = await (steps[0] as Receiver).waitForRequests(1);
    await waitFor(async () => (await runsOf(chain.id))[0]?.steps[0]?.delivery?.status === "succeeded");
    await shared.stopWorker();

    expect((await callback(callbackUrlOf(request), { state: "success" })).status).toBe(200);
    // The API dies after recording the callback and before its job reached Redis: the job is gone.
    const [run] = await runsOf(chain.id);
    const stepTwo = run?.steps[1]?.delivery?.id as string;
    expect(stepTwo).toMatch(/^dlv_/);
    await shared.removeDeliveryJob(stepTwo);
    await shared.restartApi();

    await shared.startWorker();
    const done = await runReaching(chain.id, "completed", 20_000);
    expect(done.steps.map((s) => s.state)).toEqual(["success", "success"]);
    expect(steps.map((s) => s.requests.length)).toEqual([1, 1]);
  });
});
