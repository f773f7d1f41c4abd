import { createSseParser } from "../streaming/index.js";
import { toGatewayError, type EncodeResponseOptions, type ProtocolCodec, type StreamEvent, type UnifiedWarning } from "../unified/index.js";

/** Observations made while a translated stream flows, for usage accounting and logs. */
export interface StreamObserver {
  onEvent?(event: StreamEvent): void;
  onWarnings?(warnings: readonly UnifiedWarning[]): void;
}

/**
 * Upstream SSE bytes → upstream decoder → unified events → client encoder → client SSE text, one chunk at a time:
 * nothing is buffered beyond the current SSE message, and the client stream always ends with its protocol's
 * terminal sequence (the decoder turns an early close into an `error` event, the encoder's `end()` covers the rest).
 */
export async function* translateStream(
  upstream: AsyncIterable<Uint8Array | string>,
  upstreamCodec: ProtocolCodec,
  clientCodec: ProtocolCodec,
  encodeOptions: EncodeResponseOptions,
  observer: StreamObserver = {},
): AsyncGenerator<string> {
  const parser = createSseParser();
  const decoder = upstreamCodec.createStreamDecoder();
  const encoder = clientCodec.createStreamEncoder(encodeOptions);
  const textDecoder = new TextDecoder();

  const encodeAll = (events: StreamEvent[]): string => {
    let out = "";
    for (const event of events) {
      observer.onEvent?.(event);
      out += encoder.push(event);
    }
    return out;
  };

  try {
    try {
      for await (const chunk of upstream) {
        const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
        let out = "";
        for (const message of parser.feed(text)) out += encodeAll(decoder.push(message));
        if (out !== "") yield out;
      }
    } catch (error) {
      // The upstream connection failed mid-stream: the client gets its protocol's in-stream error, never a bare close.
      yield encodeAll([{ type: "error", error: toGatewayError(error).serialize() }]) + encoder.end();
      return;
    }
    let tail = "";
    const rest = textDecoder.decode();
    if (rest !== "") for (const message of parser.feed(rest)) tail += encodeAll(decoder.push(message));
    for (const message of parser.end()) tail += encodeAll(decoder.push(message));
    tail += encodeAll(decoder.end());
    tail += encoder.end();
    if (tail !== "") yield tail;
  } finally {
    observer.onWarnings?.([...decoder.warnings, ...encoder.warnings]);
  }
}
