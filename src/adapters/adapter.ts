import type { GatewayError, ProtocolId, StreamEvent, UnifiedRequest, UnifiedWarning } from "../unified/index.js";

/**
 * Adapters edit WIRE bodies, not unified values. Request side: the body about to be sent upstream, in the target's
 * protocol (after encoding on the translated path, the client's body on the passthrough path: one code path for
 * both, and field paths in config read like the provider's docs). Response side: the provider's response body in
 * the same protocol, before decoding. Stream side: unified StreamEvents, because wire chunks differ per protocol and
 * are stateful to parse while the event algebra is small and already ordered.
 *
 * Adapters are pure: they return new values (structurally shared) and never mutate their input; an adapter that
 * changes nothing returns the input itself with no changes, so the chain allocates nothing on the common path.
 */
export type WireBody = Record<string, unknown>;

/** What an adapter pass knows about the attempt it adapts. */
export interface AdapterContext {
  /** Wire protocol of `body` (the target's protocol, request and response side). */
  readonly protocol: ProtocolId;
  /** Provider id of the target. */
  readonly provider: string;
  /** Upstream model id (without the provider prefix). */
  readonly model: string;
  /** Whether the attempt streams. */
  readonly stream: boolean;
  /**
   * The decoded client request on the translated path (absent on passthrough). Read-only intent: a codec may have
   * dropped a field the target cannot carry (json_object for Anthropic), and an emulating adapter needs to see it.
   */
  readonly request?: UnifiedRequest;
  /** The engine's clock, for adapters that remember things for a while (tool-emulation). */
  readonly now?: () => number;
}

/** One edit made by a pass, for the transaction trace. */
export interface AdapterChange {
  /** Concrete path edited, e.g. `messages[2].role`. */
  path: string;
  action: "set" | "removed" | "moved" | "copied" | "inserted" | "repaired";
  /** Short description (new value kind, source path…); never a message body. */
  detail?: string;
}

/** A value plus what the pass changed and what it could not do. */
export interface AdapterPass<T> {
  value: T;
  changes: AdapterChange[];
  warnings: UnifiedWarning[];
}

/** A per-stream transform: state lives in the closure, one instance per stream. */
export interface AdapterStream {
  /** Takes one event; returns the events to forward (zero, one or several, in order). */
  push(event: StreamEvent): AdapterPass<StreamEvent[]>;
  /** Upstream ended; returns any events still held back. */
  end(): AdapterPass<StreamEvent[]>;
}

/** When in the chain an adapter runs. `last` adapters (param-policy) run after every `normal` one, in order. */
export type AdapterPhase = "normal" | "last";

/**
 * A named, configured transform. The brief's `streamEvent(event, context)` became `openStream(context)`, a factory
 * of per-stream transforms, because stream adapters need state (buffered tool arguments) and a shared mutable
 * scratch area would be neither typed nor pure.
 */
export interface Adapter {
  readonly name: string;
  readonly phase: AdapterPhase;
  request?(body: WireBody, context: AdapterContext): AdapterPass<WireBody>;
  response?(body: WireBody, context: AdapterContext): AdapterPass<WireBody>;
  openStream?(context: AdapterContext): AdapterStream;
  /**
   * A stateless edit of each SSE message's JSON data, in the target's protocol, on the passthrough path only (the
   * bytes the client gets otherwise come from the client protocol's encoder, which writes its own field names). For
   * renames a client sees on the wire (reasoning-normalize); anything stateful belongs in `openStream`.
   */
  streamData?(data: WireBody, context: AdapterContext): AdapterPass<WireBody>;
  /**
   * Substrings of which one must occur in an SSE message for `streamData` to change it; a message with none is not
   * parsed. Absent: every message is parsed.
   */
  readonly streamDataTriggers?: readonly string[];
  /**
   * Whether this attempt needs the response and stream sides, asked after the request side ran with the same
   * context object (default: yes). An emulating adapter that did not emulate says no, so a passthrough attempt keeps
   * its byte pipe instead of being decoded and re-encoded for nothing.
   */
  engaged?(context: AdapterContext): boolean;
  /**
   * Substrings of which at least one must occur in a passthrough body text for the request side to change it
   * (`"stream_options"` for a deny list). When every request adapter of a chain declares them and none occurs, the
   * passthrough body is not parsed at all. Absent: the request side may change any body.
   */
  readonly passthroughTriggers?: readonly string[];
  /**
   * Called when the attempt failed upstream before any response; `true` asks for one more try of the same attempt
   * (the request side runs again, so the adapter can change what it sends). At most one retry per attempt.
   */
  recover?(error: GatewayError, context: AdapterContext): boolean;
  /**
   * True asks the pipeline to serve streaming requests of this chain's targets with a non-streaming upstream call,
   * re-emitted as stream events (`stream-via-nonstream`); it is read from the plan, once per target.
   */
  readonly streamViaNonStream?: boolean;
}

/** A pass that changed nothing. */
export function unchanged<T>(value: T): AdapterPass<T> {
  return { value, changes: [], warnings: [] };
}
