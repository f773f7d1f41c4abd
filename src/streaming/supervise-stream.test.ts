import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../unified/index.js";
import { heartbeat, startStreamSupervisor, type Heartbeat } from "./supervise-stream.js";

/** An upstream whose chunks the test releases one by one; records whether its iterator was returned. */
function controlledSource(): { source: AsyncIterable<string>; push(chunk: string): void; end(): void; returned: () => boolean } {
  const waiting: Array<(result: IteratorResult<string>) => void> = [];
  const queued: Array<IteratorResult<string>> = [];
  let returned = false;
  const deliver = (result: IteratorResult<string>): void => {
    const resolve = waiting.shift();
    if (resolve === undefined) queued.push(result);
    else resolve(result);
  };
  return {
    source: {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          const ready = queued.shift();
          return ready === undefined ? new Promise<IteratorResult<string>>((resolve) => waiting.push(resolve)) : Promise.resolve(ready);
        },
        return: () => {
          returned = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    },
    push: (chunk) => deliver({ done: false, value: chunk }),
    end: () => deliver({ done: true, value: undefined }),
    returned: () => returned,
  };
}

/** Collects everything a supervised stream yields, and what it threw. */
async function drain(stream: AsyncIterable<string | Heartbeat>): Promise<{ items: string[]; error?: unknown }> {
  const items: string[] = [];
  try {
    for await (const item of stream) items.push(item === heartbeat ? "♥" : item);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

const settings = { ttfbMs: 1000, stallMs: 500, heartbeatMs: 200 };

describe("startStreamSupervisor with fake timers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("yields chunks and a heartbeat for each silent interval, then ends with no timer left", async () => {
    const upstream = controlledSource();
    const supervisor = startStreamSupervisor({ ...settings, signal: new AbortController().signal });
    const result = drain(supervisor.supervise(upstream.source));
    await vi.advanceTimersByTimeAsync(450);
    upstream.push("a");
    await vi.advanceTimersByTimeAsync(100);
    upstream.push("b");
    upstream.end();
    expect(await result).toEqual({ items: ["♥", "♥", "a", "b"] });
    expect(supervisor.metrics).toMatchObject({ chunks: 2, heartbeats: 2, firstChunkAt: supervisor.metrics.startedAt + 450 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("throws upstream_timeout when the first chunk misses the TTFB deadline, counted from request start", async () => {
    const upstream = controlledSource();
    const startedAt = Date.now();
    vi.advanceTimersByTime(300);
    const supervisor = startStreamSupervisor({ ...settings, heartbeatMs: 0, signal: new AbortController().signal, startedAt, provider: "mock" });
    const result = drain(supervisor.supervise(upstream.source));
    await vi.advanceTimersByTimeAsync(699);
    expect(upstream.returned()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await result;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "upstream_timeout", message: "mock: no response within the 1000 ms time-to-first-byte deadline" });
    // The request is aborted with the same error, so undici closes the socket, and the iterator is returned.
    expect(supervisor.signal.reason).toBe(error);
    expect(upstream.returned()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborts the header wait when TTFB passes before the body exists", async () => {
    const supervisor = startStreamSupervisor({ ...settings, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(1000);
    expect(supervisor.signal.aborted).toBe(true);
    expect(supervisor.signal.reason).toMatchObject({ code: "upstream_timeout" });
    supervisor.release();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("throws stream_stalled when chunks stop, heartbeats not counting as progress", async () => {
    const upstream = controlledSource();
    const supervisor = startStreamSupervisor({ ...settings, signal: new AbortController().signal });
    const result = drain(supervisor.supervise(upstream.source));
    upstream.push("a");
    await vi.advanceTimersByTimeAsync(500);
    const { items, error } = await result;
    expect(items).toEqual(["a", "♥", "♥"]);
    expect(error).toMatchObject({ code: "stream_stalled", message: "upstream: the stream sent nothing for 500 ms" });
    expect(upstream.returned()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops waiting at once when the client goes away, with the client's reason", async () => {
    const upstream = controlledSource();
    const client = new AbortController();
    const supervisor = startStreamSupervisor({ ...settings, signal: client.signal });
    const result = drain(supervisor.supervise(upstream.source));
    upstream.push("a");
    await vi.advanceTimersByTimeAsync(10);
    const reason = new GatewayError("client_closed", "client disconnected");
    client.abort(reason);
    expect(await result).toEqual({ items: ["a"], error: reason });
    expect(supervisor.signal.reason).toBe(reason);
    expect(upstream.returned()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborts the upstream request when the consumer stops reading during a heartbeat", async () => {
    const upstream = controlledSource();
    const supervisor = startStreamSupervisor({ ...settings, signal: new AbortController().signal });
    const stream = supervisor.supervise(upstream.source);
    const first = stream.next();
    await vi.advanceTimersByTimeAsync(200);
    expect(await first).toEqual({ done: false, value: heartbeat });
    await stream.return(undefined);
    expect(supervisor.signal.reason).toMatchObject({ code: "client_closed" });
    expect(upstream.returned()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves the request alone after a normal end, so its socket can be reused", async () => {
    const upstream = controlledSource();
    const client = new AbortController();
    const supervisor = startStreamSupervisor({ ...settings, signal: client.signal });
    upstream.push("a");
    upstream.end();
    expect(await drain(supervisor.supervise(upstream.source))).toEqual({ items: ["a"] });
    client.abort();
    expect(supervisor.signal.aborted).toBe(false);
    expect(upstream.returned()).toBe(false);
  });

  it("arms no timer for a chunk that is already in, and both for one still to come", async () => {
    const upstream = controlledSource();
    let armed = 0;
    const clock = {
      now: () => Date.now(),
      setTimeout: (callback: () => void, ms: number) => {
        armed += 1;
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const supervisor = startStreamSupervisor({ ...settings, signal: new AbortController().signal, clock });
    // The header timer, which becomes the TTFB deadline of the body.
    expect(armed).toBe(1);
    upstream.push("a");
    const stream = supervisor.supervise(upstream.source);
    expect(await stream.next()).toEqual({ done: false, value: "a" });
    expect(armed).toBe(1);
    const second = stream.next();
    await Promise.resolve();
    // The stall deadline and the heartbeat.
    expect(armed).toBe(3);
    expect(vi.getTimerCount()).toBe(2);
    upstream.push("b");
    expect(await second).toEqual({ done: false, value: "b" });
    upstream.end();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("startStreamSupervisor with real timers", () => {
  it("sends heartbeats over a silent upstream, then times out the stall and cleans up", async () => {
    async function* slow(): AsyncGenerator<string> {
      yield "a";
      await sleep(1000);
      yield "never";
    }
    const supervisor = startStreamSupervisor({ ttfbMs: 500, stallMs: 120, heartbeatMs: 50, signal: new AbortController().signal });
    const started = performance.now();
    const { items, error } = await drain(supervisor.supervise(slow()));
    expect(items).toEqual(["a", "♥", "♥"]);
    expect(error).toMatchObject({ code: "stream_stalled" });
    expect(performance.now() - started).toBeLessThan(400);
  });
});
