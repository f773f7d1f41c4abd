import {
  findReasoningEffortMapping,
  GatewayError,
  mapBudgetToEffort,
  type CodecOutput,
  type EncodeRequestOptions,
  type ReasoningConfig,
  type ResponseFormat,
  type UnifiedRequest,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { readWireField, readWireShape, spreadWireFields } from "./convert-openai-responses-extensions.js";
import { createItemEncodingContext } from "./encode-openai-responses-items.js";
import { encodeResponsesInput } from "./encode-openai-responses-input.js";
import { encodeResponsesToolChoice, encodeResponsesTools, indexResponsesToolNames } from "./encode-openai-responses-tools.js";
import { responsesProtocol, type ResponsesWireShape } from "./types.js";

const logprobsInclude = "message.output_text.logprobs";

/**
 * Encodes a unified request as a `POST /v1/responses` body. Recorded wire fields (store, include,
 * previous_response_id, client_metadata…) are written back first, then everything the unified request holds.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function encodeOpenAiResponsesRequest(request: UnifiedRequest, options: EncodeRequestOptions = {}): CodecOutput<WireObject> {
  const n = request.generation.n;
  if (n !== undefined && n > 1) {
    // Responses produces one output per request; silently returning one of n would be wrong.
    throw new GatewayError("unsupported_feature", `n=${n}: the Responses API returns a single response per request`);
  }
  const warnings: UnifiedWarning[] = [];
  const shape = readWireShape(request.extensions);
  const out = encodeResponsesRequestSettings(request, options, warnings);
  out["model"] = request.model;

  const toolNames = indexResponsesToolNames(request.tools);
  const context = createItemEncodingContext(toolNames, warnings);
  if (request.cacheControl !== undefined) {
    context.cacheControlReported = true;
    warnings.push({ code: "cache-control-dropped", message: "cache_control breakpoints have no Responses equivalent", path: "cacheControl" });
  }
  for (const block of request.system) {
    for (const part of block.parts) {
      if (part.cacheControl !== undefined && context.cacheControlReported !== true) {
        context.cacheControlReported = true;
        warnings.push({ code: "cache-control-dropped", message: "cache_control breakpoints have no Responses equivalent", path: "system" });
      }
    }
  }
  const inputString = asInputString(request, shape);
  if (inputString !== undefined) out["input"] = inputString;
  else if (request.messages.length > 0) out["input"] = encodeResponsesInput(request.messages, context, request.sourceProtocol === responsesProtocol);

  if (request.stream || shape?.streamOmitted !== true) out["stream"] = request.stream;
  return { value: out, warnings };
}

/**
 * Everything but `model`, `input` and `stream`: the request settings a response object echoes back. Kept apart so
 * the response encoder can echo them without encoding the (possibly large) conversation.
 */
export function encodeResponsesRequestSettings(request: UnifiedRequest, options: EncodeRequestOptions, warnings: UnifiedWarning[]): WireObject {
  const out: WireObject = {};
  const extensions = request.extensions;
  const shape = readWireShape(extensions);
  spreadWireFields(out, extensions);

  if (request.system.length > 0) {
    // Responses has one instructions string: blocks are joined; developer blocks rank as system here.
    out["instructions"] = request.system.map((block) => block.parts.map((part) => part.text).join("\n\n")).join("\n\n");
  }

  if (request.tools !== undefined) {
    // Tools declared by an additional_tools input item travel inside that item, not at the top.
    const topLevel = request.tools.filter((tool) => tool.type === "native" || readWireShape(tool.extensions)?.additionalTools !== true);
    // `tools: []` as sent is kept; tools that all came from additional_tools items are not repeated here.
    if (topLevel.length > 0 || request.tools.length === 0) out["tools"] = encodeResponsesTools(topLevel, warnings);
  }
  const toolChoice = encodeResponsesToolChoice(request.toolChoice, shape?.toolChoice, indexResponsesToolNames(request.tools));
  if (toolChoice !== undefined) out["tool_choice"] = toolChoice;
  if (request.parallelToolCalls !== undefined) out["parallel_tool_calls"] = request.parallelToolCalls;

  encodeGeneration(request, out, warnings);
  const text = encodeText(request.responseFormat, readWireField(extensions, "text"), shape);
  if (text !== undefined) out["text"] = text;
  if (request.reasoning !== undefined) out["reasoning"] = encodeReasoning(request.reasoning, readWireField(extensions, "reasoning"), request.model, options, warnings);

  const promptCacheKey = request.promptCacheKey ?? request.metadata?.sessionId;
  if (promptCacheKey !== undefined) out["prompt_cache_key"] = promptCacheKey;
  if (request.metadata?.user !== undefined) out["user"] = request.metadata.user;
  return out;
}

function encodeGeneration(request: UnifiedRequest, out: WireObject, warnings: UnifiedWarning[]): void {
  const generation = request.generation;
  if (generation.maxOutputTokens !== undefined) out["max_output_tokens"] = generation.maxOutputTokens;
  if (generation.temperature !== undefined) out["temperature"] = generation.temperature;
  if (generation.topP !== undefined) out["top_p"] = generation.topP;
  if (generation.topLogprobs !== undefined) out["top_logprobs"] = generation.topLogprobs;
  if (generation.logprobs === true) {
    const include = Array.isArray(out["include"]) ? (out["include"] as unknown[]) : [];
    if (!include.includes(logprobsInclude)) out["include"] = [...include, logprobsInclude];
  }
  // Parameters the Responses API does not take: reported, never silently lost.
  const dropped: Array<[string, unknown]> = [
    ["stop", generation.stop],
    ["topK", generation.topK],
    ["seed", generation.seed],
    ["presencePenalty", generation.presencePenalty],
    ["frequencyPenalty", generation.frequencyPenalty],
  ];
  for (const [name, value] of dropped) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    warnings.push({ code: "parameter-dropped", message: `${name} is not supported by the Responses API`, path: `generation.${name}` });
  }
}

function encodeText(format: ResponseFormat | undefined, recorded: unknown, shape: ResponsesWireShape | undefined): WireObject | undefined {
  if (format === undefined) return isWireObject(recorded) ? recorded : undefined;
  const text: WireObject = isWireObject(recorded) ? { ...recorded } : {};
  const wireFormat: WireObject = { ...shape?.formatFields, type: format.type };
  if (format.type === "json_schema") {
    if (format.name !== undefined) wireFormat["name"] = format.name;
    if (format.description !== undefined) wireFormat["description"] = format.description;
    wireFormat["schema"] = format.schema;
    if (format.strict !== undefined) wireFormat["strict"] = format.strict;
  }
  text["format"] = wireFormat;
  return text;
}

function encodeReasoning(reasoning: ReasoningConfig, recorded: unknown, model: string, options: EncodeRequestOptions, warnings: UnifiedWarning[]): WireObject {
  const out: WireObject = isWireObject(recorded) ? { ...recorded } : {};
  let effort: string | undefined = reasoning.effort;
  if (effort === undefined && reasoning.budgetTokens !== undefined) {
    effort = mapBudgetToEffort(reasoning.budgetTokens, findReasoningEffortMapping(model, options.reasoningEffortTable));
    warnings.push({ code: "reasoning-effort-mapped", message: `thinking budget ${reasoning.budgetTokens} → reasoning.effort "${effort}"`, path: "reasoning.effort" });
  } else if (effort === undefined && reasoning.enabled === false) {
    effort = "none";
    warnings.push({ code: "reasoning-effort-mapped", message: `thinking disabled → reasoning.effort "none"`, path: "reasoning.effort" });
  }
  if (effort !== undefined) out["effort"] = effort;
  const summary = reasoning.summary ?? (reasoning.includeThoughts === true ? "auto" : undefined);
  if (summary !== undefined) out["summary"] = summary;
  return out;
}

function asInputString(request: UnifiedRequest, shape: ResponsesWireShape | undefined): string | undefined {
  if (shape?.inputString !== true || request.messages.length !== 1) return undefined;
  const message = request.messages[0];
  if (message === undefined || message.role !== "user" || message.content.length !== 1 || message.extensions !== undefined || message.id !== undefined) return undefined;
  const part = message.content[0];
  return part?.type === "text" && part.extensions === undefined && part.citations === undefined ? part.text : undefined;
}
