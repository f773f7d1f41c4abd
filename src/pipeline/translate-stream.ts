import { createSseParser, encodeHeartbeat, heartbeat, parseSseText, type Heartbeat } from "../streaming/index.js";
import { toGatewayError, type EncodeResponseOptions, type GatewayError, type ProtocolCodec, type StreamEvent, type UnifiedWarning } from "../unified/index.js";
import type { AdapterStreamChain } from "../adapters/index.js";
import { reportAdapterPasses, type AdapterReportSink } from "./apply-adapter-chain.js";
import { classifyOutput, createPreambleHold, type PreambleOutputKind } from "./hold-stream-preamble.js";
import { earlyStreamError, isVisibleEvent, type StreamProgress } from "./stream-progress.js";

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
 * keep-alive. The response start goes out at once, the rest of the preamble waits for visible output
 * (`createPreambleHold`); a failure before visible output is thrown (see `earlyStreamError`) for the executor to
 * retry, after that it is encoded.
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
  let probe: ReturnType<ProtocolCodec["createStreamDecoder"]> | undefined;
  /** A client-protocol decoder, to tell a deferred response start from content (Gemini has no start at all). */
  const clientProbe = () => (probe ??= clientCodec.createStreamDecoder());
  // The preamble waits for visible output, so a failure or an empty stream before it can still be retried.
  const hold = createPreambleHold<string>(progress);
  // The client encoder wrote nothing for `start` (Anthropic puts message_start off until it knows the usage): its
  // next output then begins with the response start, if the protocol has one.
  let startDeferred = false;

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
  let adaptersEnded = false;
  const adaptEnd = (): StreamEvent[] => {
    // Once: an attempt that ended empty (retried) may still be asked for its ending later.
    if (adapters === undefined || adaptersEnded) return [];
    adaptersEnded = true;
    const result = adapters.chain.end();
    reportAdapterPasses(result.passes, result.warnings, adapters.sink);
    return result.value;
  };
  /** One event's client output, routed while nothing is committed: what of it goes to the client now. */
  const route = (event: StreamEvent, text: string): string => {
    const kind: PreambleOutputKind = event.type === "start" ? "start" : isVisibleEvent(event, progress.reasoningVisible) ? "visible" : "other";
    if (text === "") {
      if (kind === "start") startDeferred = true;
      return kind === "visible" ? hold.route(text, kind).join("") : "";
    }
    if (!startDeferred) return hold.route(text, kind).join("");
    startDeferred = false;
    const frameEnd = text.indexOf("\n\n") + 2;
    const first = frameEnd < 2 ? text : text.slice(0, frameEnd);
    if (classifyOutput(parseSseText(first).flatMap((message) => clientProbe().push(message)), progress.reasoningVisible) !== "start") return hold.route(text, kind).join("");
    const rest = text.slice(first.length);
    return hold.route(first, "start").join("") + (rest === "" && kind !== "visible" ? "" : hold.route(rest, kind).join(""));
  };
  const encodeAll = (decoded: StreamEvent[]): string => {
    const events = adapt(decoded);
    let out = "";
    if (progress.committed === true) {
      for (const event of events) {
        observer.onEvent?.(event);
        out += encoder.push(event);
      }
      return out;
    }
    const early = earlyStreamError(events, progress);
    if (early !== undefined) throw early;
    hold.observe(events);
    for (const event of events) {
      observer.onEvent?.(event);
      out += route(event, encoder.push(event));
    }
    return out;
  };
  /** The client's in-stream failure form, from this encoder's state: the error event, then the terminal sequence. */
  const encodeFailure = (error: GatewayError): string => {
    let ending = "";
    for (const event of [...adapt([{ type: "error", error: error.serialize() }]), ...adaptEnd()]) {
      observer.onEvent?.(event);
      ending += encoder.push(event);
    }
    return hold.flush().join("") + ending + encoder.end();
  };
  // For the executor, when this attempt fails before committing and no attempt is left to continue the stream.
  progress.ending = (error) => [encodeFailure(error)];
  const send = (text: string): string => {
    progress.sent = true;
    return text;
  };

  try {
    try {
      for await (const chunk of upstream) {
        // A heartbeat commits nothing: what is held stays held.
        if (chunk === heartbeat) {
          yield send(encodeHeartbeat(clientCodec.protocol));
          continue;
        }
        const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
        let out = "";
        for (const message of parser.feed(text)) {
          // Before the commit, what a message let through (the start) goes out before the next one may throw.
          if (out !== "" && progress.committed !== true) {
            yield send(out);
            out = "";
          }
          out += encodeAll(decoder.push(message));
        }
        if (out !== "") yield send(out);
      }
    } catch (error) {
      if (progress.committed !== true) throw toGatewayError(error);
      // The upstream failed mid-stream: the client gets its protocol's in-stream error, never a bare close.
      yield encodeFailure(toGatewayError(error));
      return;
    }
    let tail = "";
    const rest = textDecoder.decode();
    for (const message of [...(rest === "" ? [] : parser.feed(rest)), ...parser.end()]) {
      // As in the loop: before the commit, a start that was let through goes out before anything may throw.
      if (tail !== "" && progress.committed !== true) {
        yield send(tail);
        tail = "";
      }
      tail += encodeAll(decoder.push(message));
    }
    if (tail !== "" && progress.committed !== true) {
      yield send(tail);
      tail = "";
    }
    tail += encodeAll(decoder.end());
    if (adapters !== undefined) {
      const held = adaptEnd();
      const early = earlyStreamError(held, progress);
      if (early !== undefined) throw early;
      hold.observe(held);
      for (const event of held) {
        observer.onEvent?.(event);
        const text = encoder.push(event);
        tail += progress.committed === true ? text : route(event, text);
      }
    }
    if (tail !== "" && progress.committed !== true) {
      yield send(tail);
      tail = "";
    }
    // Whatever is still held was routed after everything in `tail`; `end` throws for an empty stream to retry.
    tail = tail + hold.end().join("") + encoder.end();
    if (tail !== "") yield send(tail);
  } finally {
    observer.onWarnings?.([...decoder.warnings, ...encoder.warnings]);
  }
}
