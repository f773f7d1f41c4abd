import type { StreamEvent } from "../unified/index.js";
import { isVisibleEvent, type StreamProgress } from "./stream-progress.js";

/** Held output past this size goes out anyway: the hold is meant for a stream's preamble, never for its content. */
const maxHeldBytes = 64 * 1024;

/**
 * What a piece of client output carries: the response start (Anthropic `message_start`, Responses
 * `response.created`, a Chat role chunk), visible output, other events (an empty block's start, an empty delta), or
 * no event at all (a keep-alive, Responses `response.in_progress` after `response.created`).
 */
export type PreambleOutputKind = "start" | "visible" | "other" | "silent";

/** Output routed until the stream shows something visible; see `createPreambleHold`. */
export interface PreambleHold<C> {
  /** Notes the terminal event among the events decoded, and visible output, for the empty-stream check of `end`. */
  observe(events: readonly StreamEvent[]): void;
  /** What to send now of `chunk`, which carries `kind`: nothing while it is held or dropped, else what was held and it. */
  route(chunk: C, kind: PreambleOutputKind): C[];
  /** Everything held, now (before an in-stream ending). */
  flush(): C[];
  /**
   * At the upstream's end: throws `progress.onEmpty`'s error when the stream finished without visible output and
   * nothing was committed (so the attempt is retried), else returns what was held.
   */
  end(): C[];
}

/**
 * The kind of a piece of output from the events it carries: visible wins; a start is a piece with the `start` event
 * and at most usage besides (a Gemini chunk is a start too, but one that also ends the stream is not).
 */
export function classifyOutput(events: readonly StreamEvent[], reasoningVisible: boolean | undefined): PreambleOutputKind {
  if (events.length === 0) return "silent";
  let started = false;
  let other = false;
  for (const event of events) {
    if (isVisibleEvent(event, reasoningVisible)) return "visible";
    if (event.type === "start") started = true;
    else if (event.type !== "usage") other = true;
  }
  return started && !other ? "start" : "other";
}

/**
 * Routes a stream's output until its first visible output. The response start goes to the client at once (so its
 * time to first byte is the upstream's), and so does an event-less piece before it (an upstream keep-alive comment);
 * everything else before visible output is held (an empty block's start, a
 * ping, an empty delta), so that an in-band error, an early close or an empty stream that comes before it can be
 * retried by the executor without leaving a half-open block in the client's stream. A continuing attempt's own start
 * is dropped: the client already has one. Visible output commits the attempt (`progress.committed`): what was held
 * goes out before it, and nothing is held or dropped any more.
 */
export function createPreambleHold<C extends string | Uint8Array>(progress: StreamProgress): PreambleHold<C> {
  let held: C[] = [];
  let heldBytes = 0;
  let visible = false;
  let started = false;
  let finished: StreamEvent | undefined;
  let failed = false;
  const flush = (): C[] => {
    const out = held;
    held = [];
    heldBytes = 0;
    return out;
  };
  const commit = (chunk: C): C[] => {
    progress.committed = true;
    return held.length === 0 ? [chunk] : [...flush(), chunk];
  };
  const hold = (chunk: C): C[] => {
    held.push(chunk);
    heldBytes += chunk.length;
    // Sending a large preamble commits the attempt: the client then has more than a start to be continued after.
    if (heldBytes <= maxHeldBytes) return [];
    progress.committed = true;
    return flush();
  };
  const start = (chunk: C): C[] => {
    if (progress.continuing === true) return [];
    progress.startSent = true;
    return [chunk];
  };
  return {
    observe(events) {
      for (const event of events) {
        if (!visible && isVisibleEvent(event, progress.reasoningVisible)) visible = true;
        if (event.type === "finish") finished = event;
        else if (event.type === "error") failed = true;
      }
    },
    route(chunk, kind) {
      if (progress.committed === true) return [chunk];
      switch (kind) {
        case "visible":
          return commit(chunk);
        case "start":
          started = true;
          progress.started = true;
          // Output held before the start (unusual) keeps its place: the start waits behind it.
          return held.length === 0 ? start(chunk) : hold(chunk);
        case "silent":
          // Event-less output before the start (an upstream keep-alive comment) goes out like a heartbeat; after the
          // start it may belong to an item (a Responses output_item.added decodes to nothing), so it is held.
          return started || held.length > 0 ? hold(chunk) : [chunk];
        case "other":
          return hold(chunk);
        default: {
          const unreachable: never = kind;
          throw new Error(`unknown output kind ${String(unreachable)}`);
        }
      }
    },
    flush,
    end() {
      const empty = progress.committed !== true && !visible && !failed && finished?.type === "finish" && finished.finishReason.unified !== "length";
      const error = empty ? progress.onEmpty?.() : undefined;
      if (error !== undefined) throw error;
      return flush();
    },
  };
}
