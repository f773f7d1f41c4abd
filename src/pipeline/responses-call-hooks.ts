import type { ProtocolId } from "../unified/index.js";

/** The target of one attempt, as the Responses layer sees it (no secrets: the credential's hashed id only). */
export interface ResponsesAttemptTarget {
  provider: string;
  credentialId?: string;
  protocol: ProtocolId;
}

/**
 * Callbacks the Responses layer (which sits above the pipeline) hands down with a `POST /v1/responses` call: routing
 * happens here, and only here is it known which target an attempt goes to, so the body and id are decided per
 * attempt through these.
 */
export interface ResponsesCallHooks {
  /** The Responses body for an attempt on `target`: `previous_response_id` passed through, or the history replayed. */
  bodyFor(target: ResponsesAttemptTarget): Record<string, unknown>;
  /** Told which target an attempt went to; the last call is the attempt that answered. */
  onAttempt(target: ResponsesAttemptTarget): void;
  /** The gateway-issued `resp_…` id used when the target is not Responses-native (upstream ids are kept otherwise). */
  readonly issuedResponseId: string;
  /**
   * The credential that served the conversation this request continues (`previous_response_id`): session evidence,
   * ranked after the client's own session key and before content evidence. Undefined when not continuing.
   */
  readonly servedBy?: { readonly provider: string; readonly credentialId: string };
}
