import type { ProtocolId } from "../unified/index.js";
import type { ResponsesCallHooks } from "./responses-call-hooks.js";

/** What a client asked the gateway to do. */
export type GatewayOperation = "generate" | "count-tokens" | "embed";

/** One client call as the server hands it to the pipeline: parsed at the boundary, protocol known. */
export interface GatewayCall {
  /** The client's wire protocol (from the route). */
  protocol: ProtocolId;
  operation: GatewayOperation;
  /** The parsed JSON body. */
  body: unknown;
  /** The body text as received, for the passthrough path (sent upstream without re-serializing). */
  rawBody?: string;
  /** Model named in the URL (Gemini routes). */
  model?: string;
  /** Streaming decided by the URL (Gemini `:streamGenerateContent`); otherwise the body decides. */
  stream?: boolean;
  /** Client request headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Id (not the secret) of the proxy key that authenticated the call. */
  proxyKeyId?: string;
  /** Set by the Responses layer on `POST /v1/responses`: per-attempt body (continuation) and gateway-issued ids. */
  responses?: ResponsesCallHooks;
}

/** What the server writes back. */
export type GatewayResult =
  | { kind: "json"; status: number; headers: Record<string, string>; body: unknown }
  | { kind: "bytes"; status: number; headers: Record<string, string>; body: string | Uint8Array }
  | { kind: "stream"; status: number; headers: Record<string, string>; chunks: AsyncIterable<string | Uint8Array> };

/** A model the gateway can serve, for the model-list routes. */
export interface ModelListing {
  /** `provider/model` */
  id: string;
  provider: string;
  model: string;
  displayName?: string;
}
