import type { CodecOutput, EncodeResponseOptions, UnifiedRequest, UnifiedResponse, UnifiedWarning } from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { spreadWireFields } from "./convert-openai-responses-extensions.js";
import { encodeResponsesUsage } from "./convert-openai-responses-usage.js";
import { createItemEncodingContext, wantsReasoningSummaries } from "./encode-openai-responses-items.js";
import { encodeResponsesOutput, responsesIdBase, responsesIdFor, type OutputEncodingContext } from "./encode-openai-responses-output.js";
import { encodeResponsesRequestSettings } from "./encode-openai-responses-request.js";
import { indexResponsesToolNames } from "./encode-openai-responses-tools.js";
import { encodeResponsesFinishReason } from "./map-openai-responses-finish-reason.js";
import { responsesProtocol } from "./types.js";

/** Request fields a response object echoes (the real API returns them on every response object). */
const echoedFields = [
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_output_tokens",
  "max_tool_calls",
  "temperature",
  "top_p",
  "top_logprobs",
  "text",
  "reasoning",
  "store",
  "metadata",
  "previous_response_id",
  "prompt_cache_key",
  "safety_identifier",
  "service_tier",
  "truncation",
  "background",
  "user",
];

/**
 * The request fields a response echoes, as this client sent them (tools back in their namespaces, tool_choice in
 * its object form…), and only those the unified request holds: nothing is invented.
 */
export function echoResponsesRequestFields(request: UnifiedRequest | undefined): WireObject {
  const echo: WireObject = {};
  if (request === undefined) return echo;
  // Losses were reported when the request itself was encoded; the echo only mirrors it.
  const settings = encodeResponsesRequestSettings(request, {}, []);
  for (const key of echoedFields) {
    if (settings[key] !== undefined) echo[key] = settings[key];
  }
  return echo;
}

/**
 * Encodes a unified response as a Responses response object for a client. Fields recorded from a Responses
 * upstream win over the echo; ids missing upstream are derived from the response id and output index.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function encodeOpenAiResponsesResponse(response: UnifiedResponse, options: EncodeResponseOptions = {}): CodecOutput<WireObject> {
  const warnings: UnifiedWarning[] = [];
  const id = responsesIdFor(response.id);
  const { status, incompleteReason } = encodeResponsesFinishReason(response.finishReason);
  const context: OutputEncodingContext = {
    ...createItemEncodingContext(indexResponsesToolNames(options.request?.tools), warnings),
    idBase: responsesIdBase(id),
    itemStatus: status === "incomplete" ? "incomplete" : "completed",
    reasoningSummaries: wantsReasoningSummaries(options.request),
  };
  const recorded = response.extensions?.[responsesProtocol] !== undefined;
  const out = echoResponsesRequestFields(options.request);
  spreadWireFields(out, response.extensions);
  out["id"] = id;
  out["object"] = "response";
  out["created_at"] = response.created ?? Math.floor((options.now ?? Date.now)() / 1000);
  out["status"] = status;
  if (!recorded || incompleteReason !== undefined) out["incomplete_details"] = incompleteReason === undefined ? null : { reason: incompleteReason };
  if (out["error"] === undefined || (status === "failed" && out["error"] === null)) {
    out["error"] = status === "failed" ? { code: "server_error", message: "The model failed to produce a response." } : null;
  }
  out["model"] = response.model;
  out["output"] = encodeResponsesOutput(response.output, context);
  if (response.usage !== undefined) out["usage"] = encodeResponsesUsage(response.usage);
  return { value: out, warnings };
}
