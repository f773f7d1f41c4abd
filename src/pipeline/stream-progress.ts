import { GatewayError, type StreamEvent } from "../unified/index.js";

/**
 * What a client stream has been sent so far. Shared by the translated and passthrough paths so that the engine (and
 * later the rotation executor) decide on one fact.
 */
export interface StreamProgress {
  /** Any byte reached the client (heartbeats included: they commit the 200 status and headers). */
  sent: boolean;
  /** When the first visible token (text, reasoning, tool call) was seen, on the engine's clock. */
  firstVisibleAt?: number;
  /** Reasoning-only output counts as visible, committing the attempt (default true; the `reasoningVisible` setting). */
  reasoningVisible?: boolean;
  /**
   * Asked once when the stream ended complete (a finish, no error) with no visible output and nothing sent: the
   * error to throw so the executor retries the attempt, or undefined to deliver the empty stream as it is.
   */
  onEmpty?: () => GatewayError | undefined;
}

/**
 * The failover seam: an attempt may be retried on another credential or target only while nothing was sent to the
 * client, so the client can never see two answers spliced together. (Heartbeats count as sent because they commit
 * the headers; the rotation executor may relax that to "nothing visible" once it can keep the client encoder.)
 */
export function mayRetry(progress: Readonly<StreamProgress>): boolean {
  return !progress.sent;
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
 * Before anything was sent, an upstream failure (a thrown error or an in-band `error` event) is thrown instead of
 * being encoded into the stream: the server can then still answer with a protocol-shaped HTTP error, and a retry
 * stays possible.
 */
export function earlyStreamError(events: readonly StreamEvent[], progress: Readonly<StreamProgress>): GatewayError | undefined {
  if (progress.sent) return undefined;
  for (const event of events) {
    if (isVisibleEvent(event, progress.reasoningVisible)) return undefined;
    if (event.type === "error") return GatewayError.fromSerialized(event.error);
  }
  return undefined;
}
