import {
  GatewayError,
  type CodecOutput,
  type EncodeRequestOptions,
  type InstructionBlock,
  type TextPart,
  type UnifiedMessage,
  type UnifiedRequest,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { ownExtensions, spreadExtraFields } from "./convert-anthropic-messages-extensions.js";
import {
  encodeAnthropicMessagesPart,
  encodeAnthropicMessagesTextPart,
  writeCacheControl,
  type AnthropicMessagesEncodeContext,
} from "./encode-anthropic-messages-content.js";
import { planAnthropicMessagesThinking } from "./encode-anthropic-messages-thinking.js";
import { encodeAnthropicMessagesToolChoice, encodeAnthropicMessagesTools } from "./encode-anthropic-messages-tools.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/**
 * Unified request → Anthropic Messages request body. A request decoded from Anthropic is rebuilt exactly (its
 * recorded shape and unknown fields come back); one from another protocol is mapped, each loss reported.
 * @see https://docs.claude.com/en/api/messages
 */
export function encodeAnthropicMessagesRequest(request: UnifiedRequest, options: EncodeRequestOptions = {}): CodecOutput<WireObject> {
  const n = request.generation.n;
  if (n !== undefined && n > 1) {
    throw new GatewayError("unsupported_feature", `Anthropic Messages returns one completion per request; n = ${n} is not supported`, { path: "n" });
  }
  const warnings: UnifiedWarning[] = [];
  const own = ownExtensions(request.extensions);
  const sameProtocol = request.sourceProtocol === anthropicMessagesProtocol;
  const body: WireObject = {};
  spreadExtraFields(body, own);
  body["model"] = request.model;

  const context: AnthropicMessagesEncodeContext = { mode: "request", warnings, toolCallIds: new Map() };
  const { messages, hoisted } = encodeMessages(request.messages, sameProtocol, context);
  const system = encodeSystem(request.system, hoisted, own?.[shapeKeys.systemForm], context);
  if (system !== undefined) body["system"] = system;
  body["messages"] = messages;

  const plan = planAnthropicMessagesThinking(request, own, options, warnings);
  body["max_tokens"] = plan.maxTokens;
  if (plan.thinking !== undefined) body["thinking"] = plan.thinking;

  const tools = request.tools === undefined ? undefined : encodeAnthropicMessagesTools(request.tools, warnings);
  if (tools !== undefined) body["tools"] = tools;
  const toolChoiceExtra = own?.[shapeKeys.toolChoiceExtra];
  const toolChoice = encodeAnthropicMessagesToolChoice(
    request.toolChoice,
    request.parallelToolCalls,
    { thinkingOn: plan.thinkingOn, hasTools: tools !== undefined && tools.length > 0, extra: isWireObject(toolChoiceExtra) ? toolChoiceExtra : undefined },
    warnings,
  );
  if (toolChoice !== undefined) body["tool_choice"] = toolChoice;

  encodeGeneration(request, body, plan.thinkingOn && !sameProtocol, warnings);
  encodeOutputConfig(request, own, plan.effort, body, warnings);

  const metadataExtra = own?.[shapeKeys.metadataExtra];
  if (request.metadata?.user !== undefined || isWireObject(metadataExtra)) {
    const metadata: WireObject = {};
    spreadExtraFields(metadata, isWireObject(metadataExtra) ? metadataExtra : undefined);
    if (request.metadata?.user !== undefined) metadata["user_id"] = request.metadata.user;
    body["metadata"] = metadata;
  }
  writeCacheControl(body, request.cacheControl);
  if (request.promptCacheKey !== undefined) {
    // Anthropic caches by prefix and has no cache key; affinity is the pipeline's job.
    warnings.push({ code: "prompt-cache-key-dropped", message: "Anthropic has no prompt_cache_key; it was not sent", path: "prompt_cache_key" });
  }
  if (request.stream || own?.[shapeKeys.streamAbsent] !== true) body["stream"] = request.stream;
  return { value: body, warnings };
}

/**
 * Messages. Tool messages become user messages of tool_result blocks (Anthropic wants all results of a turn in one
 * user message, before any text). System and developer messages: Claude Code's in-conversation `role: "system"`
 * messages stay in place; from other protocols the leading ones are hoisted into `system` and later ones are sent
 * as Anthropic mid-conversation system messages (consecutive ones merged), which older models reject: warned.
 * @see https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages
 */
function encodeMessages(
  messages: readonly UnifiedMessage[],
  sameProtocol: boolean,
  context: AnthropicMessagesEncodeContext,
): { messages: WireObject[]; hoisted: TextPart[] } {
  const out: WireObject[] = [];
  const hoisted: TextPart[] = [];
  let leading = !sameProtocol;
  let previousKind: "tool" | "system" | "other" = "other";
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as UnifiedMessage;
    const path = `messages[${index}]`;
    const isSystem = message.role === "system" || message.role === "developer";
    if (isSystem && leading) {
      for (const part of message.content) {
        if (part.type === "text") hoisted.push(part);
        else context.warnings.push({ code: "system-part-dropped", message: `a ${part.type} part in a system message has no place in Anthropic's system`, path });
      }
      continue;
    }
    if (!isSystem) leading = false;
    const content: WireObject[] = [];
    message.content.forEach((part, partIndex) => {
      // Anthropic rejects empty text blocks; other protocols produce them freely (e.g. content "" beside tool calls).
      if (!sameProtocol && part.type === "text" && part.text === "" && part.cacheControl === undefined) return;
      const block = encodeAnthropicMessagesPart(part, `${path}.content[${partIndex}]`, context);
      if (block !== undefined) content.push(block);
    });
    if (content.length === 0 && message.content.length > 0) {
      context.warnings.push({ code: "empty-message-dropped", message: "nothing in this message could be sent to Anthropic", path });
      continue;
    }
    const role = message.role === "assistant" ? "assistant" : isSystem ? "system" : "user";
    const previous = out[out.length - 1];
    if (!sameProtocol && previous !== undefined && Array.isArray(previous["content"])) {
      const mergeTool = previousKind === "tool" && (message.role === "tool" || message.role === "user");
      const mergeSystem = previousKind === "system" && isSystem;
      if (mergeTool || mergeSystem) {
        (previous["content"] as WireObject[]).push(...content);
        if (message.role === "user") previousKind = "other";
        continue;
      }
    }
    if (isSystem && !sameProtocol) {
      context.warnings.push({
        code: "system-message-in-conversation",
        message: "a system message after the conversation start was sent as an Anthropic mid-conversation system message (older models reject it)",
        path,
      });
    }
    const wire: WireObject = {};
    const extensions = ownExtensions(message.extensions);
    spreadExtraFields(wire, extensions);
    wire["role"] = role;
    const only = message.content.length === 1 ? message.content[0] : undefined;
    // Same protocol: the recorded form. Other protocols: one plain text goes as a string, the usual Anthropic form.
    const stringForm = extensions?.[shapeKeys.contentForm] === "string" || !sameProtocol;
    wire["content"] = stringForm && only?.type === "text" && isPlainText(only) ? only.text : content;
    out.push(wire);
    previousKind = message.role === "tool" ? "tool" : isSystem ? "system" : "other";
  }
  return { messages: out, hoisted };
}

/** `system`: a string when it came as one (or is one plain text from another protocol), else text blocks. */
function encodeSystem(
  blocks: readonly InstructionBlock[],
  hoisted: readonly TextPart[],
  form: unknown,
  context: AnthropicMessagesEncodeContext,
): string | WireObject[] | undefined {
  const parts: TextPart[] = [];
  for (const block of blocks) parts.push(...block.parts);
  parts.push(...hoisted);
  if (parts.length === 0) return form === "blocks" ? [] : undefined;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && isPlainText(only) && (form === "string" || form === undefined)) return only.text;
  return parts.map((part, index) => encodeAnthropicMessagesTextPart(part, `system[${index}]`, context));
}

function isPlainText(part: TextPart): boolean {
  return part.cacheControl === undefined && part.citations === undefined && part.extensions === undefined;
}

/**
 * Sampling parameters. Anthropic's temperature range is 0–1 (OpenAI's 0–2): higher values are lowered to 1 with a
 * warning rather than failing the request. With thinking on, Anthropic rejects temperature, top_k and a top_p
 * below 0.95, so for requests from other protocols those are left out with a warning.
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility
 */
function encodeGeneration(request: UnifiedRequest, body: WireObject, thinkingRestrictions: boolean, warnings: UnifiedWarning[]): void {
  const generation = request.generation;
  if (generation.stop !== undefined) body["stop_sequences"] = generation.stop;
  if (generation.temperature !== undefined) {
    if (thinkingRestrictions) droppedWithThinking("temperature", warnings);
    else if (generation.temperature > 1) {
      warnings.push({ code: "temperature-clamped", message: `Anthropic accepts temperature 0–1; ${generation.temperature} was sent as 1`, path: "temperature" });
      body["temperature"] = 1;
    } else body["temperature"] = generation.temperature;
  }
  if (generation.topP !== undefined) {
    if (thinkingRestrictions && generation.topP < 0.95) droppedWithThinking("top_p", warnings);
    else body["top_p"] = generation.topP;
  }
  if (generation.topK !== undefined) {
    if (thinkingRestrictions) droppedWithThinking("top_k", warnings);
    else body["top_k"] = generation.topK;
  }
  const unsupported: Array<[string, unknown]> = [
    ["seed", generation.seed],
    ["presence_penalty", generation.presencePenalty],
    ["frequency_penalty", generation.frequencyPenalty],
    ["logprobs", generation.logprobs],
    ["top_logprobs", generation.topLogprobs],
  ];
  // Anthropic has no seed, penalties or logprobs: they are not sent, each reported.
  for (const [name, value] of unsupported) {
    if (value !== undefined) warnings.push({ code: "parameter-unsupported", message: `Anthropic has no ${name}; it was not sent`, path: name });
  }
}

function droppedWithThinking(name: string, warnings: UnifiedWarning[]): void {
  warnings.push({ code: "parameter-dropped-with-thinking", message: `Anthropic rejects ${name} while thinking is on; it was not sent`, path: name });
}

/** `output_config` (effort, JSON-schema format) or the older top-level `output_format`, as the request had it. */
function encodeOutputConfig(
  request: UnifiedRequest,
  own: Record<string, unknown> | undefined,
  effort: string | undefined,
  body: WireObject,
  warnings: UnifiedWarning[],
): void {
  const outputConfigExtra = own?.[shapeKeys.outputConfigExtra];
  const outputConfig: WireObject = {};
  spreadExtraFields(outputConfig, isWireObject(outputConfigExtra) ? outputConfigExtra : undefined);
  if (effort !== undefined) outputConfig["effort"] = effort;
  const format = request.responseFormat;
  if (format?.type === "json_schema") {
    const wireFormat: WireObject = {};
    const formatExtra = own?.[shapeKeys.formatExtra];
    spreadExtraFields(wireFormat, isWireObject(formatExtra) ? formatExtra : undefined);
    wireFormat["type"] = "json_schema";
    wireFormat["schema"] = format.schema;
    if (own?.[shapeKeys.formatField] === "output_format") body["output_format"] = wireFormat;
    else outputConfig["format"] = wireFormat;
  } else if (format?.type === "json_object") {
    // Anthropic's structured output needs a schema; plain JSON mode has no equivalent, so the hint is lost.
    warnings.push({ code: "response-format-unsupported", message: "Anthropic has no JSON mode without a schema; json_object was not sent", path: "response_format" });
  }
  if (isWireObject(outputConfigExtra) || Object.keys(outputConfig).length > 0) body["output_config"] = outputConfig;
}
