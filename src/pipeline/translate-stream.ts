import { createSseParser, encodeHeartbeat, heartbeat, type Heartbeat } from "../streaming/index.js";
import { toGatewayError, type EncodeResponseOptions, type ProtocolCodec, type StreamEvent, type UnifiedWarning } from "../unified/index.js";
import type { AdapterStreamChain } from "../adapters/index.js";
import { reportAdapterPasses, type AdapterReportSink } from "./apply-adapter-chain.js";
import { createPreambleHold } from "./hold-stream-preamble.js";
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
 *
 * Stream adapters sit between the decoder and the encoder: they see unified events, may hold some back (a text that
 * may turn out to be a tool call) and release them at `end()`, before the encoder's own ending.
 */
export async function* translateStream(
  upstream: AsyncIterable<Uint8Array | string | Heartbeat>,
  upstreamCodec: ProtocolCodec,
  clientCodec: ProtocolCodec,
  encodeOptions: EncodeResponseOptions,
  observer: StreamObserver = {},
  progress: StreamProgress = { sent: false },
  adapters?: { chain: AdapterStreamChain; sink: AdapterReportSink },
): AsyncGenerator<string> {
  const parser = createSseParser();
  const decoder = upstreamCodec.createStreamDecoder();
  const encoder = clientCodec.createStreamEncoder(encodeOptions);
  const textDecoder = new TextDecoder();
  // The preamble waits for visible output, so a failure or an empty stream before it can still be retried.
  const hold = createPreambleHold<string>(progress);

  const adapt = (events: StreamEvent[]): StreamEvent[] => {
    if (adapters === undefined || events.length === 0) return events;
    const out: StreamEvent[] = [];
    for (const event of events) {
      const result = adapters.chain.push(event);
      reportAdapterPasses(result.passes, result.warnings, adapters.sink);
      out.push(...result.value);
    }
    return out;
  };
  const adaptEnd = (): StreamEvent[] => {
    if (adapters === undefined) return [];
    const result = adapters.chain.end();
    reportAdapterPasses(result.passes, result.warnings, adapters.sink);
    return result.value;
  };
  const encodeAll = (decoded: StreamEvent[]): string => {
    const events = adapt(decoded);
    const early = earlyStreamError(events, progress);
    if (early !== undefined) throw early;
    hold.observe(events);
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
          yield send(encodeHeartbeat(clientCodec.protocol) + hold.flush().join(""));
          continue;
        }
        const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
        let out = "";
        for (const message of parser.feed(text)) out += encodeAll(decoder.push(message));
        const ready = out === "" ? "" : hold.take(out).join("");
        if (ready !== "") yield send(ready);
      }
    } catch (error) {
      if (!progress.sent) throw toGatewayError(error);
      // The upstream failed mid-stream: the client gets its protocol's in-stream error, never a bare close.
      const failure = toGatewayError(error).serialize();
      let ending = "";
      for (const event of [...adapt([{ type: "error", error: failure }]), ...adaptEnd()]) {
        observer.onEvent?.(event);
        ending += encoder.push(event);
      }
      yield hold.flush().join("") + ending + encoder.end();
      return;
    }
    let tail = "";
    const rest = textDecoder.decode();
    if (rest !== "") for (const message of parser.feed(rest)) tail += encodeAll(decoder.push(message));
    for (const message of parser.end()) tail += encodeAll(decoder.push(message));
    tail += encodeAll(decoder.end());
    if (adapters !== undefined) {
      const held = adaptEnd();
      const early = earlyStreamError(held, progress);
      if (early !== undefined) throw early;
      hold.observe(held);
      for (const event of held) {
        observer.onEvent?.(event);
        tail += encoder.push(event);
      }
    }
    tail = hold.end().join("") + tail + encoder.end();
    if (tail !== "") yield send(tail);
  } finally {
    observer.onWarnings?.([...decoder.warnings, ...encoder.warnings]);
  }
}
