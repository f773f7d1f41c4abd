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
 *
 * Reasoning artefacts (signature, redacted data, encrypted content) travel untagged (see reasoning-signature.ts);
 * their origin travels beside them. The origin of an artefact is the `origin` of the event carrying it, else the
 * `origin` of its block's `reasoning-start`, else none (which `artefactForProtocol` reads as the encoder's own
 * protocol). Decoders put an origin on `reasoning-start` of every block that can carry artefacts (from the first
 * artefact they have seen, else the protocol they decode) and delay nothing: an artefact read later whose origin
 * differs from the block's carries its own `origin` on `reasoning-signature` / `reasoning-end`.
 *
 * A `reasoning-signature` always carries a real (non-empty) signature. Reasoning of a foreign origin with no
 * artefact at all may reach a decoder only as an origin tag with an empty artefact (see `originTagForProtocol` in
 * reasoning-signature.ts), read after reasoning-start went out: the decoder then puts that origin on the block's
 * `reasoning-end` without any artefact, meaning the block's reasoning itself has that origin.
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
  | {
      type: "reasoning-signature";
      index: number;
      signature: string;
      /** The signature's origin when it differs from the block's (see above). */
      origin?: ReasoningOrigin;
    }
  | {
      type: "reasoning-end";
      index: number;
      encryptedContent?: string;
      /** Redacted data known only when the block closes (Responses sends it on `output_item.done`). */
      redactedData?: string;
      /**
       * The origin of this event's artefacts when it differs from the block's; on a reasoning-end without
       * artefacts, the origin of the block's reasoning learnt only at its end (see above).
       */
      origin?: ReasoningOrigin;
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
