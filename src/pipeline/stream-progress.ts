import { GatewayError, type StreamEvent } from "../unified/index.js";

/**
 * What one attempt's client stream has been sent so far. Shared by the translated and passthrough paths so that the
 * engine and the rotation executor decide on one fact.
 */
export interface StreamProgress {
  /** Any byte of this attempt reached the client (its response start, heartbeats, output). */
  sent: boolean;
  /**
   * Output beyond the response start and heartbeats reached the client (visible output, or a preamble too large to
   * hold): from here on the attempt is served, and a failure is encoded into the stream instead of being retried.
   */
  committed?: boolean;
  /** This attempt's response start was routed (sent, or dropped as `continuing`): its encoder stands after a start. */
  started?: boolean;
  /** This attempt sent the client its response start. */
  startSent?: boolean;
  /**
   * This attempt continues a client stream that already got an earlier attempt's response start: its own start is
   * dropped (its encoder still sees it), so the client sees exactly one.
   */
  continuing?: boolean;
  /** When the first visible token (text, reasoning, tool call) was seen, on the engine's clock. */
  firstVisibleAt?: number;
  /** Reasoning-only output counts as visible, committing the attempt (default true; the `reasoningVisible` setting). */
  reasoningVisible?: boolean;
  /**
   * Asked once when the stream ended complete (a finish, no error) with no visible output and nothing committed: the
   * error to throw so the executor retries the attempt, or undefined to deliver the empty stream as it is.
   */
  onEmpty?: () => GatewayError | undefined;
  /**
   * Set by the stream while it runs: what still goes to the client when this attempt failed before committing and no
   * attempt is left to continue the stream (what it held, then the protocol's in-stream error and terminal sequence,
   * encoded from this attempt's own encoder state).
   */
  ending?: (error: GatewayError) => (string | Uint8Array)[];
}

/**
 * The failover seam: an attempt may be retried on another credential or target until it committed, i.e. until
 * something beyond its response start and heartbeats reached the client; a retry then continues the same client
 * stream (continue-stream-attempts.ts), so the client never sees two answers spliced together.
 */
export function mayRetry(progress: Readonly<StreamProgress>): boolean {
  return progress.committed !== true;
}

/** Whether the attempt after this one continues a client stream whose response start already went out. */
export function continuesClientStream(progress: Readonly<StreamProgress> | undefined): boolean {
  return progress !== undefined && (progress.continuing === true || progress.startSent === true);
}

/** Events that carry something a user would see; reasoning counts unless `reasoningVisible` is false. */
export function isVisibleEvent(event: StreamEvent, reasoningVisible = true): boolean {
  switch (event.type) {
    case "reasoning-delta":
      return reasoningVisible;
    case "text-delta":
    case "tool-call-start":
    case "native-item":
      return true;
    default:
      return false;
  }
}

/**
 * Before the attempt committed, an upstream failure (a thrown error or an in-band `error` event) is thrown instead
 * of being encoded into the stream: the executor then retries it, continuing the client stream, or, when nothing
 * reached the client yet, the server can still answer with a protocol-shaped HTTP error.
 */
export function earlyStreamError(events: readonly StreamEvent[], progress: Readonly<StreamProgress>): GatewayError | undefined {
  if (progress.committed === true) return undefined;
  for (const event of events) {
    if (isVisibleEvent(event, progress.reasoningVisible)) return undefined;
    if (event.type === "error") return GatewayError.fromSerialized(event.error);
  }
  return undefined;
}
