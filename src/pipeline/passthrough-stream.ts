import { createSseParser, encodeHeartbeat, heartbeat, type Heartbeat } from "../streaming/index.js";
import { toGatewayError, type ProtocolCodec, type StreamEvent } from "../unified/index.js";
import { classifyOutput, createPreambleHold } from "./hold-stream-preamble.js";
import { rejectUndecodableMessage } from "./reject-undecodable-message.js";
import { earlyStreamError, type StreamProgress } from "./stream-progress.js";
import type { StreamObserver } from "./translate-stream.js";

/**
 * Same protocol on both sides: the upstream bytes go to the client unchanged (unknown events and fields survive
 * byte for byte) while a tap decodes them with the same protocol's decoder, to observe usage, errors and the
 * terminal event.
 *
 * When the upstream fails mid-stream (connection lost, stalled, or closed before its terminal event) the client must
 * still get its protocol's terminal error, never a bare close (CLIENTS.md: SDKs and CLIs hang or retry otherwise).
 * What that error looks like depends on what was already sent (Responses closes open items, then
 * `response.failed`), so a shadow encoder of the same protocol follows the tapped events (`track`: its state moves,
 * no frame is serialized) and only writes the ending when the upstream did not.
 *
 * Each chunk is tapped before it is forwarded. Until the first visible output the upstream text is cut at SSE frame
 * ends and each frame routed on its own (`createPreambleHold`: the response start goes out at once, the rest of the
 * preamble waits), so a failure before visible output (an in-band error, an empty stream, an early close, a TTFB
 * timeout) is thrown for the executor to retry; after that the raw chunks flow again.
 */
export async function* passthroughStream(
  upstream: AsyncIterable<Uint8Array | string | Heartbeat>,
  codec: ProtocolCodec,
  observer: StreamObserver = {},
  progress: StreamProgress = { sent: false },
): AsyncGenerator<Uint8Array | string> {
  const parser = createSseParser();
  const decoder = codec.createStreamDecoder();
  const shadow = codec.createStreamEncoder();
  const textDecoder = new TextDecoder();
  const boundary = createFrameBoundaryTracker();
  let terminated = false;
  // The preamble waits for visible output, so a failure or an empty stream before it can still be retried.
  const hold = createPreambleHold<string>(progress);
  const follow = (events: readonly StreamEvent[]): void => {
    // Once committed nothing is retried or held any more: no early error to throw, nothing for the hold to note.
    if (progress.committed !== true) {
      const early = earlyStreamError(events, progress);
      if (early !== undefined) throw early;
      hold.observe(events);
    }
    for (const event of events) {
      observer.onEvent?.(event);
      shadow.track(event);
      if (event.type === "finish" || event.type === "error") terminated = true;
    }
  };
  /**
   * Events the upstream never sent as bytes (the decoder's early-close error, a lost connection) go to the client
   * encoded, unless the upstream's own terminal event already went through.
   */
  const synthesize = (events: readonly StreamEvent[]): string => {
    if (terminated || !events.some((event) => event.type === "error")) {
      follow(events);
      return "";
    }
    const early = earlyStreamError(events, progress);
    if (early !== undefined) throw early;
    let out = "";
    for (const event of events) {
      observer.onEvent?.(event);
      out += shadow.push(event);
    }
    terminated = true;
    // A half-forwarded frame must be closed before the ending, or the client's parser would merge the two.
    return (boundary.atBoundary() ? "" : "\n\n") + out + shadow.end();
  };
  const send = <C extends Uint8Array | string>(chunk: C): C => {
    progress.sent = true;
    boundary.track(chunk);
    return chunk;
  };
  /**
   * Taps one piece of upstream text (whole frames, or the rest once committed) and routes it: what to send now, as
   * one piece (what was held, then it), or "" when nothing goes out.
   */
  const routeText = (text: string, last = false): string => {
    const messages = last ? [...parser.feed(text), ...parser.end()] : parser.feed(text);
    // Once committed everything goes out as it comes: no output to classify.
    if (progress.committed === true) {
      for (const message of messages) follow(rejectUndecodableMessage(decoder.push(message), message, codec.protocol));
      return text;
    }
    const events: StreamEvent[] = [];
    for (const message of messages) {
      const decoded = rejectUndecodableMessage(decoder.push(message), message, codec.protocol);
      follow(decoded);
      events.push(...decoded);
    }
    return joined(hold.route(text, classifyOutput(events, progress.reasoningVisible)));
  };
  // Until the attempt commits, frames are routed one by one; `pending` is the text of a frame not complete yet.
  let framing = true;
  let pending = "";
  // For the executor, when this attempt fails before committing and no attempt is left to continue the stream: what
  // was held (whole frames), then the shadow's error ending, which knows what the held frames opened.
  progress.ending = (error) => {
    const failure: StreamEvent = { type: "error", error: error.serialize() };
    observer.onEvent?.(failure);
    const ending = shadow.push(failure) + shadow.end();
    terminated = true;
    return [...hold.flush(), ending];
  };
  try {
    try {
      for await (const chunk of upstream) {
        if (chunk === heartbeat) {
          // A keep-alive inside a half-forwarded upstream frame would corrupt it; skip it then (bytes are flowing).
          // It commits nothing: what is held stays held.
          if (!boundary.atBoundary()) continue;
          yield send(encodeHeartbeat(codec.protocol));
          continue;
        }
        const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
        if (!framing) {
          for (const message of parser.feed(text)) follow(rejectUndecodableMessage(decoder.push(message), message, codec.protocol));
          yield send(chunk);
          continue;
        }
        // Cut at frame ends while nothing is committed, each frame sent (or held) before the next is tapped: a
        // start must reach the client before a failure in the same chunk is thrown. Once committed, the rest goes.
        let rest = pending + text;
        pending = "";
        while (rest !== "") {
          const end = progress.committed === true ? rest.length : frameEnd(rest);
          if (end < 0) {
            pending = rest;
            break;
          }
          const ready = routeText(rest.slice(0, end));
          if (ready !== "") yield send(ready);
          rest = rest.slice(end);
        }
        // Raw chunks again from a chunk that ends on a character boundary, so the text decoder holds nothing back.
        if (progress.committed === true && (typeof chunk === "string" || chunk.length === 0 || (chunk[chunk.length - 1] ?? 0) < 0x80)) framing = false;
      }
    } catch (error) {
      if (progress.committed !== true) throw toGatewayError(error);
      const ending = synthesize([{ type: "error", error: toGatewayError(error).serialize() }]);
      if (ending !== "") yield send(ending);
      return;
    }
    const rest = pending + textDecoder.decode();
    pending = "";
    if (framing) {
      // The last frame may lack its blank line: the parser's end gives its message, routed with its text.
      if (rest === "") for (const message of parser.end()) follow(decoder.push(message));
      else {
        const ready = routeText(rest, true);
        if (ready !== "") yield send(ready);
      }
    } else {
      if (rest !== "") for (const message of parser.feed(rest)) follow(decoder.push(message));
      for (const message of parser.end()) follow(decoder.push(message));
    }
    const ending = synthesize(decoder.end());
    const held = joined(hold.end());
    if (held !== "") yield send(held);
    if (ending !== "") yield send(ending);
  } finally {
    observer.onWarnings?.(decoder.warnings);
  }
}

/** Pieces of output that go out together, as one chunk (one write instead of several). */
function joined(pieces: readonly string[]): string {
  return pieces.length === 1 ? (pieces[0] as string) : pieces.join("");
}

/** The index just past the first blank line (the end of an SSE frame) in `text`, or -1. */
function frameEnd(text: string): number {
  const match = /(?:\r\n|\r|\n)(?:\r\n|\r|\n)/.exec(text);
  return match === null ? -1 : match.index + match[0].length;
}

/** Whether the bytes forwarded so far end between SSE frames (after a blank line), where inserting a frame is safe. */
function createFrameBoundaryTracker(): { track(chunk: Uint8Array | string): void; atBoundary(): boolean } {
  // The last two line-ending bytes decide; "\r\n\r\n" ends in "\n\n"-equivalent pairs too ("\r\n" then "\r\n").
  let tail = "\n\n";
  // Every forwarded chunk is tracked but the question is rare (a heartbeat, an ending): the last chunk is kept as is
  // and folded into `tail` only when asked, or when a shorter one after it needs its end.
  let last: Uint8Array | string | undefined;
  const fold = (): void => {
    if (last === undefined) return;
    const text = typeof last === "string" ? last.slice(-4) : String.fromCharCode(...last.subarray(Math.max(0, last.length - 4)));
    tail = (tail + text).slice(-4);
    last = undefined;
  };
  return {
    track(chunk) {
      if (chunk.length >= 4) tail = "";
      else fold();
      last = chunk;
    },
    atBoundary: () => {
      fold();
      return /(\r\n|\r|\n)(\r\n|\r|\n)$/.test(tail) && !tail.endsWith("\r\n\r");
    },
  };
}
