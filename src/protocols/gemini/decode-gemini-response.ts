import { GatewayError, type CodecOutput, type OutputPart, type UnifiedResponse, type UnifiedWarning } from "../../unified/index.js";
import { collectUnknownFields, isWireObject, type WireObject } from "../common/index.js";
import { convertGeminiUsage } from "./convert-gemini-usage.js";
import { decodeGeminiParts, type GeminiPartDecoding } from "./decode-gemini-parts.js";
import { GeminiFieldReader } from "./map-gemini-field-name.js";
import { geminiErrorBodyToGatewayError } from "./map-gemini-error-status.js";
import { mapGeminiBlockReason, mapGeminiFinishReason } from "./map-gemini-finish-reason.js";
import { geminiMarkers as marker, geminiProtocol } from "./types.js";

const responseKeys = new Set(["candidates", "usageMetadata", "modelVersion", "responseId"]);
const candidateKeys = new Set(["content", "finishReason"]);
const contentKeys = new Set(["role", "parts"]);

/**
 * Gemini GenerateContentResponse → unified (read loosely: unknown fields and unreadable parts are kept, never
 * fatal). Only the first candidate becomes output; further candidates (candidateCount > 1) are kept for the same
 * protocol and reported. A prompt blocked before generation has no candidates, only promptFeedback.blockReason,
 * and finishes as content_filter.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export function decodeGeminiResponse(body: unknown): CodecOutput<UnifiedResponse> {
  if (!isWireObject(body)) throw new GatewayError("upstream_server", "Gemini response is not a JSON object");
  const upstreamError = geminiErrorBodyToGatewayError(body);
  if (upstreamError !== undefined && body["candidates"] === undefined) throw upstreamError;
  const warnings: UnifiedWarning[] = [];
  const markers: Record<string, unknown> = collectUnknownFields(body, responseKeys) ?? {};
  const responseId = typeof body["responseId"] === "string" ? body["responseId"] : undefined;
  const modelVersion = typeof body["modelVersion"] === "string" ? body["modelVersion"] : undefined;
  const candidates = Array.isArray(body["candidates"]) ? body["candidates"] : [];
  const first: unknown = candidates[0];

  const response: UnifiedResponse = {
    id: responseId ?? "",
    model: modelVersion ?? "",
    output: [],
    finishReason: { unified: "other", raw: null },
  };
  if (isWireObject(first)) {
    const decoding: GeminiPartDecoding = { reader: new GeminiFieldReader(), strict: false, output: true, idSeed: responseId ?? "", calls: [] };
    decodeCandidate(first, decoding, response, markers);
    if (candidates.length > 1) {
      markers[marker.otherCandidates] = candidates.slice(1);
      warnings.push({ code: "extra-candidates-dropped", message: `only the first of ${candidates.length} candidates is translated` });
    }
  } else {
    markers[marker.noCandidates] = true;
    if (body["candidates"] !== undefined) markers["candidates"] = body["candidates"];
    const feedback = body["promptFeedback"];
    if (isWireObject(feedback) && typeof feedback["blockReason"] === "string") response.finishReason = mapGeminiBlockReason(feedback["blockReason"]);
  }
  if (typeof body["createTime"] === "string") {
    const created = Date.parse(body["createTime"]);
    if (Number.isFinite(created)) response.created = Math.floor(created / 1000);
  }
  const usage = convertGeminiUsage(body["usageMetadata"]);
  if (usage !== undefined) response.usage = usage;
  else if (body["usageMetadata"] !== undefined) markers["usageMetadata"] = body["usageMetadata"];
  if (responseId === undefined && body["responseId"] !== undefined) markers["responseId"] = body["responseId"];
  if (modelVersion === undefined && body["modelVersion"] !== undefined) markers["modelVersion"] = body["modelVersion"];
  if (Object.keys(markers).length > 0) response.extensions = { [geminiProtocol]: markers };
  return { value: response, warnings };
}

function decodeCandidate(candidate: WireObject, decoding: GeminiPartDecoding, response: UnifiedResponse, markers: Record<string, unknown>): void {
  const candidateUnknown = collectUnknownFields(candidate, candidateKeys) ?? {};
  const content = candidate["content"];
  if (isWireObject(content)) {
    const contentUnknown = collectUnknownFields(content, contentKeys) ?? {};
    if (content["role"] === undefined) markers[marker.noRole] = true;
    else if (content["role"] !== "model") contentUnknown["role"] = content["role"];
    const parts = content["parts"];
    if (Array.isArray(parts)) {
      response.output = decodeGeminiParts(parts, "candidates[0].content.parts", decoding) as OutputPart[];
      // Thoughts the upstream produced are Gemini's, signed or not (as the stream decoder's reasoning-start says), so
      // that a client-facing encoder of another protocol records their origin.
      for (const part of response.output) if (part.type === "reasoning") part.origin ??= { protocol: geminiProtocol };
    }
    else if (parts !== undefined) contentUnknown["parts"] = parts;
    if (Object.keys(contentUnknown).length > 0) markers[marker.content] = contentUnknown;
  } else if (content === undefined) {
    markers[marker.noContent] = true;
  } else {
    markers[marker.content] = content;
  }
  const finishReason = candidate["finishReason"];
  const hasToolCalls = response.output.some((part) => part.type === "tool-call");
  if (typeof finishReason === "string") {
    response.finishReason = mapGeminiFinishReason(finishReason, hasToolCalls);
  } else {
    if (finishReason !== undefined) candidateUnknown["finishReason"] = finishReason;
    markers[marker.noFinishReason] = true;
    response.finishReason = mapGeminiFinishReason(undefined, hasToolCalls);
  }
  if (Object.keys(candidateUnknown).length > 0) markers[marker.candidate] = candidateUnknown;
}
