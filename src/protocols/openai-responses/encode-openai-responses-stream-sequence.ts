import type { StreamEvent } from "../../unified/index.js";
import type { ResponsesBlockWriter } from "./encode-openai-responses-stream-blocks.js";

type BlockEvent = Extract<StreamEvent, { index: number }>;
type OpeningEvent = Extract<BlockEvent, { type: "text-start" | "reasoning-start" | "tool-call-start" | "native-item" }>;

/** One unified block on its way to the item writer. */
interface Lane {
  index: number;
  opening: OpeningEvent;
  /** Events held while an earlier block is still open; consecutive deltas are merged (see hold). */
  held: BlockEvent[];
  ended: boolean;
}

/**
 * Puts the item writer's blocks one after another, as OpenAI streams output items: a block that opens while another
 * is still open (Chat upstreams interleave the argument deltas of parallel tool calls, and a call stays open until
 * the stream ends) is held, its events kept, until the open one ends; held blocks are then written in the order they
 * opened. The client thus sees each item's `output_item.added` … `output_item.done` before the next item's, which
 * Codex and the SDK accept either way but OpenAI never breaks. Memory: a held block's consecutive deltas are merged
 * into one event, so what is held is its text plus a few events, which is no more than the writer keeps anyway for
 * the item's done event and the terminal response. closeAll ends every block in that same order before the writer
 * closes what remains, so a terminal event still follows every item's done event.
 */
export function createResponsesBlockSequencer(writer: ResponsesBlockWriter): ResponsesBlockWriter {
  const lanes = new Map<number, Lane>();
  const queue: Lane[] = [];
  let active: Lane | undefined;

  /** Writes held blocks, oldest first, until one of them is still open. */
  const drain = (): string => {
    let out = "";
    while (active === undefined && queue.length > 0) {
      const lane = queue.shift() as Lane;
      for (const event of lane.held) out += writer.push(event);
      lane.held = [];
      if (lane.ended) lanes.delete(lane.index);
      else active = lane;
    }
    return out;
  };

  return {
    push(event) {
      if (isOpening(event)) {
        // A block index is never reused while open (stream grammar): a repeated start is ignored.
        if (lanes.has(event.index)) return "";
        const lane: Lane = { index: event.index, opening: event, held: [event], ended: event.type === "native-item" };
        lanes.set(event.index, lane);
        queue.push(lane);
        return drain();
      }
      const lane = lanes.get(event.index);
      // Events of a block that never opened (or already ended) are the writer's to ignore.
      if (lane === undefined || lane.ended) return writer.push(event);
      const ending = event.type === "text-end" || event.type === "reasoning-end" || event.type === "tool-call-end";
      if (lane !== active) {
        hold(lane, event);
        if (ending) lane.ended = true;
        return "";
      }
      const out = writer.push(event);
      if (!ending) return out;
      lane.ended = true;
      lanes.delete(lane.index);
      active = undefined;
      return out + drain();
    },
    closeAll(status) {
      let out = "";
      for (;;) {
        if (active !== undefined) {
          // The same end the writer's closeAll would give it, but now, before the next held block opens its item.
          const lane = active;
          active = undefined;
          lanes.delete(lane.index);
          const end = endOf(lane.opening);
          if (end !== undefined) out += writer.push(end);
        }
        if (queue.length === 0) return out + writer.closeAll(status);
        out += drain();
      }
    },
  };
}

function isOpening(event: BlockEvent): event is OpeningEvent {
  return event.type === "text-start" || event.type === "reasoning-start" || event.type === "tool-call-start" || event.type === "native-item";
}

/** The plain end event of a block, as if its upstream had closed it; none for a native item (whole in one event). */
function endOf(opening: OpeningEvent): BlockEvent | undefined {
  switch (opening.type) {
    case "text-start":
      return { type: "text-end", index: opening.index };
    case "reasoning-start":
      return { type: "reasoning-end", index: opening.index };
    case "tool-call-start":
      return { type: "tool-call-end", index: opening.index };
    case "native-item":
      return undefined;
    default: {
      const unreachable: never = opening;
      return unreachable;
    }
  }
}

/** Keeps an event of a held block, merging it into the previous one when both are deltas of the same stream. */
function hold(lane: Lane, event: BlockEvent): void {
  const last = lane.held.at(-1);
  if (last !== undefined) {
    if (event.type === "text-delta" && last.type === "text-delta") {
      lane.held[lane.held.length - 1] = { ...last, text: last.text + event.text };
      return;
    }
    if (event.type === "tool-call-delta" && last.type === "tool-call-delta") {
      lane.held[lane.held.length - 1] = { ...last, argumentsDelta: last.argumentsDelta + event.argumentsDelta };
      return;
    }
    if (event.type === "reasoning-delta" && last.type === "reasoning-delta" && event.summaryIndex === last.summaryIndex) {
      lane.held[lane.held.length - 1] = { ...last, text: last.text + event.text };
      return;
    }
  }
  lane.held.push(event);
}
