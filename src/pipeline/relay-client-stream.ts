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
 */
export async function* relayClientStream<C>(chunks: AsyncIterable<C>, drainOnAbandon: () => boolean, onEnd: (ending: RelayEnding) => void): AsyncGenerator<C> {
  const iterator = chunks[Symbol.asyncIterator]();
  let finished = false;
  let thrown: GatewayError | undefined;
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    finished = true;
  } catch (error) {
    // Thrown only before anything was sent: the server turns it into an HTTP error.
    thrown = toGatewayError(error);
    throw thrown;
  } finally {
    if (finished || thrown !== undefined) onEnd({ finished, ...(thrown === undefined ? {} : { thrown }), drained: false });
    else if (drainOnAbandon()) void drain(iterator, onEnd);
    else {
      try {
        await iterator.return?.();
      } finally {
        onEnd({ finished: false, drained: false });
      }
    }
  }
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
