import type { Citation, NativePart, ReasoningOrigin, ToolCallKind } from "./content-part.js";
import type { FinishReason } from "./finish-reason.js";
import type { SerializedGatewayError } from "./gateway-error.js";
import type { Extensions } from "./protocol-id.js";
import type { Usage } from "./usage.js";

/**
 * The unified stream. `index` numbers output blocks in the order they open (Anthropic content-block semantics),
 * so interleaved blocks and parallel tool calls stay apart. Grammar: one `start`; then blocks, each
 * `*-start`, deltas, `*-end` with the same index; `usage` at any point; exactly one terminal event,
 * `finish` or `error`, last.
 */
export type StreamEvent =
  | StreamStartEvent
  | { type: "text-start"; index: number; extensions?: Extensions }
  | { type: "text-delta"; index: number; text: string }
  | { type: "text-end"; index: number; citations?: Citation[] }
  | {
      type: "reasoning-start";
      index: number;
      id?: string;
      redactedData?: string;
      /** Where the block's artefacts (signature, redacted or encrypted data) come from. */
      origin?: ReasoningOrigin;
      extensions?: Extensions;
    }
  | { type: "reasoning-delta"; index: number; text: string; summaryIndex?: number }
  | { type: "reasoning-signature"; index: number; signature: string }
  | {
      type: "reasoning-end";
      index: number;
      encryptedContent?: string;
      /** Redacted data known only when the block closes (Responses sends it on `output_item.done`). */
      redactedData?: string;
      summary?: string[];
    }
  | {
      type: "tool-call-start";
      index: number;
      id: string;
      name: string;
      kind: ToolCallKind;
      signature?: string;
      extensions?: Extensions;
    }
  | { type: "tool-call-delta"; index: number; argumentsDelta: string }
  | { type: "tool-call-end"; index: number }
  | { type: "native-item"; index: number; part: NativePart }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason; usage?: Usage }
  | { type: "error"; error: SerializedGatewayError };

/** Response-level facts known when a stream opens. */
export interface StreamStartEvent {
  type: "start";
  id?: string;
  model?: string;
  /** Unix seconds. */
  created?: number;
  extensions?: Extensions;
}

/** The `type` of every stream event. */
export type StreamEventType = StreamEvent["type"];
