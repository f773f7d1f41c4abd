import { describe, expect, it } from "vitest";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import {
  convertResponseRecord,
  createBackgroundResponses,
  createResponseIdIssuer,
  createResponseStore,
  decideResponseStorage,
  saveBeforeTerminal,
  type BackgroundStart,
  type StoredResponse,
} from "./index.js";

/** A deferred promise the test settles by hand. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(reason: unknown): void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Collects scheduled tasks so the test decides when a job leaves the queue. */
function manualScheduler(): { schedule(task: () => void): void; runAll(): void } {
  const tasks: Array<() => void> = [];
  return { schedule: (task) => void tasks.push(task), runAll: () => tasks.splice(0).forEach((task) => task()) };
}

function job(run: BackgroundStart["run"], id = "resp_bg1"): BackgroundStart {
  return { id, owner: "key-a", model: "gemini/gemini-2.5-pro", createdAt: 1_700_000_000, input: [{ type: "message", role: "user", content: "go" }], run };
}

const finalBody = {
  id: "ignored-upstream-id",
  object: "response",
  created_at: 1_700_000_009,
  status: "completed",
  model: "gemini-2.5-pro",
  output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: "done", annotations: [] }] }],
  usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
};

/** Waits until the run has reached the injected function (it awaits a store write first). */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !condition(); tries++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error("condition never became true");
}

describe("background responses", () => {
  it("goes queued → in_progress → completed and keeps the final response under the job id", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const scheduler = manualScheduler();
    const background = createBackgroundResponses({ store, schedule: scheduler.schedule });
    const result = deferred<{ body: Record<string, unknown> }>();
    let started = false;
    const queued = await background.start(
      job(async () => {
        started = true;
        return result.promise;
      }),
    );
    expect([queued.status, queued.background, queued.output]).toEqual(["queued", true, []]);
    expect((await background.retrieve("resp_bg1", "key-a")).status).toBe("queued");

    scheduler.runAll();
    await until(() => started);
    expect((await background.retrieve("resp_bg1", "key-a")).status).toBe("in_progress");

    result.resolve({ body: finalBody });
    await background.settled("resp_bg1");
    const done = await background.retrieve("resp_bg1", "key-a");
    expect([done.id, done.status, done.createdAt, done.background, done.output]).toEqual(["resp_bg1", "completed", 1_700_000_000, true, finalBody.output]);
    expect(await store.listInputItems("resp_bg1", "key-a", { limit: 20, order: "asc" })).toMatchObject({ data: [{ id: "msg_bg1_in0", content: "go" }] });
    await expect(background.retrieve("resp_bg1", "key-b")).rejects.toMatchObject({ code: "not_found", httpStatus: 404 });
  });

  it("cancels a running job: the run is aborted and its late result is discarded", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const background = createBackgroundResponses({ store });
    let seen: AbortSignal | undefined;
    const result = deferred<{ body: Record<string, unknown> }>();
    await background.start(
      job(async (signal) => {
        seen = signal;
        return result.promise;
      }),
    );
    await until(() => seen !== undefined);
    await expect(background.cancel("resp_bg1", "key-b")).rejects.toMatchObject({ code: "not_found" });
    const cancelled = await background.cancel("resp_bg1", "key-a");
    expect([cancelled.status, seen?.aborted]).toEqual(["cancelled", true]);
    result.resolve({ body: finalBody });
    await background.settled("resp_bg1");
    expect((await background.retrieve("resp_bg1", "key-a")).status).toBe("cancelled");
    // Cancelling again changes nothing.
    expect((await background.cancel("resp_bg1", "key-a")).status).toBe("cancelled");
  });

  it("cancels a queued job before it runs, and never cancels a finished one", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const scheduler = manualScheduler();
    const background = createBackgroundResponses({ store, schedule: scheduler.schedule });
    let ran = false;
    await background.start(
      job(async () => {
        ran = true;
        return { body: finalBody };
      }),
    );
    expect((await background.cancel("resp_bg1", "key-a")).status).toBe("cancelled");
    scheduler.runAll();
    await background.settled("resp_bg1");
    expect([ran, (await background.retrieve("resp_bg1", "key-a")).status]).toEqual([false, "cancelled"]);

    await background.start(job(async () => ({ body: finalBody }), "resp_bg2"));
    scheduler.runAll();
    await background.settled("resp_bg2");
    expect((await background.cancel("resp_bg2", "key-a")).status).toBe("completed");
  });

  it("records a failed run with the error code and message", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const background = createBackgroundResponses({ store });
    await background.start(
      job(async () => {
        throw new GatewayError("all_targets_failed", "every target failed");
      }),
    );
    await background.settled("resp_bg1");
    const failed = await background.retrieve("resp_bg1", "key-a");
    expect([failed.status, failed.error]).toEqual(["failed", { code: "all_targets_failed", message: "every target failed" }]);
  });

  it("refuses to cancel a response that was not created in the background", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const background = createBackgroundResponses({ store });
    await store.save({ id: "resp_fg", owner: "key-a", model: "m", createdAt: 1, status: "completed", input: [], output: [] });
    await expect(background.cancel("resp_fg", "key-a")).rejects.toMatchObject({ code: "invalid_request", httpStatus: 400 });
  });
});

describe("background responses across instances and under load", () => {
  it("stops a run on one instance when another instance sharing the store cancels it", async () => {
    // Two gateway instances: each has its own runner and response store over one shared StateStore.
    const shared = createMemoryStateStore();
    const instanceA = createBackgroundResponses({ store: createResponseStore({ state: shared }), cancelPollMs: 20 });
    const instanceB = createBackgroundResponses({ store: createResponseStore({ state: shared }), cancelPollMs: 20 });
    let seen: AbortSignal | undefined;
    const result = deferred<{ body: Record<string, unknown> }>();
    await instanceA.start(
      job(async (signal) => {
        seen = signal;
        signal.addEventListener("abort", () => result.reject(signal.reason));
        return result.promise;
      }),
    );
    await until(() => seen !== undefined);

    const cancelled = await instanceB.cancel("resp_bg1", "key-a");
    expect(cancelled.status).toBe("cancelled");
    // A learns of it at its next poll of the cancel flag, not through any local call.
    await instanceA.settled("resp_bg1");
    expect(seen?.aborted).toBe(true);
    expect((await instanceA.retrieve("resp_bg1", "key-a")).status).toBe("cancelled");
    await instanceA.close();
    await instanceB.close();
  });

  it("answers 429 once this instance runs its cap of jobs, and takes new ones when one ends", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const background = createBackgroundResponses({ store, maxBackgroundJobs: 2 });
    const first = deferred<{ body: Record<string, unknown> }>();
    const second = deferred<{ body: Record<string, unknown> }>();
    await background.start(job(() => first.promise, "resp_a"));
    await background.start(job(() => second.promise, "resp_b"));
    await expect(background.start(job(async () => ({ body: finalBody }), "resp_c"))).rejects.toMatchObject({ code: "rate_limited", httpStatus: 429 });
    // Refused before anything was written: nothing to poll under that id.
    await expect(store.get("resp_c", "key-a")).rejects.toMatchObject({ code: "not_found" });

    first.resolve({ body: finalBody });
    await background.settled("resp_a");
    const started = await background.start(job(async () => ({ body: finalBody }), "resp_c"));
    expect(started.status).toBe("queued");
    second.resolve({ body: finalBody });
    await background.settled("resp_b");
    await background.settled("resp_c");
  });

  it("keeps a streamed job's events for late readers and saves the record before the terminal event", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const background = createBackgroundResponses({ store });
    const frame = (type: string, sequence: number, extra: Record<string, unknown> = {}): string =>
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...extra })}\n\n`;
    const release = deferred<undefined>();
    let statusAtTerminal: string | undefined;
    await background.start({
      ...job(async (_signal, events) => {
        events?.append(frame("response.in_progress", 1), 1);
        events?.append(frame("response.output_text.delta", 2, { delta: "do" }), 2);
        await release.promise;
        events?.append(frame("response.output_text.delta", 3, { delta: "ne" }), 3);
        return { body: finalBody, closingFrames: [frame("response.completed", 4, { response: finalBody })] };
      }),
      stream: true,
    });
    const log = background.events("resp_bg1");
    expect(log).toBeDefined();
    const live: string[] = [];
    const reading = (async () => {
      for await (const text of log?.subscribe(undefined) ?? []) {
        const event = JSON.parse(text.slice(text.indexOf("data: ") + 6)) as { type: string; sequence_number: number; response?: { id: string } };
        if (event.type === "response.completed") statusAtTerminal = (await store.get("resp_bg1", "key-a")).status;
        live.push(`${event.sequence_number}:${event.type}`);
      }
    })();
    await until(() => live.length === 3);
    release.resolve(undefined);
    await reading;
    await background.settled("resp_bg1");
    expect(live).toEqual(["0:response.created", "1:response.in_progress", "2:response.output_text.delta", "3:response.output_text.delta", "4:response.completed"]);
    expect(statusAtTerminal).toBe("completed");

    // A reader attaching after the end, from sequence 2 on, gets the rest in order.
    const late: number[] = [];
    for await (const text of log?.subscribe(2) ?? []) late.push((JSON.parse(text.slice(text.indexOf("data: ") + 6)) as { sequence_number: number }).sequence_number);
    expect(late).toEqual([3, 4]);
  });

  it("ends a cancelled streamed job's events with an error event saying so", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const background = createBackgroundResponses({ store });
    let seen: AbortSignal | undefined;
    await background.start({
      ...job(
        (signal) =>
          new Promise((_resolve, reject) => {
            seen = signal;
            signal.addEventListener("abort", () => reject(signal.reason as Error));
          }),
      ),
      stream: true,
    });
    await until(() => seen !== undefined);
    await background.cancel("resp_bg1", "key-a");
    await background.settled("resp_bg1");
    const types: string[] = [];
    for await (const text of background.events("resp_bg1")?.subscribe(undefined) ?? []) types.push((JSON.parse(text.slice(text.indexOf("data: ") + 6)) as { type: string; code?: string }).type);
    expect(types).toEqual(["response.created", "error"]);
  });
});

describe("response ids", () => {
  it("issues resp_ ids for non-native targets and keeps upstream ids for native ones", () => {
    let counter = 0;
    const issuer = createResponseIdIssuer({ randomId: () => `n${++counter}` });
    expect(issuer.issue({ native: false, upstreamId: "msg_01abc" })).toBe("resp_n1");
    expect(issuer.issue({ native: true, upstreamId: "resp_up" })).toBe("resp_up");
    expect(issuer.issue({ native: true, upstreamId: "up2" })).toBe("resp_up2");
    expect(issuer.issue({ native: true })).toBe("resp_n2");
    expect(issuer.fresh()).toBe("resp_n3");
    expect(createResponseIdIssuer().fresh()).toMatch(/^resp_[0-9a-f]{48}$/);
  });
});

/** A state store that records writes and can delay them, to observe what a request leaves behind and when. */
function recordingState(delayMs = 0): { state: StateStore; writes: string[] } {
  const inner = createMemoryStateStore();
  const writes: string[] = [];
  const later = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, delayMs));
  return {
    writes,
    state: {
      ...inner,
      set: async (key, value, options) => {
        await later();
        await inner.set(key, value, options);
        writes.push(`set ${key}`);
      },
      compareAndSet: async (key, expected, next, options) => {
        writes.push(`cas ${key}`);
        return inner.compareAndSet(key, expected, next, options);
      },
      increment: async (key, delta, options) => {
        writes.push(`increment ${key}`);
        return inner.increment(key, delta, options);
      },
    },
  };
}

const completedRecord: StoredResponse = convertResponseRecord({
  body: { ...finalBody, id: "resp_t1" },
  owner: "key-a",
  input: [{ type: "message", role: "user", content: "hi" }],
  target: { provider: "gemini", protocol: "gemini", upstreamHoldsState: false },
});

describe("store: false and the write before the terminal event", () => {
  it("keeps nothing for store: false over HTTP, and only the connection's copy over a WebSocket", async () => {
    expect(decideResponseStorage({ store: false }, "http")).toBe("none");
    expect(decideResponseStorage({}, "http")).toBe("persistent");
    expect(decideResponseStorage({ store: true }, "websocket")).toBe("persistent");
    expect(decideResponseStorage({ store: false }, "websocket")).toBe("connection");
    expect(() => decideResponseStorage({ store: false, background: true }, "http")).toThrow(GatewayError);
    expect(() => decideResponseStorage({ store: "no" }, "http")).toThrow(GatewayError);

    const shared = recordingState();
    const persistent = createResponseStore({ state: shared.state });
    expect(await saveBeforeTerminal({ persistent }, "none", completedRecord)).toEqual({ saved: false, reason: "store: false" });
    expect([shared.writes, await shared.state.list("")]).toEqual([[], []]);

    const socket = recordingState();
    const connection = createResponseStore({ state: socket.state });
    expect((await saveBeforeTerminal({ persistent, connection }, "connection", completedRecord)).saved).toBe(true);
    expect([shared.writes, socket.writes]).toEqual([[], ["set responses:resp_t1"]]);
  });

  it("saveBeforeTerminal resolves only once a follow-up can read the response, so the terminal event goes after it", async () => {
    const { state } = recordingState(25);
    const writer = createResponseStore({ state });
    const events: string[] = [];
    // The shape the pipeline's stream must have: await the save, then yield the terminal frame.
    async function* clientStream(): AsyncGenerator<string> {
      yield "response.output_text.delta";
      const outcome = await saveBeforeTerminal({ persistent: writer }, "persistent", completedRecord);
      events.push(`saved ${String(outcome.saved)}`);
      yield "response.completed";
    }
    // A follow-up request, as a separate store over the same shared state, fired the instant the terminal arrives.
    const reader = createResponseStore({ state });
    for await (const event of clientStream()) {
      events.push(event);
      if (event === "response.completed") events.push(`follow-up found ${(await reader.get("resp_t1", "key-a")).id}`);
    }
    expect(events).toEqual(["response.output_text.delta", "saved true", "response.completed", "follow-up found resp_t1"]);
  });

  it("saveBeforeTerminal never rejects: a failed write is reported and the stream can still end", async () => {
    const inner = createMemoryStateStore();
    const broken: StateStore = {
      ...inner,
      set: async () => {
        throw new GatewayError("internal", "disk full");
      },
    };
    const outcome = await saveBeforeTerminal({ persistent: createResponseStore({ state: broken }) }, "persistent", completedRecord);
    expect(outcome).toEqual({ saved: false, reason: "response store write failed: disk full" });
  });
});
