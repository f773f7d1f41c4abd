import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { SseMessage } from "../unified/index.js";

/** Incremental SSE parser: feed text chunks in any split, get whole messages out (CRLF and padding tolerated). */
export interface SseParser {
  feed(chunk: string): SseMessage[];
  /** Flushes a final message that lacked its blank line. */
  end(): SseMessage[];
}

/** Makes an incremental SSE parser. */
export function createSseParser(): SseParser {
  let pending: SseMessage[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      pending.push(message.event === undefined ? { data: message.data } : { event: message.event, data: message.data });
    },
  });
  return {
    feed(chunk) {
      parser.feed(chunk);
      const out = pending;
      pending = [];
      return out;
    },
    end() {
      // A blank line terminates any event still buffered.
      parser.feed("\n\n");
      const out = pending;
      pending = [];
      parser.reset();
      return out;
    },
  };
}

/** Parses a whole SSE text at once. */
export function parseSseText(text: string): SseMessage[] {
  const parser = createSseParser();
  return [...parser.feed(text), ...parser.end()];
}
