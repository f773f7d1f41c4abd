import type { GatewayError } from "./gateway-error.js";
import type { ProtocolId } from "./protocol-id.js";
import type { ReasoningEffortTable } from "./reasoning-effort-table.js";
import type { StreamEvent } from "./stream-event.js";
import type { UnifiedRequest } from "./unified-request.js";
import type { UnifiedResponse } from "./unified-response.js";
import type { Usage } from "./usage.js";
import type { CodecOutput, UnifiedWarning } from "./warning.js";

/** One server-sent event as parsed off the wire: the `event:` name (if any) and the joined `data:` lines. */
export interface SseMessage {
  event?: string;
  data: string;
}

/** Options for encoding a request to a provider. */
export interface EncodeRequestOptions {
  /** Effort ↔ budget ↔ level table; the built-in one when absent. */
  reasoningEffortTable?: ReasoningEffortTable;
}

/** Options for encoding a response or stream to a client. */
export interface EncodeResponseOptions {
  /** The client's decoded request, for protocols that echo request fields (Responses echoes tools, instructions…). */
  request?: UnifiedRequest;
  /** Injected clock (ms since epoch) for `created` fields; Date.now when absent. */
  now?: () => number;
}

/** Stateful wire-SSE → unified events decoder. */
export interface StreamDecoder {
  /** Decodes one SSE message; may yield zero or more events. Throws nothing: bad data becomes an `error` event. */
  push(message: SseMessage): StreamEvent[];
  /**
   * Upstream ended. Closes open blocks; when no terminal event was seen, ends with an `error` event
   * (`upstream_server`, stream ended early) so every decoded stream is well formed.
   */
  end(): StreamEvent[];
  /** Losses noticed so far. */
  readonly warnings: UnifiedWarning[];
}

/** Stateful unified events → wire SSE text encoder. */
export interface StreamEncoder {
  /** Encodes one event to zero or more SSE frames (text ready to write). */
  push(event: StreamEvent): string;
  /**
   * Moves the encoder's state exactly as `push(event)` would, without writing any frame: a passthrough stream's
   * shadow follows bytes it never writes, and only an ending it must synthesize is encoded (with `push`, `end`).
   */
  track(event: StreamEvent): void;
  /**
   * Closes the stream: if no terminal event was pushed, emits the protocol's failure terminal (so clients never see
   * a silent close). Returns "" when already terminated.
   */
  end(): string;
  readonly warnings: UnifiedWarning[];
}

/** An error encoded in one protocol's own shape. */
export interface EncodedError {
  status: number;
  body: unknown;
  /** Extra response headers (e.g. retry-after). */
  headers?: Record<string, string>;
}

/** Everything Switchyard knows about one wire protocol: eight pure functions. */
export interface ProtocolCodec {
  readonly protocol: ProtocolId;
  /** Client request body (parsed JSON) → unified. Structural errors throw `invalid_request` naming the path. */
  decodeRequest(body: unknown): CodecOutput<UnifiedRequest>;
  /** Unified → provider request body. Features the protocol cannot carry become warnings or `unsupported_feature`. */
  encodeRequest(request: UnifiedRequest, options?: EncodeRequestOptions): CodecOutput<Record<string, unknown>>;
  /** Provider response body (parsed JSON) → unified. Tolerant of unknown fields. */
  decodeResponse(body: unknown): CodecOutput<UnifiedResponse>;
  /** Unified → client response body. */
  encodeResponse(response: UnifiedResponse, options?: EncodeResponseOptions): CodecOutput<Record<string, unknown>>;
  createStreamDecoder(): StreamDecoder;
  createStreamEncoder(options?: EncodeResponseOptions): StreamEncoder;
  /** A GatewayError in this protocol's error shape and status. */
  encodeError(error: GatewayError): EncodedError;
  /**
   * The usage of a non-streamed provider response given as text, read without parsing the whole body (the
   * passthrough path sends the bytes on untouched but still logs usage). Undefined when the body carries none.
   */
  readResponseUsage(text: string): Usage | undefined;
}
