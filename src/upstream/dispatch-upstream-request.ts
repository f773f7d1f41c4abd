import { errors as undiciErrors, type Dispatcher } from "undici";

/** A dispatched request's answer: status and headers as they arrived, and the body still coming. */
export interface DispatchedResponse {
  status: number;
  /** undici's parsed headers: lower-case names, a repeated header as an array. */
  headers: Record<string, string | string[] | undefined>;
  body: DispatchedBody;
}

/** The body of a dispatched request, read one way only: iterated, read whole, or dumped. */
export interface DispatchedBody {
  /** The chunks as they arrive; a failure is thrown (mapped), returning early aborts the request and its socket. */
  iterate(): AsyncIterator<Uint8Array>;
  /** The whole body as UTF-8 text (a byte-order mark skipped, as `TextDecoder` does). */
  text(): Promise<string>;
  /** Drops the body: reads up to `limitBytes` more so the socket can be reused, aborts the request beyond that. */
  dump(limitBytes: number): Promise<void>;
}

/** Above this many unread bytes the socket is paused until the reader catches up (undici's own body default). */
const highWaterBytes = 64 * 1024;

/**
 * Sends one request through `dispatcher.dispatch` with a handler of our own, instead of undici's `request()`. That
 * one builds, per request, an AsyncResource, a callback-to-promise wrapper and a Node Readable for the body, and
 * pushes every chunk through the Readable's buffering before our reader takes it; on a cold core that is a fair
 * part of the time between the upstream's first byte and the client's. Here a chunk goes straight to a waiting
 * reader, or into a small queue with backpressure through undici's pause/resume.
 *
 * Failures (connect, timeouts, resets, an abort through `signal`) reject the answer before the headers and are
 * thrown by the body's reader after them, both mapped by `mapError`. `answerWith` shapes the answer from the
 * response once its headers are in.
 * @see https://undici.nodejs.org/#/docs/api/Dispatcher?id=dispatcherdispatchoptions-handler
 */
export function dispatchUpstreamRequest<Answer>(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
  mapError: (error: unknown) => unknown,
  answerWith: (response: DispatchedResponse) => Answer,
): Promise<Answer> {
  if (signal?.aborted === true) return Promise.reject(mapError(signal.reason));
  return new Promise<Answer>((resolve, reject) => {
    // The caller's answer is built when the headers arrive and resolves the promise itself: no `then` (and no promise
    // turn) between the upstream's headers and the pipeline.
    const exchange = new UpstreamExchange((response) => resolve(answerWith(response)), reject, signal, mapError);
    // undici hands errors thrown while dispatching (invalid options, a closed dispatcher) to the handler's error hook.
    dispatcher.dispatch(options, exchange);
  });
}

type Reading = "none" | "iterate" | "text" | "dump";

/**
 * The handler and the body in one object per request. A class rather than closures: one allocation, methods shared,
 * and it is its own abort listener (`handleEvent`).
 */
class UpstreamExchange implements Dispatcher.DispatchHandler, DispatchedBody {
  #answer: { resolve(response: DispatchedResponse): void; reject(error: unknown): void } | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #mapError: (error: unknown) => unknown;
  #controller: Dispatcher.DispatchController | undefined;
  /** An abort asked for before undici started the request: applied when it does. */
  #pendingAbort: Error | undefined;
  #reading: Reading = "none";
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #ended = false;
  /** Set when the request failed after its headers: the body's readers throw it (mapped). */
  #failure: { error: unknown } | undefined;
  /** Iterated to its end, failed or returned: the iterator answers done. */
  #over = false;
  /** The pending read of the iterator, of `text()`, or of `dump()`. */
  #waiter: { resolve(value: never): void; reject(error: unknown): void } | undefined;
  #dumpLimit = 0;

  constructor(
    resolve: (response: DispatchedResponse) => void,
    reject: (error: unknown) => void,
    signal: AbortSignal | undefined,
    mapError: (error: unknown) => unknown,
  ) {
    this.#answer = { resolve, reject };
    this.#signal = signal;
    this.#mapError = mapError;
    signal?.addEventListener("abort", this, { once: true });
  }

  /** The signal's abort: the request is aborted with its reason (mapped by `mapError`, which reads the signal). */
  handleEvent(): void {
    this.#abort(toError(this.#signal?.reason));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pendingAbort !== undefined) controller.abort(this.#pendingAbort);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx informational answers come before the real one.
    if (statusCode < 200) return;
    const answer = this.#answer;
    this.#answer = undefined;
    answer?.resolve({ status: statusCode, headers, body: this });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    switch (this.#reading) {
      case "iterate":
      case "none": {
        if (this.#over) return;
        const waiter = this.#waiter;
        if (waiter !== undefined && this.#reading === "iterate") {
          this.#waiter = undefined;
          (waiter.resolve as (result: IteratorResult<Uint8Array>) => void)({ done: false, value: chunk });
          return;
        }
        this.#queue.push(chunk);
        this.#queuedBytes += chunk.length;
        if (this.#queuedBytes > highWaterBytes) controller.pause();
        return;
      }
      case "text":
        this.#queue.push(chunk);
        return;
      case "dump":
        this.#dumpLimit -= chunk.length;
        // Beyond the limit reading on costs more than a new connection: the request is aborted (its socket closes).
        if (this.#dumpLimit < 0) this.#abort(new undiciErrors.RequestAbortedError());
        return;
      default: {
        const unreachable: never = this.#reading;
        return unreachable;
      }
    }
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.#signal?.removeEventListener("abort", this);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    switch (this.#reading) {
      case "iterate":
        this.#over = true;
        (waiter.resolve as (result: IteratorResult<Uint8Array>) => void)({ done: true, value: undefined });
        return;
      case "text":
        (waiter.resolve as (text: string) => void)(this.#takeText());
        return;
      case "dump":
      case "none":
        (waiter.resolve as () => void)();
        return;
      default: {
        const unreachable: never = this.#reading;
        return unreachable;
      }
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#signal?.removeEventListener("abort", this);
    const answer = this.#answer;
    if (answer !== undefined) {
      this.#answer = undefined;
      answer.reject(this.#mapError(error));
      return;
    }
    if (this.#ended || this.#over) return;
    this.#failure = { error };
    this.#queue = [];
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (this.#reading === "dump") (waiter.resolve as () => void)();
    else {
      this.#over = true;
      waiter.reject(this.#mapError(error));
    }
  }

  iterate(): AsyncIterator<Uint8Array> {
    this.#reading = "iterate";
    return { next: () => this.#next(), return: (value?: unknown) => this.#return(value) };
  }

  text(): Promise<string> {
    this.#reading = "text";
    if (this.#failure !== undefined) return Promise.reject(this.#mapError(this.#failure.error));
    if (this.#ended) return Promise.resolve(this.#takeText());
    // Everything is wanted: no backpressure while reading whole.
    this.#controller?.resume();
    return new Promise<string>((resolve, reject) => {
      this.#waiter = { resolve: resolve as (value: never) => void, reject };
    });
  }

  dump(limitBytes: number): Promise<void> {
    this.#reading = "dump";
    this.#dumpLimit = limitBytes - this.#queuedBytes;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (this.#ended || this.#failure !== undefined) return Promise.resolve();
    if (this.#dumpLimit < 0) {
      this.#abort(new undiciErrors.RequestAbortedError());
      return Promise.resolve();
    }
    this.#controller?.resume();
    return new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve: resolve as (value: never) => void, reject };
    });
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#over) return Promise.resolve({ done: true, value: undefined });
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.length;
      if (this.#queuedBytes <= highWaterBytes) this.#controller?.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.#failure !== undefined) {
      this.#over = true;
      return Promise.reject(this.#mapError(this.#failure.error));
    }
    if (this.#ended) {
      this.#over = true;
      return Promise.resolve({ done: true, value: undefined });
    }
    // The consumer reads one chunk at a time (the pipeline's readers never call `next` again before it settled).
    return new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
      this.#waiter = { resolve: resolve as (value: never) => void, reject };
    });
  }

  #return(value?: unknown): Promise<IteratorResult<Uint8Array>> {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    (waiter?.resolve as ((result: IteratorResult<Uint8Array>) => void) | undefined)?.({ done: true, value: undefined });
    if (!this.#over) {
      this.#over = true;
      this.#queue = [];
      // Before its end the request is aborted: undici closes its socket, nothing half-read is reused. The abort's own
      // error comes back at once, to a reader that has left (`#over`): it is dropped.
      if (!this.#ended && this.#failure === undefined) this.#abort(new undiciErrors.RequestAbortedError());
    }
    return Promise.resolve({ done: true, value: value as undefined });
  }

  #abort(reason: Error): void {
    if (this.#controller === undefined) this.#pendingAbort = reason;
    else if (!this.#controller.aborted) this.#controller.abort(reason);
  }

  #takeText(): string {
    const chunks = this.#queue;
    this.#queue = [];
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    // Buffer's own UTF-8 decoding (no decoder object per body), with the byte-order mark skipped as TextDecoder does;
    // malformed bytes become U+FFFD with both.
    return bytes.toString("utf8", bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  }
}

/** An abort reason as the Error undici's abort wants; `mapError` reads the signal's own reason anyway. */
function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new undiciErrors.RequestAbortedError();
}
