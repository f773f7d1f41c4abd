import {
  GatewayError,
  defaultHttpStatusByCode,
  type CodecOutput,
  type OutputPart,
  type UnifiedResponse,
  type UnifiedWarning,
} from "../../unified/index.js";
import { collectUnknownFields, isWireObject, type WireObject } from "../common/index.js";
import { convertAnthropicMessagesUsage } from "./convert-anthropic-messages-usage.js";
import { toExtensions } from "./convert-anthropic-messages-extensions.js";
import {
  decodeAnthropicMessagesBlock,
  isAnthropicMessagesBlock,
  nativePart,
  type AnthropicMessagesContentContext,
} from "./decode-anthropic-messages-content.js";
import { mapAnthropicMessagesErrorType } from "./map-anthropic-messages-error-type.js";
import { mapAnthropicMessagesStopReason } from "./map-anthropic-messages-finish-reason.js";
import { shapeKeys } from "./types.js";

const responseFields = new Set(["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"]);

/**
 * Upstream response body → unified response. Tolerant: unknown fields (stop_details, container…) ride in
 * extensions, unknown block types become native parts, and the usage object is kept whole so the same protocol
 * gets it back. An error body (`{"type":"error"}`) becomes the matching GatewayError.
 * @see https://docs.claude.com/en/api/messages#response
 */
export function decodeAnthropicMessagesResponse(body: unknown): CodecOutput<UnifiedResponse> {
  if (!isWireObject(body)) throw undecodable("the response body is not a JSON object");
  if (body["type"] === "error") throw decodeAnthropicMessagesErrorBody(body);
  const content = body["content"];
  if (!Array.isArray(content)) throw undecodable("the response has no content array");
  const warnings: UnifiedWarning[] = [];
  const context: AnthropicMessagesContentContext = { toolNames: new Map() };
  const output: OutputPart[] = [];
  content.forEach((block, index) => {
    const path = `content[${index}]`;
    if (!isAnthropicMessagesBlock(block)) {
      warnings.push({ code: "response-block-skipped", message: "a content entry without a type was skipped", path });
      return;
    }
    output.push(decodeOutputBlock(block, path, context));
  });

  const stopReason = body["stop_reason"];
  const stopSequence = body["stop_sequence"];
  const response: UnifiedResponse = {
    id: typeof body["id"] === "string" ? body["id"] : "",
    model: typeof body["model"] === "string" ? body["model"] : "",
    output,
    finishReason: mapAnthropicMessagesStopReason(typeof stopReason === "string" ? stopReason : null, typeof stopSequence === "string" ? stopSequence : null),
  };
  const extra = collectUnknownFields(body, responseFields) ?? {};
  const usage = body["usage"];
  if (isWireObject(usage)) {
    response.usage = convertAnthropicMessagesUsage(usage);
    extra[shapeKeys.usage] = usage;
  }
  const extensions = toExtensions(Object.keys(extra).length > 0 ? extra : undefined);
  if (extensions !== undefined) response.extensions = extensions;
  return { value: response, warnings };
}

function decodeOutputBlock(block: WireObject & { type: string }, path: string, context: AnthropicMessagesContentContext): OutputPart {
  switch (block.type) {
    case "text":
    case "thinking":
    case "redacted_thinking":
    case "tool_use": {
      try {
        return decodeAnthropicMessagesBlock(block, path, context) as OutputPart;
      } catch (error) {
        // A malformed block from upstream is not the client's fault: report it as an upstream failure.
        throw undecodable(error instanceof Error ? error.message : String(error));
      }
    }
    default:
      return nativePart(block);
  }
}

/**
 * An Anthropic error body (HTTP error or in-stream `error` event) → GatewayError with the gateway's status for
 * its code and Anthropic's status as `upstreamStatus`.
 * @see https://docs.claude.com/en/api/errors
 */
export function decodeAnthropicMessagesErrorBody(body: WireObject): GatewayError {
  const error = isWireObject(body["error"]) ? body["error"] : {};
  const type = typeof error["type"] === "string" ? error["type"] : "api_error";
  const message = typeof error["message"] === "string" ? error["message"] : "Anthropic returned an error";
  const { code, upstreamStatus } = mapAnthropicMessagesErrorType(type, message);
  return new GatewayError(code, message, { httpStatus: defaultHttpStatusByCode[code], upstreamStatus });
}

function undecodable(reason: string): GatewayError {
  return new GatewayError("upstream_server", `undecodable Anthropic response: ${reason}`, { httpStatus: 502 });
}
