import { GatewayError } from "../unified/index.js";

/**
 * Yielded by a supervised stream when upstream has been silent for one heartbeat interval. It is never output: the
 * encoder side turns it into its protocol's keep-alive (see `encodeHeartbeat`) so clients and proxies between them
 * see the connection is alive.
 */
export const heartbeat: unique symbol = Symbol("switchyard.heartbeat");

/** The heartbeat marker's type. */
export type Heartbeat = typeof heartbeat;

/** Time source and timers; injectable so tests can drive them, the globals by default (vitest's fake timers apply). */
export interface SupervisorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The deadlines of one supervised stream. */
export interface StreamTimeouts {
  /** Request start to the first upstream body byte. */
  ttfbMs: number;
  /** Longest upstream silence between chunks once the first one arrived. */
  stallMs: number;
  /** Heartbeat interval while upstream is silent; 0 = none. */
  heartbeatMs: number;
}

/** Defaults suited to coding agents (minutes of reasoning before the first token); the config's are the same. */
export const defaultStreamTimeouts: Readonly<StreamTimeouts> = { ttfbMs: 180_000, stallMs: 300_000, heartbeatMs: 15_000 };

/** Options of `startStreamSupervisor`. */
export interface StreamSupervisorOptions extends StreamTimeouts {
  /** The client's (or the request's) signal: its abort cancels the upstream at once. */
  signal: AbortSignal;
  /** When the request started, on the clock's scale (default: now); the TTFB deadline counts from here. */
  startedAt?: number;
  /** Names the upstream in timeout messages. */
  provider?: string;
  clock?: SupervisorClock;
}

/** How one supervised stream went, for the request log line. Times are on the clock's scale. */
export interface StreamMetrics {
  startedAt: number;
  firstChunkAt?: number;
  endedAt?: number;
  /** Upstream chunks received. */
  chunks: number;
  heartbeats: number;
}

/** A supervised stream: upstream chunks and heartbeat markers, read one at a time; `return` abandons it. */
export interface SupervisedStream<T> extends AsyncIterableIterator<T | Heartbeat> {
  return(value?: unknown): Promise<IteratorResult<T | Heartbeat>>;
}

/** One upstream attempt's supervision; see `startStreamSupervisor`. */
export interface StreamSupervisor {
  /**
   * Give this to the upstream request. It aborts when the client goes away, when a deadline passes (reason: the
   * GatewayError thrown), or when the consumer abandons the stream, so undici closes the socket at once.
   */
  readonly signal: AbortSignal;
  readonly metrics: Readonly<StreamMetrics>;
  /**
   * The only wait-for-next-chunk loop: yields upstream chunks and heartbeat markers; throws `upstream_timeout`
   * (TTFB), `stream_stalled` (stall) or the abort reason. Returning early, throwing or finishing leaves no timer
   * or listener behind.
   */
  supervise<T>(source: AsyncIterable<T>): SupervisedStream<T>;
  /** Ends the supervision without a stream (the request failed before its body): clears timers and listeners. */
  release(): void;
}

const globalClock: SupervisorClock = {
  now: () => Date.now(),
  // Looked up at call time so that fake timers installed after import still apply.
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

type Wake<T> = { kind: "next"; result: IteratorResult<T> } | { kind: "heartbeat" };

/**
 * Starts supervising one upstream attempt at request start: the TTFB deadline already covers the wait for the
 * response headers (through `signal`), then `supervise()` watches the body.
 */
export function startStreamSupervisor(options: StreamSupervisorOptions): StreamSupervisor {
  const clock = options.clock ?? globalClock;
  const startedAt = options.startedAt ?? clock.now();
  const who = options.provider === undefined ? "upstream" : options.provider;
  const controller = new AbortController();
  const metrics: StreamMetrics = { startedAt, chunks: 0, heartbeats: 0 };
  const onClientAbort = (): void => controller.abort(options.signal.reason);
  let released = false;

  const ttfbError = (): GatewayError =>
    new GatewayError("upstream_timeout", `${who}: no response within the ${options.ttfbMs} ms time-to-first-byte deadline`, {
      ...(options.provider === undefined ? {} : { provider: options.provider }),
    });
  const stallError = (): GatewayError =>
    new GatewayError("stream_stalled", `${who}: the stream sent nothing for ${options.stallMs} ms`, {
      ...(options.provider === undefined ? {} : { provider: options.provider }),
    });

  /** Set once a stream is supervised: the header timer then serves as its TTFB deadline timer (see `start`). */
  let onSupervisedDeadline: (() => void) | undefined;
  // Until the body is supervised, the TTFB deadline aborts the header wait.
  let headerTimer: unknown = clock.setTimeout(() => (onSupervisedDeadline === undefined ? controller.abort(ttfbError()) : onSupervisedDeadline()), Math.max(0, startedAt + options.ttfbMs - clock.now()));
  if (options.signal.aborted) onClientAbort();
  else options.signal.addEventListener("abort", onClientAbort, { once: true });

  const release = (): void => {
    if (released) return;
    released = true;
    if (headerTimer !== undefined) clock.clearTimeout(headerTimer);
    headerTimer = undefined;
    options.signal.removeEventListener("abort", onClientAbort);
    metrics.endedAt ??= clock.now();
  };

  /*
   * A plain iterator rather than an async generator: a chunk costs the upstream read and one promise around it, where a
   * generator layer adds its own promise turns to every chunk of every stream. It behaves as the generator did: nothing
   * starts before the first `next`, and `return` while a read is pending waits for that read, then cleans up.
   */
  function supervise<T>(source: AsyncIterable<T>): SupervisedStream<T> {
    let started = false;
    let over = false;
    /** The `next` in progress, so that `return` (and a second `next`) wait behind it, as a generator's queue does. */
    let inflight: Promise<IteratorResult<T | Heartbeat>> = Promise.resolve({ done: true, value: undefined });
    let busy = false;
    let iterator: AsyncIterator<T> | undefined;
    // A heartbeat leaves the upstream read pending; the next wait picks the same read up again.
    let pending: Promise<IteratorResult<T>> | undefined;
    let finished = false;
    let lastChunkAt: number | undefined;
    /** The wait in progress (at most one: the next chunk is asked for only after the last one settled). */
    let waiting: { since: number; resolve(wake: Wake<T>): void; reject(error: unknown): void } | undefined;
    /**
     * Two timers per stream, armed lazily, instead of two per chunk: a chunk only moves the deadline forward, and a
     * timer that fires early (a chunk came meanwhile) re-arms itself for the rest. A timer firing while no wait is
     * in progress disarms; the next wait arms it again, at `max(0, due − now)` as before.
     */
    let deadlineTimer: unknown;
    let heartbeatTimer: unknown;
    const deadlineAt = (): number => (metrics.firstChunkAt === undefined ? startedAt + options.ttfbMs : (lastChunkAt ?? startedAt) + options.stallMs);
    const abortIfDue = (now: number): boolean => {
      if (now < deadlineAt()) return false;
      // Aborting (not just rejecting) makes undici close the socket now, and rejects the wait with the error.
      controller.abort(metrics.firstChunkAt === undefined ? ttfbError() : stallError());
      return true;
    };
    const armDeadline = (): void => {
      deadlineTimer = clock.setTimeout(onDeadline, Math.max(0, deadlineAt() - clock.now()));
    };
    const onDeadline = (): void => {
      deadlineTimer = undefined;
      if (waiting === undefined) return;
      if (!abortIfDue(clock.now())) armDeadline();
    };
    const armHeartbeat = (ms: number): void => {
      heartbeatTimer = clock.setTimeout(onHeartbeat, ms);
    };
    const onHeartbeat = (): void => {
      heartbeatTimer = undefined;
      const current = waiting;
      if (current === undefined) return;
      const now = clock.now();
      // A deadline due at the same instant wins, as when its timer was always armed first.
      if (abortIfDue(now)) return;
      const silentFor = now - current.since;
      if (silentFor < options.heartbeatMs) return armHeartbeat(options.heartbeatMs - silentFor);
      waiting = undefined;
      current.resolve({ kind: "heartbeat" });
    };
    const stopTimers = (): void => {
      if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
      if (heartbeatTimer !== undefined) clock.clearTimeout(heartbeatTimer);
      deadlineTimer = heartbeatTimer = undefined;
    };
    // One listener for the whole stream instead of one per chunk (added when the stream starts).
    const onAbort = (): void => {
      const current = waiting;
      waiting = undefined;
      current?.reject(controller.signal.reason);
    };

    /** The next chunk or heartbeat; what wakes the wait settles the consumer's promise itself (no second promise per chunk). */
    const wait = (upstream: AsyncIterator<T>): Promise<IteratorResult<T | Heartbeat>> => {
      const read = (pending ??= upstream.next());
      return new Promise<IteratorResult<T | Heartbeat>>((resolve, reject) => {
        if (controller.signal.aborted) return reject(fail(controller.signal.reason));
        const current = { since: 0, resolve: (wake: Wake<T>) => resolve(onWake(wake)), reject: (error: unknown) => reject(fail(error)) };
        waiting = current;
        if (options.heartbeatMs > 0) current.since = clock.now();
        read.then(
          (result) => {
            if (waiting !== current) return; // settled already (heartbeat or abort); the next wait takes this read
            waiting = undefined;
            current.resolve({ kind: "next", result });
          },
          (error: unknown) => {
            if (waiting !== current) return;
            waiting = undefined;
            current.reject(error);
          },
        );
        // The timers are armed only if the read is still pending once its own reaction (queued first) has run: a chunk
        // already in (a burst, or the first chunk with the headers) then costs no timer armed and cleared again.
        queueMicrotask(() => {
          if (waiting !== current) return;
          if (deadlineTimer === undefined) armDeadline();
          if (options.heartbeatMs > 0 && heartbeatTimer === undefined) armHeartbeat(Math.max(0, options.heartbeatMs - (clock.now() - current.since)));
        });
      });
    };

    const done = (): IteratorResult<T | Heartbeat> => ({ done: true, value: undefined });
    const onWake = (wake: Wake<T>): IteratorResult<T | Heartbeat> => {
      busy = false;
      if (wake.kind === "heartbeat") {
        metrics.heartbeats += 1;
        return { done: false, value: heartbeat };
      }
      pending = undefined;
      if (wake.result.done === true) {
        finished = true;
        finish();
        return done();
      }
      lastChunkAt = clock.now();
      if (metrics.firstChunkAt === undefined) {
        metrics.firstChunkAt = lastChunkAt;
        // The stall deadline can come before the TTFB one the timer was armed for: both timers re-arm at the next
        // wait (once per stream), so nothing of the supervisor is pending while the first chunk is held.
        stopTimers();
      }
      metrics.chunks += 1;
      return { done: false, value: wake.result.value };
    };
    /** The stream failed: cleans up and gives the error back, for the consumer's promise to reject with. */
    const fail = (error: unknown): unknown => {
      busy = false;
      finish();
      return error;
    };
    /** Once, however the stream ends: no timer or listener is left behind. */
    const finish = (): void => {
      if (over) return;
      over = true;
      waiting = undefined;
      stopTimers();
      controller.signal.removeEventListener("abort", onAbort);
      release();
      if (!finished) {
        // Abandoned, failed or timed out: abort the request so the socket closes even while a read is pending (an
        // iterator's return() would queue behind that read), then return the iterator for its own cleanup.
        if (!controller.signal.aborted) controller.abort(new GatewayError("client_closed", `${who}: the stream was abandoned by its consumer`));
        pending?.catch(() => undefined);
        iterator?.return?.().catch(() => undefined);
      }
    };
    const start = (): AsyncIterator<T> => {
      started = true;
      // The header timer is due at the TTFB deadline, the body's first deadline too: it becomes the deadline timer
      // (one timer fewer per stream), only no longer aborting when no wait is in progress.
      if (headerTimer !== undefined) {
        deadlineTimer = headerTimer;
        onSupervisedDeadline = onDeadline;
      }
      headerTimer = undefined;
      controller.signal.addEventListener("abort", onAbort, { once: true });
      return source[Symbol.asyncIterator]();
    };
    const step = (): Promise<IteratorResult<T | Heartbeat>> => {
      if (over) return Promise.resolve(done());
      busy = true;
      try {
        iterator ??= start();
        return wait(iterator);
      } catch (error) {
        return Promise.reject(fail(error));
      }
    };
    const stream: SupervisedStream<T> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        inflight = busy ? inflight.then(step, step) : step();
        return inflight;
      },
      return(value?: unknown) {
        const close = (): IteratorResult<T | Heartbeat> => {
          // Returned before it started, like a generator never run: nothing to clean up (the header timer stays).
          if (started) finish();
          over = true;
          return { done: true, value: value as undefined };
        };
        return busy ? inflight.then(close, close) : Promise.resolve(close());
      },
    };
    return stream;
  }

  return { signal: controller.signal, metrics, supervise, release };
}
