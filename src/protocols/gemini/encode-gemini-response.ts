import type { CodecOutput, EncodeResponseOptions, UnifiedResponse } from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { encodeGeminiUsage } from "./convert-gemini-usage.js";
import { encodeGeminiParts, ownGeminiRecord, writeGeminiWireFields, type GeminiPartEncoding } from "./encode-gemini-parts.js";
import { GeminiFieldWriter } from "./map-gemini-field-name.js";
import { encodeGeminiFinishReason } from "./map-gemini-finish-reason.js";
import { geminiMarkers as marker } from "./types.js";

/**
 * Unified response → Gemini GenerateContentResponse for a Gemini client: one candidate with the output parts
 * (reasoning as thought parts, signatures as thoughtSignature, foreign artefacts tagged with their origin),
 * finishReason, usageMetadata in Gemini's convention, modelVersion and responseId. What a Gemini upstream sent and
 * the unified form has no place for (safety ratings, grounding, prompt feedback) comes back verbatim.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export function encodeGeminiResponse(response: UnifiedResponse, _options?: EncodeResponseOptions): CodecOutput<Record<string, unknown>> {
  const record = ownGeminiRecord(response.extensions);
  const encoding: GeminiPartEncoding = {
    direction: "response",
    writer: new GeminiFieldWriter(undefined),
    warnings: [],
    warned: new Set(),
    callNames: new Map(),
  };
  const body: WireObject = {};
  writeGeminiWireFields(body, record);
  if (record?.[marker.noCandidates] !== true) {
    const candidate: WireObject = {};
    if (record?.[marker.noContent] !== true) {
      const encoded = encodeGeminiParts(response.output, "output", encoding);
      const parts = encoded.besideMedia.length > 0 ? [...encoded.parts, ...encoded.besideMedia] : encoded.parts;
      const content: WireObject = {};
      // Gemini omits `parts` when nothing was generated (e.g. the budget went to thinking).
      if (parts.length > 0) content["parts"] = parts;
      if (record?.[marker.noRole] !== true) content["role"] = "model";
      writeGeminiWireFields(content, record?.[marker.content] as Record<string, unknown> | undefined);
      candidate["content"] = content;
    }
    if (record?.[marker.noFinishReason] !== true) candidate["finishReason"] = encodeGeminiFinishReason(response.finishReason);
    writeGeminiWireFields(candidate, record?.[marker.candidate] as Record<string, unknown> | undefined);
    const others = record?.[marker.otherCandidates];
    body["candidates"] = Array.isArray(others) ? [candidate, ...others] : [candidate];
  }
  if (response.usage !== undefined) body["usageMetadata"] = encodeGeminiUsage(response.usage, encoding.warnings);
  if (response.model !== "") body["modelVersion"] = response.model;
  if (response.id !== "") body["responseId"] = response.id;
  return { value: body, warnings: encoding.warnings };
}
