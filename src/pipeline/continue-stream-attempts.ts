import { getCodec } from "../protocols/index.js";
import { toGatewayError, type GatewayError, type ProtocolId } from "../unified/index.js";
import type { GatewayResult } from "./gateway-call.js";
import { continuesClientStream, mayRetry, type StreamProgress } from "./stream-progress.js";

type Chunk = string | Uint8Array;
type StreamResult = Extract<GatewayResult, { kind: "stream" }>;

/** What became of a served stream attempt, told back to the executor's attempt loop. */
export type StreamFate =
  /** It failed before committing (only its response start and heartbeats reached the client): retry per the table. */
  | { kind: "failed"; error: unknown }
  /** It ran to its end. */
  | { kind: "ended" }
  /** It failed after committing: not retried, but the credential's record still learns. */
  | { kind: "broke"; error: unknown }
  /** The client left. */
  | { kind: "abandoned" };

/**
 * The executor's attempt loop, suspended while a stream attempt serves: resumed with the attempt's fate, it releases
 * the attempt's lease and either returns, yields the next attempt's stream, or throws when no attempt is left.
 */
export type StreamAttemptLoop<E> = AsyncGenerator<E, E, StreamFate>;

/** What the splice needs from the engine besides the loop. */
export interface StreamContinuationHooks<E> {
  /** The client protocol: the in-stream error when no attempt left an ending of its own. */
  protocol: ProtocolId;
  /** The progress of the attempt serving now. */
  streamProgress?: () => StreamProgress | undefined;
  /** A later attempt took the client stream over: usage and the request log now belong to it. */
  onContinued?: (execution: E) => void;
}

/**
 * One client stream over the attempts of a request. The served attempt's chunks go to the client; when it fails
 * before committing (its response start and heartbeats may have gone out, nothing else), the executor's loop goes on
 * with the next credential or target (same policy table, deadline, attempt records and lease release) and that
 * attempt's chunks continue the same client stream. The continuing attempt drops its own response start
 * (`StreamProgress.continuing`), so the client sees one start, the served attempt's blocks and one terminal
 * sequence. What the splice loses: the continuing attempt's start event (its message or response id, model, input
 * usage) never reaches the client, whose start names the first attempt's; the final usage comes from the served
 * attempt's terminal events, and a Responses client's later events carry the served attempt's response id unless
 * the gateway issued its own (the Responses service does, for targets that are not Responses-native). A passthrough upstream message that carries the start and content together (a Chat role chunk with text) is
 * not cut: the client then sees the role a second time, which Chat clients take as it is.
 * When no attempt is left and bytes already went out, the client gets its protocol's in-stream error ending;
 * before any byte, the error is thrown (the server answers with an HTTP error). The first chunk is pulled before
 * this resolves, so a failure before any byte is thrown here, as an attempt failure always was.
 */
export async function continueStreamAttempts<E extends { result: GatewayResult }>(served: E, loop: StreamAttemptLoop<E>, hooks: StreamContinuationHooks<E>): Promise<E> {
  let execution = served;
  let current = streamOf(execution).chunks[Symbol.asyncIterator]();
  let sent = false;
  let closed = false;
  // The start the client has (from any attempt), and the ending whose encoder state matches what the client saw.
  let clientStarted = false;
  let ending: StreamProgress["ending"];
  let tail: Chunk[] | undefined;

  /** Once: tells the loop how the serving attempt ended, which releases its lease. */
  const settle = async (fate: StreamFate): Promise<void> => {
    if (closed) return;
    closed = true;
    await loop.next(fate);
  };
  const giveUp = (error: GatewayError): IteratorResult<Chunk> => {
    tail = ending?.(error) ?? encodeFallbackEnding(hooks.protocol, clientStarted, error);
    return takeTail();
  };
  const takeTail = (): IteratorResult<Chunk> => {
    const chunk = tail?.shift();
    return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
  };
  /** A chunk of the serving attempt: the end settles its fate first. */
  const arrived = (step: IteratorResult<Chunk>): IteratorResult<Chunk> | Promise<IteratorResult<Chunk>> => {
    if (step.done === true) return settle({ kind: "ended" }).then(() => step);
    sent = true;
    return step;
  };
  /** The serving attempt failed: before it committed, the stream goes on with the next attempt's chunks. */
  const recover = async (thrown: unknown): Promise<IteratorResult<Chunk>> => {
    const progress = hooks.streamProgress?.();
    if (progress !== undefined && !mayRetry(progress)) {
      await settle({ kind: "broke", error: thrown });
      throw thrown;
    }
    if (progress?.ending !== undefined && (progress.started === true || !clientStarted)) ending = progress.ending;
    if (continuesClientStream(progress)) clientStarted = true;
    let next: IteratorResult<E, E>;
    try {
      next = await loop.next({ kind: "failed", error: thrown });
    } catch (final) {
      // The loop released the lease and has nothing left to try.
      closed = true;
      if (!sent) throw final;
      return giveUp(toGatewayError(final));
    }
    execution = next.value;
    if (next.done === true) {
      closed = true;
      return { done: true, value: undefined };
    }
    current = streamOf(execution).chunks[Symbol.asyncIterator]();
    hooks.onContinued?.(execution);
    return pull();
  };
  /**
   * The serving attempt's next chunk; a failure before it committed hands the stream to the next attempt. Not an
   * async function: a chunk costs the source's promise and one `then`, not an async frame's extra turns.
   */
  const pull = (): Promise<IteratorResult<Chunk>> => {
    let step: Promise<IteratorResult<Chunk>>;
    try {
      step = current.next();
    } catch (thrown) {
      return recover(thrown);
    }
    return step.then(arrived, recover);
  };

  let first: IteratorResult<Chunk> | undefined = await pull();
  // A plain iterator rather than an async generator: it only watches the chunks go by, and a generator layer would
  // add its own promise turns to every chunk.
  const chunks: AsyncIterableIterator<Chunk> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    // Not async itself: the chunk's promise is `pull`'s own, without a second promise wrapped around it.
    next() {
      if (first !== undefined) {
        const step = first;
        first = undefined;
        return Promise.resolve(step);
      }
      if (tail !== undefined) return Promise.resolve(takeTail());
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return pull();
    },
    async return(value?: unknown) {
      first = undefined;
      tail = undefined;
      if (!closed) {
        try {
          await current.return?.();
        } finally {
          await settle({ kind: "abandoned" });
        }
      }
      return { done: true, value: value as undefined };
    },
  };
  return { ...execution, result: { ...streamOf(execution), chunks } };
}

function streamOf(execution: { result: GatewayResult }): StreamResult {
  if (execution.result.kind !== "stream") throw new Error("a stream attempt was continued by a result that is not a stream");
  return execution.result;
}

/**
 * The in-stream error when no attempt left an ending of its own (one served without the stream functions): a
 * fresh encoder of the client protocol, put after a start when the client has one (the start's bytes are not sent
 * again).
 */
function encodeFallbackEnding(protocol: ProtocolId, clientStarted: boolean, error: GatewayError): Chunk[] {
  const encoder = getCodec(protocol).createStreamEncoder();
  if (clientStarted) encoder.push({ type: "start" });
  return [encoder.push({ type: "error", error: error.serialize() }) + encoder.end()];
}
