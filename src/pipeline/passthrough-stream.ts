import { createSseParser } from "../streaming/index.js";
import { toGatewayError, type ProtocolCodec, type StreamEvent } from "../unified/index.js";
import type { StreamObserver } from "./translate-stream.js";

/**
 * Same protocol on both sides: the upstream bytes go to the client unchanged (unknown events and fields survive
 * byte for byte) while a tap decodes them with the same protocol's decoder, to observe usage, errors and the
 * terminal event.
 *
 * When the upstream fails mid-stream (connection lost, or closed before its terminal event) the client must still
 * get its protocol's terminal error, never a bare close (CLIENTS.md: SDKs and CLIs hang or retry otherwise). What
 * that error looks like depends on what was already sent (Responses closes open items, then `response.failed`), so a
 * shadow encoder of the same protocol follows the tapped events, its output discarded, and only writes the ending
 * when the upstream did not.
 */
export async function* passthroughStream(
  upstream: AsyncIterable<Uint8Array | string>,
  codec: ProtocolCodec,
  observer: StreamObserver = {},
): AsyncGenerator<Uint8Array | string> {
  const parser = createSseParser();
  const decoder = codec.createStreamDecoder();
  const shadow = codec.createStreamEncoder();
  const textDecoder = new TextDecoder();
  let terminated = false;
  const follow = (events: readonly StreamEvent[]): void => {
    for (const event of events) {
      observer.onEvent?.(event);
      shadow.push(event);
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
    let out = "";
    for (const event of events) {
      observer.onEvent?.(event);
      out += shadow.push(event);
    }
    terminated = true;
    return out + shadow.end();
  };
  try {
    try {
      for await (const chunk of upstream) {
        yield chunk;
        const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
        for (const message of parser.feed(text)) follow(decoder.push(message));
      }
    } catch (error) {
      const ending = synthesize([{ type: "error", error: toGatewayError(error).serialize() }]);
      if (ending !== "") yield ending;
      return;
    }
    const rest = textDecoder.decode();
    if (rest !== "") for (const message of parser.feed(rest)) follow(decoder.push(message));
    for (const message of parser.end()) follow(decoder.push(message));
    const ending = synthesize(decoder.end());
    if (ending !== "") yield ending;
  } finally {
    observer.onWarnings?.(decoder.warnings);
  }
}
