import {
  GatewayError,
  type CodecOutput,
  type OutputPart,
  type UnifiedResponse,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, joinPath, type WireObject } from "../common/index.js";
import { collectLeftovers, makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { decodeResponsesUsage } from "./convert-openai-responses-usage.js";
import {
  decodeResponsesAssistantMessage,
  decodeResponsesReasoningItem,
  decodeResponsesToolCallItem,
  nativeItemPart,
} from "./decode-openai-responses-items.js";
import { decodeResponsesErrorCode } from "./map-openai-responses-error-code.js";
import { decodeResponsesFinishReason } from "./map-openai-responses-finish-reason.js";
import { responsesProtocol } from "./types.js";

/** Response fields with a unified home; the rest (tools, text, reasoning, store…) stays in extensions. */
const responseConsumed = new Set(["id", "object", "created_at", "model", "output", "usage", "status", "incomplete_details"]);

/**
 * Decodes a Responses response object (a non-streaming body, or the `response` of a terminal stream event).
 * Tolerant: unknown item types become NativeParts; a structurally broken body is an `upstream_server` error.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function decodeOpenAiResponsesResponse(body: unknown): CodecOutput<UnifiedResponse> {
  throwIfErrorBody(body);
  try {
    return { value: decodeResponseObject(body), warnings: [] as UnifiedWarning[] };
  } catch (error) {
    if (GatewayError.isInstance(error) && error.code === "invalid_request") {
      throw new GatewayError("upstream_server", `undecodable Responses body: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The response object → unified response (throws `invalid_request`-coded errors on broken structure). */
function decodeResponseObject(body: unknown): UnifiedResponse {
  if (!isWireObject(body)) throw new GatewayError("upstream_server", "Responses body is not a JSON object");
  const outputList = body["output"];
  if (!Array.isArray(outputList)) throw new GatewayError("upstream_server", "Responses body has no output list");
  const output = decodeResponsesOutput(outputList, "output");
  const hasToolCalls = output.some((part) => part.type === "tool-call");
  const incomplete = body["incomplete_details"];
  const response: UnifiedResponse = {
    id: typeof body["id"] === "string" ? body["id"] : "",
    model: typeof body["model"] === "string" ? body["model"] : "",
    output,
    finishReason: decodeResponsesFinishReason(body["status"], isWireObject(incomplete) ? incomplete["reason"] : undefined, hasToolCalls),
  };
  if (typeof body["created_at"] === "number") response.created = body["created_at"];
  const usage = decodeResponsesUsage(body["usage"]);
  if (usage !== undefined) response.usage = usage;
  const extensions = makeResponsesExtensions(collectLeftovers(body, responseConsumed));
  if (extensions !== undefined) response.extensions = extensions;
  return response;
}

/** An error body (`{error: {message, type, code}}` without output) becomes the GatewayError it describes. */
function throwIfErrorBody(body: unknown): void {
  if (!isWireObject(body) || Array.isArray(body["output"])) return;
  const error = body["error"];
  if (!isWireObject(error)) return;
  const message = typeof error["message"] === "string" ? error["message"] : "upstream error";
  throw new GatewayError(decodeResponsesErrorCode(error["code"], error["type"]), message);
}

/** Output items → output parts, in order. */
function decodeResponsesOutput(items: unknown[], path: string): OutputPart[] {
  const parts: OutputPart[] = [];
  for (let index = 0; index < items.length; index++) {
    for (const part of decodeResponsesOutputItem(items[index], joinPath(path, index))) parts.push(part);
  }
  return parts;
}

/** One output item → its parts (a message item may hold several). */
function decodeResponsesOutputItem(value: unknown, path: string): OutputPart[] {
  if (!isWireObject(value)) return [nativeItemPart(value)];
  const item: WireObject = value;
  switch (item["type"]) {
    case "message": {
      const parts = decodeResponsesAssistantMessage(item, path, false);
      // Output messages hold output_text and refusal; anything else keeps the item verbatim rather than lose it.
      const output: OutputPart[] = [];
      for (const part of parts) {
        if (part.type === "file" || part.type === "audio") return [nativeItemPart(item)];
        output.push(part);
      }
      return output;
    }
    case "function_call":
      return [decodeResponsesToolCallItem(item, path, "function")];
    case "custom_tool_call":
      return [decodeResponsesToolCallItem(item, path, "custom")];
    case "reasoning": {
      // Reasoning the upstream produced is Responses' unless its encrypted_content's tag says otherwise, artefact or
      // not (as the stream decoder's reasoning-start says), so a client-facing encoder of another protocol records it.
      const part = decodeResponsesReasoningItem(item, path);
      part.origin ??= { protocol: responsesProtocol };
      return [part];
    }
    default:
      return [nativeItemPart(item)];
  }
}
