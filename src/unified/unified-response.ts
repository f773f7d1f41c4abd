import type { OutputPart } from "./content-part.js";
import type { FinishReason } from "./finish-reason.js";
import type { Extensions } from "./protocol-id.js";
import type { Usage } from "./usage.js";

/** Cost of one response in US dollars, with where the figure came from. */
export interface Cost {
  totalUsd: number;
  source: "provider" | "catalogue";
}

/** A complete (non-streaming) model response in protocol-neutral form. */
export interface UnifiedResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created?: number;
  output: OutputPart[];
  finishReason: FinishReason;
  usage?: Usage;
  cost?: Cost;
  /** Provider facts worth keeping (system fingerprint, service tier, safety ratings…). */
  providerMetadata?: Record<string, unknown>;
  extensions?: Extensions;
}
