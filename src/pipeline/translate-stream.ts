import { createSseParser, encodeHeartbeat, heartbeat, type Heartbeat } from "../streaming/index.js";
import { toGatewayError, type EncodeResponseOptions, type ProtocolCodec, type StreamEvent, type UnifiedWarning } from "../unified/index.js";
import { earlyStreamError, type StreamProgress } from "./stream-progress.js";

/** Observations made while a translated stream flows, for usage accounting and logs. */
export interface StreamObserver {
  onEvent?(event: StreamEvent): void;
  onWarnings?(warnings: readonly UnifiedWarning[]): void;
}

/**
 * Upstream SSE bytes → upstream decoder → unified events → client encoder → client SSE text, one chunk at a time:
 * nothing is buffered beyond the current SSE message, and the client stream always ends with its protocol's
 * terminal sequence (the decoder turns an early close into an `error` event, the encoder's `end()` covers the rest).
 *
 * `upstream` is normally the stream supervisor's output: its heartbeat markers become the client protocol's
 * keep-alive. A failure before anything was sent is thrown (see `earlyStreamError`); after that it is encoded.
 */
export async function* translateStream(
  upstream: AsyncIterable<Uint8Array | string | Heartbeat>,
  upstreamCodec: ProtocolCodec,
  clientCodec: ProtocolCodec,
  encodeOptions: EncodeResponseOptions,
  observer: StreamObserver = {},
  progress: StreamProgress = { sent: false },
): AsyncGenerator<string> {
  const parser = createSseParser();
  const decoder = upstreamCodec.createStreamDecoder();
  const encoder = clientCodec.createStreamEncoder(encodeOptions);
  const textDecoder = new TextDecoder();

  const encodeAll = (events: StreamEvent[]): string => {
    const early = earlyStreamError(events, progress);
    if (early !== undefined) throw early;
    let out = "";
    for (const event of events) {
      observer.onEvent?.(event);
      out += encoder.push(event);
    }
    return out;
  };
  const send = (text: string): string => {
    progress.sent = true;
    return text;
  };

  try {
    try {
      for await (const chunk of upstream) {
        if (chunk === heartbeat) {
          yield send(encodeHeartbeat(clientCodec.protocol));
          continue;
        }
        const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
        let out = "";
        for (const message of parser.feed(text)) out += encodeAll(decoder.push(message));
        if (out !== "") yield send(out);
      }
    } catch (error) {
      if (!progress.sent) throw toGatewayError(error);
      // The upstream failed mid-stream: the client gets its protocol's in-stream error, never a bare close.
      const failure = toGatewayError(error).serialize();
      observer.onEvent?.({ type: "error", error: failure });
      yield encoder.push({ type: "error", error: failure }) + encoder.end();
      return;
    }
    let tail = "";
    const rest = textDecoder.decode();
    if (rest !== "") for (const message of parser.feed(rest)) tail += encodeAll(decoder.push(message));
    for (const message of parser.end()) tail += encodeAll(decoder.push(message));
    tail += encodeAll(decoder.end());
    tail += encoder.end();
    if (tail !== "") yield send(tail);
  } finally {
    observer.onWarnings?.([...decoder.warnings, ...encoder.warnings]);
  }
}
