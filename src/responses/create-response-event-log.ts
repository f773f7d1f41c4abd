import { invalidRequest } from "../unified/index.js";

/** The headers of every event stream the Responses layer answers itself (background jobs, re-attaches). */
export const eventStreamHeaders: Readonly<Record<string, string>> = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };

/** Options of one response's event log. */
export interface ResponseEventLogOptions {
  /** Most bytes of frames held for late subscribers; older frames are dropped past it (live ones still flow). */
  maxBytes: number;
}

/**
 * The SSE frames of one streamed background response, in order, for every client that attaches to it: the POST that
 * started it and any `GET /v1/responses/{id}?stream=true&starting_after=<n>` later. The run never waits for a
 * subscriber (it is detached): a slow one is served from the held frames at its own pace.
 */
export interface ResponseEventLog {
  /** Adds a frame (a whole `event:`/`data:` block) with the event's `sequence_number`. */
  append(frame: string, sequence: number): void;
  /** The sequence number the next event takes (one past the last appended; 0 when empty). */
  nextSequence(): number;
  /** No more frames: subscribers end once they have read everything. Idempotent. */
  finish(): void;
  readonly finished: boolean;
  /**
   * The frames after `startingAfter` (all when undefined), then live ones until the log finishes or `signal` aborts.
   * A 400 when frames the caller asked for were already dropped by the byte cap.
   */
  subscribe(startingAfter: number | undefined, signal?: AbortSignal): AsyncGenerator<string>;
}

interface HeldFrame {
  sequence: number;
  frame: string;
}

/** A bounded in-memory event log. */
export function createResponseEventLog(responseId: string, options: ResponseEventLogOptions): ResponseEventLog {
  const held: HeldFrame[] = [];
  let heldBytes = 0;
  /** Frames dropped from the head, so positions stay absolute for readers. */
  let dropped = 0;
  let droppedThrough = -1;
  let next = 0;
  let finished = false;
  const wakers = new Set<() => void>();
  const wake = (): void => {
    for (const waker of [...wakers]) waker();
  };

  return {
    append: (frame, sequence) => {
      held.push({ sequence, frame });
      heldBytes += frame.length;
      next = sequence + 1;
      while (heldBytes > options.maxBytes && held.length > 1) {
        const oldest = held.shift() as HeldFrame;
        heldBytes -= oldest.frame.length;
        dropped++;
        droppedThrough = oldest.sequence;
      }
      wake();
    },
    nextSequence: () => next,
    finish: () => {
      finished = true;
      wake();
    },
    get finished() {
      return finished;
    },
    subscribe: async function* (startingAfter, signal) {
      if (droppedThrough >= 0 && (startingAfter === undefined || startingAfter < droppedThrough)) {
        throw invalidRequest("starting_after", `events of response '${responseId}' up to ${droppedThrough} are no longer held; ask for later ones`);
      }
      // Absolute position of the next frame to read (held[position - dropped]).
      let position = dropped;
      while (position - dropped < held.length && startingAfter !== undefined && (held[position - dropped] as HeldFrame).sequence <= startingAfter) position++;
      for (;;) {
        if (signal?.aborted === true) return;
        if (position < dropped) {
          // This reader fell behind the byte cap; it cannot be served in order any more.
          throw invalidRequest("starting_after", `the reader of response '${responseId}' fell behind the held events`);
        }
        const entry = held[position - dropped];
        if (entry !== undefined) {
          position++;
          yield entry.frame;
          continue;
        }
        if (finished) return;
        await new Promise<void>((resolve) => {
          const done = (): void => {
            wakers.delete(done);
            signal?.removeEventListener("abort", done);
            resolve();
          };
          wakers.add(done);
          signal?.addEventListener("abort", done, { once: true });
        });
      }
    },
  };
}
