import { describe, expect, it } from "vitest";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { createBackgroundResponses, createResponseStore, type BackgroundResponses, type BackgroundStart } from "./index.js";

// Run leases: a background job whose instance died must not stay in progress forever. Store TTLs run on an injected
// clock, so expiry is decided by the test, not by timing; renewals are real poll ticks, awaited by counting them.

const leaseMs = 1_000;

/** One shared state with a hand-moved clock, and per-instance views of it that count (or drop) lease writes. */
function sharedState(): { state: StateStore; advance(ms: number): void; instance(): { state: StateStore; renewals(): number; die(): void } } {
  let now = 1_700_000_000_000;
  const state = createMemoryStateStore({ clock: { now: () => now } });
  return {
    state,
    advance: (ms) => void (now += ms),
    instance: () => {
      let renewals = 0;
      let dead = false;
      const view: StateStore = {
        ...state,
        set: async (key, value, options) => {
          if (key.includes("#lease:")) {
            // A dead instance writes nothing any more; its lease simply runs out.
            if (dead) return;
            renewals++;
          }
          await state.set(key, value, options);
        },
      };
      return { state: view, renewals: () => renewals, die: () => void (dead = true) };
    },
  };
}

/** A run that answers only when aborted (or never): the job stays in progress as long as the test wants. */
function endless(): { job: BackgroundStart; started(): boolean } {
  let started = false;
  const job: BackgroundStart = {
    id: "resp_lease1",
    owner: "key-a",
    model: "openai/gpt-x",
    createdAt: 1_700_000_000,
    input: [{ type: "message", role: "user", content: "long job" }],
    run: (signal) => {
      started = true;
      return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
    },
  };
  return { job, started: () => started };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition never became true");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Two instances over one shared state; only A's view can die. */
function start(shared: ReturnType<typeof sharedState>): {
  viewA: ReturnType<ReturnType<typeof sharedState>["instance"]>;
  instanceA: BackgroundResponses;
  instanceB: BackgroundResponses;
} {
  const viewA = shared.instance();
  const instanceA = createBackgroundResponses({ store: createResponseStore({ state: viewA.state }), cancelPollMs: 10, leaseMs });
  const instanceB = createBackgroundResponses({ store: createResponseStore({ state: shared.instance().state }), cancelPollMs: 10, leaseMs });
  return { viewA, instanceA, instanceB };
}

describe("background run leases", () => {
  it("a job whose instance stopped renewing is marked failed by GET on another instance, and its late result is discarded", async () => {
    const shared = sharedState();
    const { viewA, instanceA, instanceB } = start(shared);
    const { job, started } = endless();
    await instanceA.start(job);
    await until(started);
    expect((await instanceB.retrieve(job.id, "key-a")).status).toBe("in_progress");

    viewA.die();
    shared.advance(leaseMs - 1);
    expect((await instanceB.retrieve(job.id, "key-a")).status).toBe("in_progress");
    shared.advance(2);
    const failed = await instanceB.retrieve(job.id, "key-a");
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual({ code: "internal", message: expect.stringContaining("stopped renewing its lease") as unknown });
    expect(failed.error?.["message"]).toContain("Create it again");

    // The zombie finishing later cannot bring it back.
    await instanceA.close();
    expect((await instanceB.retrieve(job.id, "key-a")).status).toBe("failed");
    await instanceB.close();
  });

  it("keeps a live job in progress over many lease periods while its instance renews", async () => {
    const shared = sharedState();
    const { viewA, instanceA, instanceB } = start(shared);
    const { job, started } = endless();
    await instanceA.start(job);
    await until(started);
    for (let period = 0; period < 5; period++) {
      const renewed = viewA.renewals();
      await until(() => viewA.renewals() > renewed);
      shared.advance(leaseMs * 0.6);
      expect((await instanceB.retrieve(job.id, "key-a")).status).toBe("in_progress");
    }
    // Still a normal job: cancel from the other instance works as before.
    expect((await instanceB.cancel(job.id, "key-a")).status).toBe("cancelled");
    await instanceA.settled(job.id);
    await instanceA.close();
    await instanceB.close();
  });

  it("cancel on another instance of a job whose runner died reports it failed, not cancelled", async () => {
    const shared = sharedState();
    const { viewA, instanceA, instanceB } = start(shared);
    const { job, started } = endless();
    await instanceA.start(job);
    await until(started);
    viewA.die();
    shared.advance(leaseMs + 1);
    const answer = await instanceB.cancel(job.id, "key-a");
    expect([answer.status, answer.error?.["code"]]).toEqual(["failed", "internal"]);
    await instanceA.close();
    await instanceB.close();
  });

  it("drops the lease once the run has settled, and refuses a lease no longer than two poll intervals", async () => {
    const shared = sharedState();
    const store = createResponseStore({ state: shared.state });
    const background = createBackgroundResponses({ store, cancelPollMs: 10, leaseMs });
    await background.start({ ...endless().job, run: async () => ({ body: { id: "x", object: "response", status: "completed", output: [] } }) });
    await background.settled("resp_lease1");
    expect(await store.holdsLease("resp_lease1")).toBe(false);
    expect((await background.retrieve("resp_lease1", "key-a")).status).toBe("completed");
    await background.close();
    expect(() => createBackgroundResponses({ store, cancelPollMs: 1_000, leaseMs: 1_500 })).toThrow(/at least twice the cancel poll interval/);
  });
});
