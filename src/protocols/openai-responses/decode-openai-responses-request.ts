import {
  invalidRequest,
  reasoningEfforts,
  type CodecOutput,
  type ReasoningConfig,
  type ReasoningEffort,
  type ResponseFormat,
  type UnifiedRequest,
  type UnifiedTool,
  type UnifiedWarning,
} from "../../unified/index.js";
import {
  describeJsonType,
  expectObject,
  joinPath,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { addLeftover, collectLeftovers, makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { decodeResponsesInput } from "./decode-openai-responses-input.js";
import { decodeResponsesToolChoice, decodeResponsesTools } from "./decode-openai-responses-tools.js";
import { responsesProtocol, type ResponsesWireShape } from "./types.js";

/** Top-level fields with a unified home; everything else (store, include, previous_response_id…) is a leftover. */
const requestConsumed = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_output_tokens",
  "temperature",
  "top_p",
  "top_logprobs",
  "text",
  "reasoning",
  "prompt_cache_key",
  "user",
  "stream",
]);
const reasoningConsumed = new Set(["effort", "summary"]);
const formatConsumed = new Set(["type", "name", "schema", "description", "strict"]);
const logprobsInclude = "message.output_text.logprobs";

/**
 * Decodes a client's `POST /v1/responses` body. Fields without a unified home are kept in
 * `extensions["openai-responses"]` (null-valued known fields too), so the same protocol re-encodes it exactly.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function decodeOpenAiResponsesRequest(body: unknown): CodecOutput<UnifiedRequest> {
  const warnings: UnifiedWarning[] = [];
  const wire = expectObject(body, "");
  const shape: ResponsesWireShape = {};
  let leftovers = collectLeftovers(wire, requestConsumed);
  const tools: UnifiedTool[] = [];
  let hasTools = false;

  const topTools = optionalArray(wire, "tools", "");
  if (topTools !== undefined) {
    hasTools = true;
    decodeResponsesTools(topTools, "tools", tools, false);
  }

  const request: UnifiedRequest = {
    model: requiredString(wire, "model", ""),
    system: [],
    messages: [],
    generation: {},
    stream: false,
    sourceProtocol: responsesProtocol,
  };

  const input = wire["input"];
  if (typeof input === "string") {
    if (input === "") leftovers = addLeftover(leftovers, "input", input);
    else {
      request.messages = [{ role: "user", content: [{ type: "text", text: input }] }];
      shape.inputString = true;
    }
  } else if (Array.isArray(input)) {
    const before = tools.length;
    request.messages = decodeResponsesInput(input, "input", tools);
    if (tools.length > before) hasTools = true;
  } else if (input !== undefined && input !== null) {
    throw invalidRequest("input", `expected a string or an array, got ${describeJsonType(input)}`);
  }
  if (hasTools) request.tools = tools;

  const instructions = wire["instructions"];
  if (typeof instructions === "string" && instructions !== "") {
    request.system = [{ role: "system", parts: [{ type: "text", text: instructions }] }];
  } else if (instructions !== undefined && instructions !== null) {
    // "" has no neutral meaning (an empty system block is rejected by other providers); a list form is kept as is.
    leftovers = addLeftover(leftovers, "instructions", instructions);
  }

  if (wire["tool_choice"] !== undefined && wire["tool_choice"] !== null) {
    const decoded = decodeResponsesToolChoice(wire["tool_choice"], "tool_choice", warnings);
    if (decoded.toolChoice !== undefined) request.toolChoice = decoded.toolChoice;
    if (decoded.raw !== undefined) shape.toolChoice = decoded.raw;
  }
  const parallelToolCalls = optionalBoolean(wire, "parallel_tool_calls", "");
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;

  const maxOutputTokens = optionalNumber(wire, "max_output_tokens", "");
  if (maxOutputTokens !== undefined) request.generation.maxOutputTokens = maxOutputTokens;
  const temperature = optionalNumber(wire, "temperature", "");
  if (temperature !== undefined) request.generation.temperature = temperature;
  const topP = optionalNumber(wire, "top_p", "");
  if (topP !== undefined) request.generation.topP = topP;
  const topLogprobs = optionalNumber(wire, "top_logprobs", "");
  if (topLogprobs !== undefined) request.generation.topLogprobs = topLogprobs;
  const include = wire["include"];
  if (Array.isArray(include) && include.includes(logprobsInclude)) request.generation.logprobs = true;

  const text = optionalObject(wire, "text", "");
  if (text !== undefined) leftovers = decodeText(text, request, shape, leftovers);

  const reasoning = optionalObject(wire, "reasoning", "");
  if (reasoning !== undefined) {
    request.reasoning = decodeReasoning(reasoning);
    const rest = collectLeftovers(reasoning, reasoningConsumed);
    const effort = reasoning["effort"];
    if (typeof effort === "string" && request.reasoning.effort === undefined) leftovers = addLeftover(leftovers, "reasoning", { ...rest, effort });
    else if (rest !== undefined) leftovers = addLeftover(leftovers, "reasoning", rest);
  }

  const promptCacheKey = optionalString(wire, "prompt_cache_key", "");
  if (promptCacheKey !== undefined) {
    request.promptCacheKey = promptCacheKey;
    // The cache key is also the conversation key Codex and the SDKs give: credential affinity uses it.
    request.metadata = { sessionId: promptCacheKey };
  }
  const user = optionalString(wire, "user", "");
  if (user !== undefined) request.metadata = { ...request.metadata, user };

  const stream = optionalBoolean(wire, "stream", "");
  if (stream === undefined) shape.streamOmitted = true;
  else request.stream = stream;

  const extensions = makeResponsesExtensions(leftovers, shape);
  if (extensions !== undefined) request.extensions = extensions;
  return { value: request, warnings };
}

function decodeReasoning(reasoning: WireObject): ReasoningConfig {
  const config: ReasoningConfig = {};
  const effort = optionalString(reasoning, "effort", "reasoning");
  // An effort name outside the unified list (a newer one) stays a leftover rather than being guessed at.
  if (effort !== undefined && (reasoningEfforts as readonly string[]).includes(effort)) config.effort = effort as ReasoningEffort;
  const summary = optionalString(reasoning, "summary", "reasoning");
  if (summary !== undefined) {
    config.summary = summary;
    // Asking for summaries is asking to see reasoning: other protocols' include-thoughts switches follow it.
    config.includeThoughts = summary !== "none";
  }
  return config;
}

function decodeText(text: WireObject, request: UnifiedRequest, shape: ResponsesWireShape, leftovers: WireObject | undefined): WireObject | undefined {
  const format = optionalObject(text, "format", "text");
  const responseFormat = format === undefined ? undefined : decodeFormat(format, shape);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  // `text` minus the decoded format (verbosity and anything newer) is kept under `text` for replay.
  const rest = collectLeftovers(text, responseFormat === undefined ? new Set<string>() : new Set(["format"]));
  return addLeftover(leftovers, "text", rest ?? {});
}

function decodeFormat(format: WireObject, shape: ResponsesWireShape): ResponseFormat | undefined {
  const type = requiredString(format, "type", "text.format");
  let decoded: ResponseFormat;
  switch (type) {
    case "text":
    case "json_object":
      decoded = { type };
      break;
    case "json_schema": {
      const schema = expectObject(format["schema"], joinPath("text.format", "schema"));
      decoded = { type: "json_schema", schema };
      const name = optionalString(format, "name", "text.format");
      if (name !== undefined) decoded.name = name;
      const description = optionalString(format, "description", "text.format");
      if (description !== undefined) decoded.description = description;
      const strict = optionalBoolean(format, "strict", "text.format");
      if (strict !== undefined) decoded.strict = strict;
      break;
    }
    default:
      return undefined;
  }
  const rest = collectLeftovers(format, formatConsumed);
  if (rest !== undefined) shape.formatFields = rest;
  return decoded;
}
