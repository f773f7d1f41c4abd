import { createSseParser } from "../streaming/index.js";
import type { ProtocolCodec } from "../unified/index.js";
import type { StreamObserver } from "./translate-stream.js";

/**
 * Same protocol on both sides: the upstream bytes go to the client unchanged (unknown events and fields survive
 * byte for byte) while a tap decodes them with the same protocol's decoder, only to observe usage, errors and the
 * terminal event.
 */
export async function* passthroughStream(
  upstream: AsyncIterable<Uint8Array | string>,
  codec: ProtocolCodec,
  observer: StreamObserver = {},
): AsyncGenerator<Uint8Array | string> {
  const parser = createSseParser();
  const decoder = codec.createStreamDecoder();
  const textDecoder = new TextDecoder();
  const observe = observer.onEvent;
  try {
    for await (const chunk of upstream) {
      yield chunk;
      if (observe === undefined) continue;
      const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
      for (const message of parser.feed(text)) for (const event of decoder.push(message)) observe(event);
    }
    if (observe !== undefined) {
      for (const message of parser.end()) for (const event of decoder.push(message)) observe(event);
      for (const event of decoder.end()) observe(event);
    }
  } finally {
    observer.onWarnings?.(decoder.warnings);
  }
}
