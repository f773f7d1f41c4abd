import type { GatewayCall, GatewayResult, ModelListing } from "./gateway-call.js";

/** The engine behind the server and the library API. */
export interface Gateway {
  handle(call: GatewayCall): Promise<GatewayResult>;
  listModels(): Promise<ModelListing[]>;
  health(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
