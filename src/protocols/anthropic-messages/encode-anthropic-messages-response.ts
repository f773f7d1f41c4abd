import type { CodecOutput, EncodeResponseOptions, ReasoningOrigin, UnifiedResponse, UnifiedWarning } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { convertUsageToAnthropicMessages } from "./convert-anthropic-messages-usage.js";
import { ownExtensions, spreadExtraFields } from "./convert-anthropic-messages-extensions.js";
import { encodeAnthropicMessagesPart, type AnthropicMessagesEncodeContext } from "./encode-anthropic-messages-content.js";
import { finishReasonLossWarning, mapFinishReasonToAnthropicMessages } from "./map-anthropic-messages-finish-reason.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/**
 * Unified response → Anthropic Messages response body for a client. Reasoning artefacts from other protocols are
 * written tagged with their origin; parts Anthropic cannot show (images, other protocols' native items) are
 * dropped with a warning.
 * @see https://docs.claude.com/en/api/messages#response
 */
export function encodeAnthropicMessagesResponse(response: UnifiedResponse, options: EncodeResponseOptions = {}): CodecOutput<WireObject> {
  const warnings: UnifiedWarning[] = [];
  const own = ownExtensions(response.extensions);
  const body: WireObject = {};
  spreadExtraFields(body, own);
  body["id"] = response.id;
  body["type"] = "message";
  body["role"] = "assistant";
  // Reasoning of another origin goes out in signed blocks (a tagged signature, or the bare origin tag): name the model
  // the client asked for, or Claude Code drops them.
  const foreignReasoning = response.output.some((part) => part.type === "reasoning" && isForeignReasoningOrigin(part.origin));
  body["model"] = foreignReasoning ? anthropicMessagesClientModel(response.model, options) : response.model;
  const context: AnthropicMessagesEncodeContext = { mode: "response", warnings, toolCallIds: new Map() };
  const content: WireObject[] = [];
  response.output.forEach((part, index) => {
    const block = encodeAnthropicMessagesPart(part, `content[${index}]`, context);
    if (block !== undefined) content.push(block);
  });
  body["content"] = content;
  body["stop_reason"] = mapFinishReasonToAnthropicMessages(response.finishReason);
  const finishLoss = finishReasonLossWarning(response.finishReason);
  if (finishLoss !== undefined) warnings.push(finishLoss);
  body["stop_sequence"] = response.finishReason.stopSequence ?? null;
  const usage = own?.[shapeKeys.usage];
  body["usage"] = convertUsageToAnthropicMessages(response.usage, isWireObject(usage) ? usage : undefined);
  return { value: body, warnings };
}

/**
 * The `model` an Anthropic client is shown for a response whose reasoning comes from another protocol: the one it
 * asked for when known, else the upstream's. Claude Code binds thinking signatures to the response's model: on its
 * next turn it strips every signed `thinking` and every `redacted_thinking` block from assistant turns whose model
 * differs from the one it now asks for (as after a model switch), seen with Claude Code 2.1.197. Naming the
 * upstream's model (an alias routed to another protocol's model) would make it drop the tagged signatures and bare
 * origin tags written for that reasoning, and the tool turn would lose it. Anthropic's own responses keep their
 * model as the upstream wrote it.
 */
export function anthropicMessagesClientModel(upstreamModel: string | undefined, options: EncodeResponseOptions): string {
  const asked = options.request?.model;
  return asked !== undefined && asked !== "" ? asked : (upstreamModel ?? "");
}

/** Whether reasoning comes from another protocol than Anthropic (its signed blocks carry tags). */
export function isForeignReasoningOrigin(origin: ReasoningOrigin | undefined): boolean {
  return origin !== undefined && origin.protocol !== anthropicMessagesProtocol;
}
