import type { Readable } from "node:stream";

/**
 * An undici response body (a Node Readable) read chunk by chunk, as a plain iterator. Node's own `Readable` async
 * iterator is an async generator with an end-of-stream watcher: per stream it adds a generator, several listeners and
 * a finished-callback, and per chunk a generator's promise turns, all before the first upstream byte reaches the
 * pipeline. This reads the same way (`read()` in paused mode, waiting for `readable`, `end`, `error` or `close` only
 * when nothing is buffered), so what is buffered comes out at once, and backpressure is Node's: `read()` asks undici
 * for more only below the high-water mark.
 *
 * As with Node's iterator: chunks as read (what is buffered comes out as one), a failure of the body is thrown (mapped
 * by `mapError`), and returning early destroys the body, which makes undici abort the request and close its socket.
 * Unlike it, `return` does not queue behind a pending read: it destroys the body at once and the pending read
 * answers done. The `end`, `error` and `close` listeners are attached when the iterator is made, so a body failing
 * before its first read is caught here, never an unhandled `error` event; `readable` once a read has to wait.
 */
export function iterateReadableBody(body: Readable, mapError: (error: unknown) => unknown): AsyncIterator<Uint8Array> {
  /** Finished, failed or returned: later reads answer done. */
  let over = false;
  let waiting: { resolve(result: IteratorResult<Uint8Array>): void; reject(error: unknown): void } | undefined;
  let wait: Promise<IteratorResult<Uint8Array>> | undefined;

  const done = (): IteratorResult<Uint8Array> => ({ done: true, value: undefined });
  /** What the body has now: a chunk, its end, its failure (thrown), or undefined when the read has to wait. */
  const attempt = (): IteratorResult<Uint8Array> | undefined => {
    const failure = body.errored;
    if (failure !== null) {
      over = true;
      throw mapError(failure);
    }
    if (body.readableEnded) {
      over = true;
      return done();
    }
    // Destroyed without an error and before its end: undici always gives one (RequestAbortedError), Node's iterator
    // reports such a close as premature.
    if (body.destroyed) {
      over = true;
      throw mapError(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    }
    const chunk = body.read() as Uint8Array | null;
    return chunk === null ? undefined : { done: false, value: chunk };
  };
  /** Any event of the body: a pending read tries again. */
  const wake = (): void => {
    const current = waiting;
    if (current === undefined) return;
    let result: IteratorResult<Uint8Array> | undefined;
    try {
      result = attempt();
    } catch (error) {
      waiting = undefined;
      wait = undefined;
      current.reject(error);
      return;
    }
    if (result === undefined) return;
    waiting = undefined;
    wait = undefined;
    current.resolve(result);
  };
  // `readable` only once a read has to wait: a listener attached while data is buffered schedules a `readable` event
  // nobody needs (a burst's body is usually all there at the first read). `error` from the start, so a failure
  // before the first read is never an unhandled event.
  let listening = false;
  body.on("end", wake);
  body.on("error", wake);
  body.on("close", wake);

  const iterator: AsyncIterator<Uint8Array> = {
    next() {
      if (over) return Promise.resolve(done());
      // One read at a time: a second `next` waits behind the pending one, as a generator's queue would.
      if (wait !== undefined) return wait.then(() => iterator.next());
      let result: IteratorResult<Uint8Array> | undefined;
      try {
        result = attempt();
      } catch (error) {
        return Promise.reject(error as Error);
      }
      if (result !== undefined) return Promise.resolve(result);
      wait = new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
        waiting = { resolve, reject };
      });
      if (!listening) {
        listening = true;
        body.on("readable", wake);
      }
      return wait;
    },
    return(value?: unknown) {
      if (!over) {
        over = true;
        // undici's body aborts its request when destroyed before its end (its socket closes; nothing is reused).
        if (!body.destroyed) body.destroy();
      }
      const current = waiting;
      waiting = undefined;
      wait = undefined;
      current?.resolve(done());
      return Promise.resolve({ done: true, value: value as undefined });
    },
  };
  return iterator;
}
