import type { UpstreamRequestInput } from "../providers/index.js";
import { encodeHeartbeat, heartbeat, type Heartbeat, type StreamSupervisor } from "../streaming/index.js";
import { GatewayError, toGatewayError, type EncodeResponseOptions, type ProtocolCodec, type UnifiedResponse } from "../unified/index.js";
import type { GatewayResult } from "./gateway-call.js";
import { createPreambleHold } from "./hold-stream-preamble.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import { sendUpstream, type UpstreamAttemptContext } from "./send-upstream.js";
import type { StreamProgress } from "./stream-progress.js";
import { synthesizeStreamEvents } from "./synthesize-stream-events.js";
import type { StreamObserver } from "./translate-stream.js";

/** One streamed attempt served by a non-streaming upstream call. */
export interface ViaNonStreamAttempt {
  /** The upstream request, already encoded without streaming. */
  input: UpstreamRequestInput & { stream: false };
  upstreamCodec: ProtocolCodec;
  clientCodec: ProtocolCodec;
  encodeOptions: EncodeResponseOptions;
  context: UpstreamAttemptContext;
  supervisor: StreamSupervisor;
  progress: StreamProgress;
  observer: StreamObserver;
  /** Warnings of the decode and of the events that have no stream form. */
  warnings: { push(...warnings: { code: string; message: string; path?: string }[]): unknown };
  /** The response side of the provider's adapters, on the JSON body before decoding. */
  adaptResponse?: (body: unknown) => unknown;
}

const sseHeaders = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };

/**
 * For providers whose streaming is broken (`streamViaNonStream`): the client still asked for a stream, so the
 * whole answer is fetched without streaming and emitted as the equivalent stream events through the client's own
 * stream encoder. The wait goes through the stream supervisor like any stream (heartbeats while the upstream
 * works, the TTFB deadline covering the whole call, client disconnect aborting it), and a failure before anything
 * was sent is thrown so the executor can retry it.
 */
export function streamViaNonStream(attempt: ViaNonStreamAttempt): Extract<GatewayResult, { kind: "stream" }> {
  const { input, supervisor } = attempt;
  async function* fetchAnswer(): AsyncGenerator<UnifiedResponse> {
    const response = await sendUpstream(input, { ...attempt.context, signal: supervisor.signal });
    const json = await readUpstreamJson(response, input.provider.id);
    const decoded = attempt.upstreamCodec.decodeResponse(attempt.adaptResponse === undefined ? json : attempt.adaptResponse(json));
    attempt.warnings.push(...decoded.warnings);
    attempt.context.trace?.record("unified-response", decoded.value);
    yield decoded.value;
  }
  return { kind: "stream", status: 200, headers: sseHeaders, chunks: encodeAnswerStream(supervisor.supervise(fetchAnswer()), attempt) };
}

/** Heartbeats while the answer is awaited, then the answer as one burst of client stream text. */
async function* encodeAnswerStream(source: AsyncIterable<UnifiedResponse | Heartbeat>, attempt: ViaNonStreamAttempt): AsyncGenerator<string> {
  const { clientCodec, observer, progress } = attempt;
  const encoder = clientCodec.createStreamEncoder(attempt.encodeOptions);
  const send = (text: string): string => {
    progress.sent = true;
    return text;
  };
  try {
    let answer: UnifiedResponse | undefined;
    try {
      for await (const item of source) {
        if (item === heartbeat) yield send(encodeHeartbeat(clientCodec.protocol));
        else answer = item;
      }
    } catch (error) {
      if (!progress.sent) throw toGatewayError(error);
      const failure = toGatewayError(error).serialize();
      observer.onEvent?.({ type: "error", error: failure });
      yield encoder.push({ type: "error", error: failure }) + encoder.end();
      return;
    }
    if (answer === undefined) throw new GatewayError("internal", `${attempt.input.provider.id}: the non-streaming call gave no answer`);
    const { events, warnings } = synthesizeStreamEvents(answer);
    attempt.warnings.push(...warnings);
    // An empty answer before anything was sent is retried like an empty stream.
    const hold = createPreambleHold<string>(progress);
    hold.observe(events);
    hold.end();
    let out = "";
    for (const event of events) {
      observer.onEvent?.(event);
      out += encoder.push(event);
    }
    yield send(out + encoder.end());
  } finally {
    observer.onWarnings?.(encoder.warnings);
  }
}
