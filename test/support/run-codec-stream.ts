import { parseSseText } from "../../src/streaming/index.js";
import type { EncodeResponseOptions, ProtocolCodec, SseMessage, StreamEvent, UnifiedWarning } from "../../src/unified/index.js";

/** Decoded events plus what the decoder reported. */
export interface DecodedStream {
  events: StreamEvent[];
  warnings: UnifiedWarning[];
}

/** Runs a whole message sequence through a fresh stream decoder (push each, then end). */
export function decodeStreamMessages(codec: ProtocolCodec, messages: readonly SseMessage[]): DecodedStream {
  const decoder = codec.createStreamDecoder();
  const events: StreamEvent[] = [];
  for (const message of messages) events.push(...decoder.push(message));
  events.push(...decoder.end());
  return { events, warnings: [...decoder.warnings] };
}

/** Encoded SSE text plus what the encoder reported. */
export interface EncodedStream {
  text: string;
  warnings: UnifiedWarning[];
}

/** Runs unified events through a fresh stream encoder (push each, then end). */
export function encodeStreamEvents(codec: ProtocolCodec, events: readonly StreamEvent[], options?: EncodeResponseOptions): EncodedStream {
  const encoder = codec.createStreamEncoder(options);
  let text = "";
  for (const event of events) text += encoder.push(event);
  text += encoder.end();
  return { text, warnings: [...encoder.warnings] };
}

/** Events → `codec`'s SSE → parsed → `codec`'s decoder: what a client of that protocol would read back. */
export function roundTripStream(
  codec: ProtocolCodec,
  events: readonly StreamEvent[],
  options?: EncodeResponseOptions,
): { encoded: EncodedStream; messages: SseMessage[]; decoded: DecodedStream } {
  const encoded = encodeStreamEvents(codec, events, options);
  const messages = parseSseText(encoded.text);
  return { encoded, messages, decoded: decodeStreamMessages(codec, messages) };
}

/** A fixed clock so that encoded `created` fields are reproducible. */
export const fixedClock = (): number => 1_750_000_000_000;
