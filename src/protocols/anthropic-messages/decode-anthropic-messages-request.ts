import {
  invalidRequest,
  reasoningEfforts,
  type CodecOutput,
  type GenerationParameters,
  type InstructionBlock,
  type MessageRole,
  type ReasoningConfig,
  type ReasoningEffort,
  type RequestMetadata,
  type ResponseFormat,
  type TextPart,
  type UnifiedMessage,
  type UnifiedRequest,
} from "../../unified/index.js";
import {
  describeJsonType,
  expectArray,
  expectObject,
  expectString,
  isWireObject,
  joinPath,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  parseWireJson,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { collectExtraFields, toExtensions } from "./convert-anthropic-messages-extensions.js";
import {
  decodeAnthropicMessagesCacheControl,
  decodeAnthropicMessagesContent,
  decodeAnthropicMessagesTextBlock,
  type AnthropicMessagesContentContext,
} from "./decode-anthropic-messages-content.js";
import { decodeAnthropicMessagesToolChoice, decodeAnthropicMessagesTools } from "./decode-anthropic-messages-tools.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/** Top-level fields this codec maps; every other field rides in `extensions` verbatim (service_tier, container…). */
const requestFields = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
  "output_format",
  "metadata",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "stream",
  "cache_control",
]);
const messageFields = new Set(["role", "content"]);
const thinkingFields = new Set(["type", "budget_tokens"]);
const formatFields = new Set(["type", "schema"]);
const metadataFields = new Set(["user_id"]);
const effortNames: ReadonlySet<string> = new Set(reasoningEfforts);

/**
 * Client request body (`POST /v1/messages`) → unified request. Structural errors throw `invalid_request` naming the
 * path; unknown fields, block types and tool types are carried, never rejected.
 * @see https://docs.claude.com/en/api/messages
 */
export function decodeAnthropicMessagesRequest(body: unknown): CodecOutput<UnifiedRequest> {
  const wire = expectObject(body, "");
  const extra: Record<string, unknown> = collectExtraFields(wire, requestFields) ?? {};
  const model = requiredString(wire, "model", "");
  const maxTokens = optionalNumber(wire, "max_tokens", "");
  if (maxTokens === undefined) throw invalidRequest("max_tokens", "is required");
  if (wire["messages"] === undefined || wire["messages"] === null) throw invalidRequest("messages", "is required");
  const messagesWire = expectArray(wire["messages"], "messages");

  const context: AnthropicMessagesContentContext = { toolNames: new Map() };
  const messages: UnifiedMessage[] = new Array<UnifiedMessage>(messagesWire.length);
  for (let index = 0; index < messagesWire.length; index++) {
    messages[index] = decodeMessage(messagesWire[index], joinPath("messages", index), context);
  }

  const generation: GenerationParameters = { maxOutputTokens: maxTokens };
  const temperature = optionalNumber(wire, "temperature", "");
  if (temperature !== undefined) generation.temperature = temperature;
  const topP = optionalNumber(wire, "top_p", "");
  if (topP !== undefined) generation.topP = topP;
  const topK = optionalNumber(wire, "top_k", "");
  if (topK !== undefined) generation.topK = topK;
  const stop = optionalArray(wire, "stop_sequences", "");
  if (stop !== undefined) generation.stop = stop.map((value, index) => expectString(value, joinPath("stop_sequences", index)));

  const stream = optionalBoolean(wire, "stream", "");
  if (wire["stream"] === undefined) extra[shapeKeys.streamAbsent] = true;

  const request: UnifiedRequest = {
    model,
    system: decodeSystem(wire["system"], extra),
    messages,
    generation,
    stream: stream ?? false,
    sourceProtocol: anthropicMessagesProtocol,
  };

  if (wire["tools"] !== undefined && wire["tools"] !== null) request.tools = decodeAnthropicMessagesTools(wire["tools"], "tools");
  if (wire["tool_choice"] !== undefined && wire["tool_choice"] !== null) {
    const choice = decodeAnthropicMessagesToolChoice(wire["tool_choice"], "tool_choice");
    request.toolChoice = choice.toolChoice;
    if (choice.parallelToolCalls !== undefined) request.parallelToolCalls = choice.parallelToolCalls;
    if (choice.extra !== undefined) extra[shapeKeys.toolChoiceExtra] = choice.extra;
  }

  const reasoning = decodeReasoning(wire, extra);
  if (reasoning !== undefined) request.reasoning = reasoning;
  const responseFormat = decodeResponseFormat(wire, extra);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  const metadata = decodeMetadata(wire, extra);
  if (metadata !== undefined) request.metadata = metadata;

  const cacheControl = wire["cache_control"];
  if (cacheControl !== undefined && cacheControl !== null) {
    const decoded = decodeAnthropicMessagesCacheControl(cacheControl, "cache_control");
    if (decoded === undefined) extra["cache_control"] = cacheControl;
    else request.cacheControl = decoded;
  }

  const extensions = toExtensions(Object.keys(extra).length > 0 ? extra : undefined);
  if (extensions !== undefined) request.extensions = extensions;
  return { value: request, warnings: [] };
}

/**
 * One message. `role: "system"` is not in the public reference but Claude Code sends it inside `messages` on every
 * request (mid-conversation system messages): it stays a system message in its position.
 * @see https://docs.claude.com/en/api/messages#body-messages
 */
function decodeMessage(value: unknown, path: string, context: AnthropicMessagesContentContext): UnifiedMessage {
  const message = expectObject(value, path);
  const roleWire = requiredString(message, "role", path);
  let role: MessageRole;
  if (roleWire === "user" || roleWire === "assistant" || roleWire === "system") role = roleWire;
  else throw invalidRequest(joinPath(path, "role"), `unknown role "${roleWire}" (expected user, assistant or system)`);
  if (message["content"] === undefined || message["content"] === null) throw invalidRequest(joinPath(path, "content"), "is required");
  const content = decodeAnthropicMessagesContent(message["content"], joinPath(path, "content"), context);
  const decoded: UnifiedMessage = { role, content: content.parts };
  let extra = collectExtraFields(message, messageFields);
  if (content.isString) (extra ??= {})[shapeKeys.contentForm] = "string";
  const extensions = toExtensions(extra);
  if (extensions !== undefined) decoded.extensions = extensions;
  return decoded;
}

/** `system`: a string, or text blocks (Claude Code sends three, two with cache_control). The form is remembered. */
function decodeSystem(value: unknown, extra: Record<string, unknown>): InstructionBlock[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    extra[shapeKeys.systemForm] = "string";
    return [{ role: "system", parts: [{ type: "text", text: value }] }];
  }
  if (!Array.isArray(value)) throw invalidRequest("system", `expected a string or an array of text blocks, got ${describeJsonType(value)}`);
  extra[shapeKeys.systemForm] = "blocks";
  if (value.length === 0) return [];
  const parts: TextPart[] = new Array<TextPart>(value.length);
  for (let index = 0; index < value.length; index++) {
    const path = joinPath("system", index);
    const block = expectObject(value[index], path);
    const type = requiredString(block, "type", path);
    if (type !== "text") throw invalidRequest(joinPath(path, "type"), `system blocks must be "text", got "${type}"`);
    parts[index] = decodeAnthropicMessagesTextBlock(block, path);
  }
  return [{ role: "system", parts }];
}

/**
 * `thinking` (enabled + budget_tokens | disabled | adaptive + display) and `output_config.effort` → reasoning.
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking
 * @see https://docs.claude.com/en/docs/build-with-claude/adaptive-thinking
 */
function decodeReasoning(wire: WireObject, extra: Record<string, unknown>): ReasoningConfig | undefined {
  let reasoning: ReasoningConfig | undefined;
  const thinking = optionalObject(wire, "thinking", "");
  if (thinking !== undefined) {
    const type = requiredString(thinking, "type", "thinking");
    switch (type) {
      case "enabled": {
        reasoning = { enabled: true };
        const budget = optionalNumber(thinking, "budget_tokens", "thinking");
        if (budget !== undefined) reasoning.budgetTokens = budget;
        break;
      }
      case "disabled":
        reasoning = { enabled: false };
        break;
      case "adaptive":
        reasoning = { enabled: true, adaptive: true };
        break;
      default:
        // A thinking mode released after this code: kept whole for Anthropic, not guessed at.
        extra[shapeKeys.thinkingRaw] = thinking;
    }
    if (reasoning !== undefined) {
      const display = thinking["display"];
      if (typeof display === "string") reasoning.includeThoughts = display !== "omitted";
      const thinkingExtra = collectExtraFields(thinking, thinkingFields);
      if (thinkingExtra !== undefined) extra[shapeKeys.thinkingExtra] = thinkingExtra;
    }
  }
  const outputConfig = optionalObject(wire, "output_config", "");
  if (outputConfig !== undefined) {
    const effort = optionalString(outputConfig, "effort", "output_config");
    const mapped = new Set<string>();
    if (effort !== undefined && effortNames.has(effort)) {
      reasoning ??= {};
      reasoning.effort = effort as ReasoningEffort;
      mapped.add("effort");
    }
    if (isJsonSchemaFormat(outputConfig["format"])) mapped.add("format");
    extra[shapeKeys.outputConfigExtra] = collectExtraFields(outputConfig, mapped) ?? {};
  }
  return reasoning;
}

/** `output_config.format` (or the older top-level `output_format`) with a JSON schema → response format. */
function decodeResponseFormat(wire: WireObject, extra: Record<string, unknown>): ResponseFormat | undefined {
  const outputConfig = wire["output_config"];
  let format: unknown = isWireObject(outputConfig) ? outputConfig["format"] : undefined;
  if (!isJsonSchemaFormat(format)) {
    format = wire["output_format"];
    if (!isJsonSchemaFormat(format)) {
      if (format !== undefined && format !== null) extra["output_format"] = format;
      return undefined;
    }
    extra[shapeKeys.formatField] = "output_format";
  }
  const formatExtra = collectExtraFields(format, formatFields);
  if (formatExtra !== undefined) extra[shapeKeys.formatExtra] = formatExtra;
  return { type: "json_schema", schema: format["schema"] as Record<string, unknown> };
}

function isJsonSchemaFormat(value: unknown): value is WireObject {
  return isWireObject(value) && value["type"] === "json_schema" && isWireObject(value["schema"]);
}

/**
 * `metadata.user_id`. Claude Code ≥ 2.1.78 sends a JSON string (`{"device_id","account_uuid","session_id"}`),
 * older versions `user_<hash>_account_<uuid>_session_<uuid>`; the session id is lifted out as an affinity key.
 */
function decodeMetadata(wire: WireObject, extra: Record<string, unknown>): RequestMetadata | undefined {
  const metadataWire = optionalObject(wire, "metadata", "");
  if (metadataWire === undefined) return undefined;
  const metadataExtra = collectExtraFields(metadataWire, metadataFields);
  extra[shapeKeys.metadataExtra] = metadataExtra ?? {};
  const userId = optionalString(metadataWire, "user_id", "metadata");
  if (userId === undefined) return undefined;
  const metadata: RequestMetadata = { user: userId };
  const sessionId = readClaudeCodeSessionId(userId);
  if (sessionId !== undefined) metadata.sessionId = sessionId;
  return metadata;
}

function readClaudeCodeSessionId(userId: string): string | undefined {
  if (userId.startsWith("{")) {
    const parsed = parseWireJson(userId);
    const sessionId = isWireObject(parsed) ? parsed["session_id"] : undefined;
    return typeof sessionId === "string" && sessionId !== "" ? sessionId : undefined;
  }
  return /_session_([0-9a-zA-Z-]+)$/.exec(userId)?.[1];
}
