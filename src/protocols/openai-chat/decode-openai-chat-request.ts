import {
  invalidRequest,
  reasoningEfforts,
  type CodecOutput,
  type ReasoningEffort,
  type ResponseFormat,
  type UnifiedRequest,
} from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  isWireObject,
  joinPath,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { addChatMarker, convertToChatExtensions } from "./convert-openai-chat-extensions.js";
import { decodeOpenAiChatMessages } from "./decode-openai-chat-messages.js";
import {
  decodeFunctionDefinition,
  decodeOpenAiChatLegacyFunctionCall,
  decodeOpenAiChatToolChoice,
  decodeOpenAiChatTools,
} from "./decode-openai-chat-tools.js";
import { chatMarkers, openAiChatProtocol } from "./types.js";

const effortSet: ReadonlySet<string> = new Set(reasoningEfforts);

/** Numeric generation fields read 1:1 (wire name → unified name). */
const numericFields = [
  ["temperature", "temperature"],
  ["top_p", "topP"],
  ["seed", "seed"],
  ["presence_penalty", "presencePenalty"],
  ["frequency_penalty", "frequencyPenalty"],
  ["n", "n"],
  ["top_logprobs", "topLogprobs"],
] as const;

/**
 * Chat Completions request body → unified. System and developer messages stay in `messages` in position (Chat has
 * no top-level instructions), so `system` is empty. Fields read into the unified form are consumed; every other
 * top-level field (metadata, web_search_options, store, service_tier, verbosity, logit_bias, a null value…) rides
 * verbatim in `extensions["openai-chat"]`, next to the codec's markers, for a Chat target.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function decodeOpenAiChatRequest(value: unknown): CodecOutput<UnifiedRequest> {
  const body = expectObject(value, "");
  const consumed = new Set(["model", "messages"]);
  let markers: Record<string, unknown> | undefined;
  const request: UnifiedRequest = {
    model: requiredString(body, "model", ""),
    system: [],
    messages: body["messages"] === undefined ? missing("messages") : decodeOpenAiChatMessages(body["messages"], "messages"),
    generation: {},
    stream: false,
    sourceProtocol: openAiChatProtocol,
  };

  const stream = optionalBoolean(body, "stream", "");
  if (stream === undefined) markers = addChatMarker(markers, chatMarkers.streamAbsent, true);
  else {
    consumed.add("stream");
    request.stream = stream;
  }
  const streamOptions = optionalObject(body, "stream_options", "");
  if (streamOptions !== undefined) {
    consumed.add("stream_options");
    const includeUsage = optionalBoolean(streamOptions, "include_usage", "stream_options");
    if (includeUsage !== undefined) request.includeUsage = includeUsage;
    const rest = collectUnknownFields(streamOptions, includeUsage === undefined ? noFields : includeUsageField);
    if (rest !== undefined) markers = addChatMarker(markers, chatMarkers.streamOptionsFields, rest);
  }

  markers = decodeGeneration(body, request, consumed, markers);
  markers = decodeToolsAndChoice(body, request, consumed, markers);

  const responseFormat = decodeResponseFormat(body["response_format"]);
  if (responseFormat !== undefined) {
    consumed.add("response_format");
    request.responseFormat = responseFormat;
  }
  const effort = body["reasoning_effort"];
  if (typeof effort === "string" && effortSet.has(effort)) {
    consumed.add("reasoning_effort");
    request.reasoning = { effort: effort as ReasoningEffort };
  }
  const promptCacheKey = optionalString(body, "prompt_cache_key", "");
  if (promptCacheKey !== undefined) {
    consumed.add("prompt_cache_key");
    request.promptCacheKey = promptCacheKey;
    // The client's own conversation key doubles as the affinity key.
    request.metadata = { sessionId: promptCacheKey };
  }
  const user = optionalString(body, "user", "");
  if (user !== undefined) {
    consumed.add("user");
    request.metadata = { ...request.metadata, user };
  }

  const extensions = convertToChatExtensions(collectUnknownFields(body, consumed), markers);
  if (extensions !== undefined) request.extensions = extensions;
  return { value: request, warnings: [] };
}

const noFields: ReadonlySet<string> = new Set();
const includeUsageField: ReadonlySet<string> = new Set(["include_usage"]);

function missing(field: string): never {
  throw invalidRequest(field, "is required");
}

function decodeGeneration(
  body: WireObject,
  request: UnifiedRequest,
  consumed: Set<string>,
  markers: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const generation = request.generation;
  for (const [wire, unified] of numericFields) {
    const number = optionalNumber(body, wire, "");
    if (number === undefined) continue;
    consumed.add(wire);
    generation[unified] = number;
  }
  const logprobs = optionalBoolean(body, "logprobs", "");
  if (logprobs !== undefined) {
    consumed.add("logprobs");
    generation.logprobs = logprobs;
  }
  // `max_completion_tokens` is current; `max_tokens` is deprecated but still what most compatible servers take.
  // When both come, the current one wins and `max_tokens` rides verbatim.
  const maxCompletionTokens = optionalNumber(body, "max_completion_tokens", "");
  const maxTokens = optionalNumber(body, "max_tokens", "");
  if (maxCompletionTokens !== undefined) {
    consumed.add("max_completion_tokens");
    generation.maxOutputTokens = maxCompletionTokens;
  } else if (maxTokens !== undefined) {
    consumed.add("max_tokens");
    generation.maxOutputTokens = maxTokens;
    markers = addChatMarker(markers, chatMarkers.maxTokensField, "max_tokens");
  }
  const stop = body["stop"];
  if (typeof stop === "string") {
    consumed.add("stop");
    generation.stop = [stop];
    markers = addChatMarker(markers, chatMarkers.stopAsString, true);
  } else if (Array.isArray(stop)) {
    consumed.add("stop");
    generation.stop = stop.map((item, index) => {
      if (typeof item !== "string") throw invalidRequest(joinPath("stop", index), "expected a string");
      return item;
    });
  } else if (stop !== undefined && stop !== null) {
    throw invalidRequest("stop", "expected a string or an array of strings");
  }
  return markers;
}

function decodeToolsAndChoice(
  body: WireObject,
  request: UnifiedRequest,
  consumed: Set<string>,
  markers: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (body["tools"] !== undefined && body["tools"] !== null) {
    consumed.add("tools");
    request.tools = decodeOpenAiChatTools(body["tools"], "tools");
  } else if (body["functions"] !== undefined && body["functions"] !== null) {
    // Legacy function calling: the same function definitions under another name.
    consumed.add("functions");
    const functions = expectArray(body["functions"], "functions");
    request.tools = functions.map((item, index) => decodeFunctionDefinition(expectObject(item, joinPath("functions", index)), joinPath("functions", index)));
    markers = addChatMarker(markers, chatMarkers.legacyFunctions, true);
  }
  if (body["tool_choice"] !== undefined && body["tool_choice"] !== null) {
    consumed.add("tool_choice");
    const decoded = decodeOpenAiChatToolChoice(body["tool_choice"], "tool_choice");
    if (decoded.choice !== undefined) request.toolChoice = decoded.choice;
    if (decoded.raw !== undefined) markers = addChatMarker(markers, chatMarkers.toolChoiceRaw, decoded.raw);
  } else if (body["function_call"] !== undefined && body["function_call"] !== null) {
    consumed.add("function_call");
    request.toolChoice = decodeOpenAiChatLegacyFunctionCall(body["function_call"], "function_call");
    markers = addChatMarker(markers, chatMarkers.legacyFunctionCall, true);
  }
  const parallel = optionalBoolean(body, "parallel_tool_calls", "");
  if (parallel !== undefined) {
    consumed.add("parallel_tool_calls");
    request.parallelToolCalls = parallel;
  }
  return markers;
}

const knownSchemaFields: ReadonlySet<string> = new Set(["name", "description", "schema", "strict"]);

/**
 * `response_format` → unified when it has an exact unified form; anything else (a missing schema, extra fields,
 * a type not yet known) is left to ride verbatim.
 */
function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  if (!isWireObject(value)) return undefined;
  const keys = Object.keys(value);
  if ((value["type"] === "text" || value["type"] === "json_object") && keys.length === 1) return { type: value["type"] };
  if (value["type"] !== "json_schema" || keys.length !== 2 || !isWireObject(value["json_schema"])) return undefined;
  const schema = value["json_schema"];
  if (!isWireObject(schema["schema"]) || collectUnknownFields(schema, knownSchemaFields) !== undefined) return undefined;
  const name = schema["name"];
  const description = schema["description"];
  const strict = schema["strict"];
  if ((name !== undefined && typeof name !== "string") || (description !== undefined && typeof description !== "string")) return undefined;
  if (strict !== undefined && typeof strict !== "boolean") return undefined;
  const format: ResponseFormat = { type: "json_schema", schema: schema["schema"] };
  if (name !== undefined) format.name = name;
  if (description !== undefined) format.description = description;
  if (strict !== undefined) format.strict = strict;
  return format;
}
