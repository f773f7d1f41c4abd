import { toGatewayError, type GatewayError } from "../unified/index.js";

/** How a relayed stream ended, once its upstream side is over. */
export interface RelayEnding {
  /** The upstream stream ran to its end. */
  finished: boolean;
  /** The error it failed with (thrown to the consumer, or met while draining). */
  thrown?: GatewayError;
  /** The consumer had left and the rest was read in the background. */
  drained: boolean;
}

/**
 * Hands `chunks` to the consumer. When the consumer stops early (the client went away) and `drainOnAbandon()` says
 * so (`cancelOnDisconnect: false`), the rest is read in the background with its output discarded, so the upstream
 * call runs to its end and its usage is still observed; otherwise the stream is returned at once, which aborts the
 * upstream. `onEnd` runs exactly once, when the upstream side is over.
 *
 * A plain iterator rather than an async generator: each chunk's promise is the source's own with one `then`, where a
 * generator layer adds several promise turns to every chunk of every stream. The consumer reads one chunk at a time
 * (it never calls `next` again before the last one settled), as the server and the library do.
 */
export function relayClientStream<C>(chunks: AsyncIterable<C>, drainOnAbandon: () => boolean, onEnd: (ending: RelayEnding) => void): AsyncIterableIterator<C> {
  let iterator: AsyncIterator<C> | undefined;
  /** Set once the source is over for this consumer (finished, failed or abandoned): later calls only answer done. */
  let over = false;
  const done = (): IteratorResult<C> => ({ done: true, value: undefined });
  const arrived = (step: IteratorResult<C>): IteratorResult<C> => {
    if (step.done !== true) return step;
    over = true;
    onEnd({ finished: true, drained: false });
    return done();
  };
  const failed = (error: unknown): never => {
    over = true;
    // Thrown only before anything was sent: the server turns it into an HTTP error.
    const thrown = toGatewayError(error);
    onEnd({ finished: false, thrown, drained: false });
    throw thrown;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (over) return Promise.resolve(done());
      iterator ??= chunks[Symbol.asyncIterator]();
      let step: Promise<IteratorResult<C>>;
      try {
        step = iterator.next();
      } catch (error) {
        return Promise.reject(error).then(undefined, failed);
      }
      return step.then(arrived, failed);
    },
    async return(value?: unknown) {
      // Like a generator returned before its first `next`: nothing was started, so nothing ends.
      if (over || iterator === undefined) {
        over = true;
        return { done: true, value: value as undefined };
      }
      over = true;
      if (drainOnAbandon()) void drain(iterator, onEnd);
      else {
        try {
          await iterator.return?.();
        } finally {
          onEnd({ finished: false, drained: false });
        }
      }
      return { done: true, value: value as undefined };
    },
  };
}

async function drain<C>(iterator: AsyncIterator<C>, onEnd: (ending: RelayEnding) => void): Promise<void> {
  let finished = false;
  let thrown: GatewayError | undefined;
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      // Discarded: nobody is listening any more.
    }
    finished = true;
  } catch (error) {
    thrown = toGatewayError(error);
  } finally {
    onEnd({ finished, ...(thrown === undefined ? {} : { thrown }), drained: true });
  }
}
