import type { CodecOutput, EncodeResponseOptions, UnifiedResponse, UnifiedWarning } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { convertUsageToAnthropicMessages } from "./convert-anthropic-messages-usage.js";
import { ownExtensions, spreadExtraFields } from "./convert-anthropic-messages-extensions.js";
import { encodeAnthropicMessagesPart, type AnthropicMessagesEncodeContext } from "./encode-anthropic-messages-content.js";
import { finishReasonLossWarning, mapFinishReasonToAnthropicMessages } from "./map-anthropic-messages-finish-reason.js";
import { shapeKeys } from "./types.js";

/**
 * Unified response → Anthropic Messages response body for a client. Reasoning artefacts from other protocols are
 * written tagged with their origin; parts Anthropic cannot show (images, other protocols' native items) are
 * dropped with a warning.
 * @see https://docs.claude.com/en/api/messages#response
 */
export function encodeAnthropicMessagesResponse(response: UnifiedResponse, _options: EncodeResponseOptions = {}): CodecOutput<WireObject> {
  const warnings: UnifiedWarning[] = [];
  const own = ownExtensions(response.extensions);
  const body: WireObject = {};
  spreadExtraFields(body, own);
  body["id"] = response.id;
  body["type"] = "message";
  body["role"] = "assistant";
  body["model"] = response.model;
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
