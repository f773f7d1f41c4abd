import type { CredentialAdministration } from "./describe-credential-status.js";
import type { StateStore } from "../state/index.js";
import type { GatewayCall, GatewayResult, ModelListing } from "./gateway-call.js";

/** The engine behind the server and the library API. */
export interface Gateway {
  handle(call: GatewayCall): Promise<GatewayResult>;
  listModels(): Promise<ModelListing[]>;
  health(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
  /** Credential pool status and manual reset; absent when the engine runs without pools. */
  credentials?: CredentialAdministration;
  /** The engine's shared state (the Responses store lives on it); absent = callers keep their state in memory. */
  readonly state?: StateStore;
}
