import type { StreamEvent } from "../unified/index.js";
import { isVisibleEvent, type StreamProgress } from "./stream-progress.js";

/** Held output past this size goes out anyway: the hold is meant for a stream's preamble, never for its content. */
const maxHeldBytes = 64 * 1024;

/** Output held back until the stream shows something visible; see `createPreambleHold`. */
export interface PreambleHold<C> {
  /** Notes the events decoded from the output about to be taken (visible output and the terminal event). */
  observe(events: readonly StreamEvent[]): void;
  /** What to send now: nothing while only a preamble came, else whatever was held followed by `chunk`. */
  take(chunk: C): C[];
  /** Everything held, now (after a heartbeat committed the stream, or before an in-stream ending). */
  flush(): C[];
  /**
   * At the upstream's end: throws `progress.onEmpty`'s error when the stream finished without visible output and
   * nothing was sent (so the attempt is retried), else returns what was held.
   */
  end(): C[];
}

/**
 * Holds a stream's preamble (Anthropic `message_start`, Responses `response.created`, a Chat role chunk…) until the
 * first visible output. Bytes that reached the client commit the attempt, so holding the preamble is what lets an
 * in-band error, an early close or an empty stream that comes before any visible output be retried on the next
 * credential or target instead of being spliced into the client's stream. Once anything was sent (a heartbeat, or
 * the release itself) nothing is held any more.
 */
export function createPreambleHold<C extends string | Uint8Array>(progress: StreamProgress): PreambleHold<C> {
  let held: C[] = [];
  let heldBytes = 0;
  let visible = false;
  let finished: StreamEvent | undefined;
  let failed = false;
  const flush = (): C[] => {
    const out = held;
    held = [];
    heldBytes = 0;
    return out;
  };
  return {
    observe(events) {
      for (const event of events) {
        if (!visible && isVisibleEvent(event, progress.reasoningVisible)) visible = true;
        if (event.type === "finish") finished = event;
        else if (event.type === "error") failed = true;
      }
    },
    take(chunk) {
      if (progress.sent || visible) return held.length === 0 ? [chunk] : [...flush(), chunk];
      held.push(chunk);
      heldBytes += chunk.length;
      return heldBytes > maxHeldBytes ? flush() : [];
    },
    flush,
    end() {
      const empty = !progress.sent && !visible && !failed && finished?.type === "finish" && finished.finishReason.unified !== "length";
      const error = empty ? progress.onEmpty?.() : undefined;
      if (error !== undefined) throw error;
      return flush();
    },
  };
}
