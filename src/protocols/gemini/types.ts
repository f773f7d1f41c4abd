/**
 * Gemini generateContent wire types, as far as this codec reads or writes them. Everything else rides along
 * untouched in `extensions.gemini`.
 * @see https://ai.google.dev/api/generate-content
 */
import type { WireObject } from "../common/index.js";

/** The protocol id this codec speaks. */
export const geminiProtocol = "gemini";

/** A Gemini `Part`: one data field (text, inlineData, functionCall…) plus flags like `thought`. */
export type GeminiWirePart = WireObject;

/** A Gemini `Content`: an ordered list of parts and an optional role. */
export interface GeminiWireContent {
  role?: string;
  parts?: GeminiWirePart[];
  [key: string]: unknown;
}

/** `usageMetadata` of a response or stream chunk. */
export interface GeminiWireUsage {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  [key: string]: unknown;
}

/** The `google.rpc.Status`-shaped error body. */
export interface GeminiWireError {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/**
 * Codec markers kept in `extensions.gemini` next to unknown wire fields. They start with `$`, which no Gemini wire
 * field does, so encoders copy every other key back verbatim and skip these.
 */
export const geminiMarkers = {
  /** Request: snake_case field names the client used (the API accepts both spellings). */
  snake: "$snake",
  /** Request: unknown fields of generationConfig; present iff the wire had generationConfig. */
  generationConfig: "$generationConfig",
  /** Request: unknown fields of thinkingConfig; present iff the wire had thinkingConfig. */
  thinkingConfig: "$thinkingConfig",
  /** Request: unknown fields of toolConfig; present iff the wire had toolConfig. */
  toolConfig: "$toolConfig",
  /** Request: unknown (or not neutrally mappable) fields of functionCallingConfig; present iff the wire had it. */
  functionCallingConfig: "$functionCallingConfig",
  /** Request: the response schema as the client wrote it, when the unified copy had to be converted. */
  responseSchema: "$responseSchema",
  /** Request: "responseSchema" when the OpenAPI-subset field was used instead of responseJsonSchema. */
  responseSchemaField: "$responseSchemaField",
  /** Request: thinkingLevel as written when it is not the lower-case effort name. */
  thinkingLevel: "$thinkingLevel",
  /** Instruction block: systemInstruction was a plain string; or a Content without `parts`. */
  stringContent: "$string",
  noParts: "$noParts",
  /** Message: the content had no role; or the legacy role ("function") it had. */
  noRole: "$noRole",
  wireRole: "$role",
  /** Function tool: which wire `tools[]` entry held it, when there were several. */
  toolGroup: "$group",
  /** Function tool: "parameters" when the OpenAPI-subset field was used instead of parametersJsonSchema. */
  schemaField: "$schemaField",
  /** Function tool: the schema as written, when the unified copy had to be converted. */
  originalSchema: "$originalSchema",
  /** Function tool: the declaration had no parameters at all. */
  noParameters: "$noParameters",
  /** Tool call / result: the id was derived by this codec (the wire had none), so it is not written back. */
  idDerived: "$idDerived",
  /** Tool call: unknown fields inside functionCall. Tool result: unknown fields inside functionResponse. */
  functionCall: "$functionCall",
  functionResponse: "$functionResponse",
  /** Tool result: the functionResponse had no `response` object. */
  noResponse: "$noResponse",
  /** Media: unknown fields inside inlineData / fileData; fileData's mimeType for URL sources. */
  blob: "$blob",
  mimeType: "$mimeType",
  /** Tool call: the wire functionCall had no `args`. */
  noArgs: "$noArgs",
  /** Tool result: the functionResponse.response object as written, when the text content is a rendering of it. */
  response: "$response",
  /** Tool result: media came nested in functionResponse.parts. */
  nestedMedia: "$nestedMedia",
  /** Reasoning: the part was an empty `thought: true` part. */
  thought: "$thought",
  /** Response: unknown fields of candidates[0]; of its content; candidates beyond the first. */
  candidate: "$candidate",
  content: "$content",
  noContent: "$noContent",
  noFinishReason: "$noFinishReason",
  noCandidates: "$noCandidates",
  otherCandidates: "$otherCandidates",
} as const;

/**
 * Gemini 3 rejects a replayed functionCall without a thought signature; this documented sentinel skips the check for
 * calls whose signature was lost (history from another model or a client that dropped it).
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const skipThoughtSignatureValidator = "skip_thought_signature_validator";

/** Whether a model name is a Gemini 3 model (accepts a `models/` prefix). */
export function isGemini3Model(model: string): boolean {
  return /(?:^|\/)gemini-3(?:[.-]|$)/i.test(model);
}
