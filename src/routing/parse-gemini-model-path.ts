import { invalidRequest } from "../unified/index.js";

const geminiMethodPattern = /^[a-z]+[A-Z][A-Za-z]*$/;

/** The model and method of a Gemini URL path. */
export interface GeminiModelPath {
  /** Decoded, without the `models/` resource prefix; may be `provider/model` (e.g. `openrouter/anthropic/claude-x`). */
  model: string;
  /** `generateContent`, `streamGenerateContent`, `countTokens`, `embedContent`…; undefined for `GET …/models/{m}`. */
  method?: string;
}

/**
 * Reads the model out of a Gemini path such as `/v1beta/models/gemini-2.5-pro:generateContent`, tolerating any
 * prefix (`/proxy/v1/models/…`), `provider/model` written with raw slashes or `%2F`, and a `models/` doubled by
 * clients that pass resource names. Undefined when the path has no `/models/` segment. The method is what follows
 * the last `:` when it is camelCase with a capital (`generateContent`): Ollama tags (`llama3:8b`, `qwen3:latest`)
 * contain colons too, so `…/models/ollama/llama3:latest` is a model without a method.
 */
export function parseGeminiModelPath(pathname: string): GeminiModelPath | undefined {
  const marker = "/models/";
  const start = pathname.indexOf(marker);
  if (start < 0) return undefined;
  const rest = pathname.slice(start + marker.length);
  const lastColon = rest.lastIndexOf(":");
  const colon = lastColon >= 0 && geminiMethodPattern.test(rest.slice(lastColon + 1)) ? lastColon : -1;
  const encodedModel = colon < 0 ? rest : rest.slice(0, colon);
  let model: string;
  try {
    model = decodeURIComponent(encodedModel);
  } catch {
    throw invalidRequest("", `the model in the URL is not valid percent-encoding: ${encodedModel}`);
  }
  if (model.startsWith("models/")) model = model.slice("models/".length);
  if (model === "") throw invalidRequest("", "the URL names no model");
  return colon < 0 ? { model } : { model, method: rest.slice(colon + 1) };
}
