import {
  findReasoningEffortMapping,
  flattenToolName,
  mapBudgetToEffort,
  type CodecOutput,
  type EncodeRequestOptions,
  type ReasoningEffort,
  type ResponseFormat,
  type ToolChoice,
  type UnifiedRequest,
  type UnifiedTool,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject } from "../common/index.js";
import { readChatExtensions, writeChatUnknownFields } from "./convert-openai-chat-extensions.js";
import { encodeOpenAiChatMessages } from "./encode-openai-chat-messages.js";
import { chatMarkers, openAiChatProtocol, type ChatWireObject } from "./types.js";

/**
 * Unified → Chat Completions request body. Fields a Chat client sent and the unified form cannot hold come back
 * from `extensions["openai-chat"]`; what Chat cannot carry from other protocols is dropped with a warning.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function encodeOpenAiChatRequest(request: UnifiedRequest, options: EncodeRequestOptions = {}): CodecOutput<Record<string, unknown>> {
  const warnings: UnifiedWarning[] = [];
  const ext = readChatExtensions(request.extensions);
  const sameProtocolClient = request.sourceProtocol === openAiChatProtocol;
  const body: ChatWireObject = {};
  writeChatUnknownFields(body, ext);
  body["model"] = request.model;
  body["messages"] = encodeOpenAiChatMessages(request.system, request.messages, warnings, request.sourceProtocol);

  if (!(ext?.[chatMarkers.streamAbsent] === true && !request.stream)) body["stream"] = request.stream;
  encodeStreamOptions(request, ext, sameProtocolClient, body);
  encodeGeneration(request, ext, body, warnings);
  encodeTools(request, ext, body, warnings);
  if (request.parallelToolCalls !== undefined) body["parallel_tool_calls"] = request.parallelToolCalls;
  if (request.responseFormat !== undefined) body["response_format"] = encodeResponseFormat(request.responseFormat);
  encodeReasoning(request, options, body, warnings);
  if (request.promptCacheKey !== undefined) body["prompt_cache_key"] = request.promptCacheKey;
  if (request.metadata?.user !== undefined) body["user"] = request.metadata.user;
  if (request.cacheControl !== undefined) {
    warnings.push({ code: "cache-control-dropped", message: "Chat has no request-wide cache_control", path: "cacheControl" });
  }
  return { value: body, warnings };
}

function encodeStreamOptions(
  request: UnifiedRequest,
  ext: Record<string, unknown> | undefined,
  sameProtocolClient: boolean,
  body: ChatWireObject,
): void {
  const extra = ext?.[chatMarkers.streamOptionsFields];
  const options: ChatWireObject = isWireObject(extra) ? { ...extra } : {};
  let includeUsage = request.includeUsage;
  // A streaming client of another protocol still needs usage (Anthropic's message_delta, Gemini's usageMetadata, the
  // gateway's own accounting), and Chat streams carry it only when asked.
  if (includeUsage === undefined && request.stream && !sameProtocolClient) includeUsage = true;
  if (includeUsage !== undefined) options["include_usage"] = includeUsage;
  if (Object.keys(options).length > 0 || isWireObject(extra)) body["stream_options"] = options;
}

function encodeGeneration(
  request: UnifiedRequest,
  ext: Record<string, unknown> | undefined,
  body: ChatWireObject,
  warnings: UnifiedWarning[],
): void {
  const generation = request.generation;
  if (generation.maxOutputTokens !== undefined) {
    // max_completion_tokens is the current name (reasoning models reject max_tokens); a client that sent
    // max_tokens gets it back for its own upstream.
    const field = ext?.[chatMarkers.maxTokensField] === "max_tokens" ? "max_tokens" : "max_completion_tokens";
    body[field] = generation.maxOutputTokens;
  }
  if (generation.temperature !== undefined) body["temperature"] = generation.temperature;
  if (generation.topP !== undefined) body["top_p"] = generation.topP;
  if (generation.seed !== undefined) body["seed"] = generation.seed;
  if (generation.presencePenalty !== undefined) body["presence_penalty"] = generation.presencePenalty;
  if (generation.frequencyPenalty !== undefined) body["frequency_penalty"] = generation.frequencyPenalty;
  // Chat fans out itself: n is carried as is.
  if (generation.n !== undefined) body["n"] = generation.n;
  if (generation.logprobs !== undefined) body["logprobs"] = generation.logprobs;
  if (generation.topLogprobs !== undefined) body["top_logprobs"] = generation.topLogprobs;
  if (generation.stop !== undefined) {
    const stop = generation.stop;
    body["stop"] = ext?.[chatMarkers.stopAsString] === true && stop.length === 1 ? stop[0] : stop;
    // OpenAI takes at most 4 stop sequences; the upstream decides (never silently truncated here).
    if (stop.length > 4) warnings.push({ code: "stop-sequences-over-limit", message: `${stop.length} stop sequences; OpenAI accepts at most 4`, path: "generation.stop" });
  }
  if (generation.topK !== undefined) {
    warnings.push({ code: "top-k-dropped", message: "Chat Completions has no top_k", path: "generation.topK" });
  }
}

function encodeTools(request: UnifiedRequest, ext: Record<string, unknown> | undefined, body: ChatWireObject, warnings: UnifiedWarning[]): void {
  const tools = request.tools;
  if (tools !== undefined) {
    if (ext?.[chatMarkers.legacyFunctions] === true) {
      body["functions"] = tools.flatMap((tool) => (tool.type === "function" ? [encodeFunctionDefinition(tool)] : []));
    } else {
      const encoded: ChatWireObject[] = [];
      tools.forEach((tool, index) => {
        const wire = encodeTool(tool, `tools[${index}]`, warnings);
        if (wire !== undefined) encoded.push(wire);
      });
      body["tools"] = encoded;
    }
  }
  const raw = ext?.[chatMarkers.toolChoiceRaw];
  if (raw !== undefined) body["tool_choice"] = raw;
  else if (request.toolChoice !== undefined) {
    if (ext?.[chatMarkers.legacyFunctionCall] === true) body["function_call"] = encodeLegacyFunctionCall(request.toolChoice);
    else body["tool_choice"] = encodeOpenAiChatToolChoice(request.toolChoice, tools);
  }
}

function encodeTool(tool: UnifiedTool, path: string, warnings: UnifiedWarning[]): ChatWireObject | undefined {
  const ext = readChatExtensions(tool.type === "native" ? undefined : tool.extensions);
  let wire: ChatWireObject;
  switch (tool.type) {
    case "function":
      wire = { type: "function", function: encodeFunctionDefinition(tool) };
      if (tool.cacheControl !== undefined) warnings.push({ code: "cache-control-dropped", message: "Chat tools take no cache_control", path });
      break;
    case "custom": {
      const custom: ChatWireObject = { name: tool.name };
      if (tool.description !== undefined) custom["description"] = tool.description;
      if (tool.format !== undefined) custom["format"] = tool.format;
      const inner = ext?.[chatMarkers.innerFields];
      if (isWireObject(inner)) Object.assign(custom, inner);
      wire = { type: "custom", custom };
      break;
    }
    case "native":
      if (tool.protocol === openAiChatProtocol) return tool.value as ChatWireObject;
      warnings.push({ code: "native-tool-dropped", message: `${tool.protocol} tool "${tool.name}" has no Chat equivalent`, path });
      return undefined;
    default: {
      const unreachable: never = tool;
      return unreachable;
    }
  }
  writeChatUnknownFields(wire, ext);
  const name = tool.type === "function" ? flattenToolName(tool.name, tool.namespace) : tool.name;
  if (name.length > maxToolNameLength) {
    // Sent as is (a renamed tool would not match the model's calls); OpenAI will refuse it, and the log says why.
    warnings.push({ code: "tool-name-too-long", message: `tool name "${name}" is over OpenAI's ${maxToolNameLength} characters`, path });
  }
  return wire;
}

/** OpenAI's limit on function and custom tool names. */
const maxToolNameLength = 64;

function encodeFunctionDefinition(tool: Extract<UnifiedTool, { type: "function" }>): ChatWireObject {
  const ext = readChatExtensions(tool.extensions);
  // Responses namespaces cross to Chat as `namespace__name` (mapped back for Responses clients by their encoder).
  const definition: ChatWireObject = { name: flattenToolName(tool.name, tool.namespace) };
  if (tool.description !== undefined) definition["description"] = tool.description;
  if (ext?.[chatMarkers.parametersAbsent] !== true) definition["parameters"] = tool.parameters;
  if (tool.strict !== undefined) definition["strict"] = tool.strict;
  const inner = ext?.[chatMarkers.innerFields];
  if (isWireObject(inner)) Object.assign(definition, inner);
  return definition;
}

/** Unified tool choice → Chat; a named tool uses the `custom` form when the named tool is a custom tool. */
export function encodeOpenAiChatToolChoice(choice: ToolChoice, tools: readonly UnifiedTool[] | undefined): unknown {
  switch (choice.type) {
    case "auto":
    case "none":
    case "required":
      return choice.type;
    case "tool": {
      const isCustom = tools?.some((tool) => tool.type === "custom" && tool.name === choice.name) === true;
      return isCustom ? { type: "custom", custom: { name: choice.name } } : { type: "function", function: { name: choice.name } };
    }
    default: {
      const unreachable: never = choice;
      return unreachable;
    }
  }
}

function encodeLegacyFunctionCall(choice: ToolChoice): unknown {
  if (choice.type === "tool") return { name: choice.name };
  // The legacy field has no "required"; "auto" is the nearest.
  return choice.type === "required" ? "auto" : choice.type;
}

function encodeResponseFormat(format: ResponseFormat): ChatWireObject {
  switch (format.type) {
    case "text":
    case "json_object":
      return { type: format.type };
    case "json_schema": {
      // OpenAI requires a schema name; other protocols have none, so a fixed one stands in.
      const schema: ChatWireObject = { name: format.name ?? "response", schema: format.schema };
      if (format.description !== undefined) schema["description"] = format.description;
      if (format.strict !== undefined) schema["strict"] = format.strict;
      return { type: "json_schema", json_schema: schema };
    }
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}

/** Chat's reasoning_effort values; unified `max` has none and maps to the highest, `xhigh`. */
const chatEfforts: ReadonlySet<ReasoningEffort> = new Set(["none", "minimal", "low", "medium", "high", "xhigh"]);

function encodeReasoning(request: UnifiedRequest, options: EncodeRequestOptions, body: ChatWireObject, warnings: UnifiedWarning[]): void {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return;
  let effort = reasoning.effort;
  if (effort === undefined && reasoning.budgetTokens !== undefined && reasoning.budgetTokens >= 0) {
    // Chat takes an effort name, not a budget: map through the per-family table and say so.
    effort = mapBudgetToEffort(reasoning.budgetTokens, findReasoningEffortMapping(request.model, options.reasoningEffortTable));
    warnings.push({ code: "reasoning-effort-mapped", message: `thinking budget ${reasoning.budgetTokens} sent as reasoning_effort "${effort}"`, path: "reasoning.budgetTokens" });
  }
  if (effort !== undefined && !chatEfforts.has(effort)) {
    warnings.push({ code: "reasoning-effort-mapped", message: `reasoning effort "${effort}" sent as "xhigh"`, path: "reasoning.effort" });
    effort = "xhigh";
  }
  if (effort !== undefined) body["reasoning_effort"] = effort;
  else if (reasoning.enabled === false) {
    // Not every Chat model takes "none"; leaving the field out keeps the model's default rather than risk a 400.
    warnings.push({ code: "reasoning-disable-not-sent", message: "thinking disabled: Chat has no portable way to turn reasoning off", path: "reasoning.enabled" });
  }
  if (reasoning.summary !== undefined) {
    warnings.push({ code: "reasoning-summary-unsupported", message: "Chat Completions returns no reasoning summaries", path: "reasoning.summary" });
  }
}
