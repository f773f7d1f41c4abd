import type { ProtocolId } from "../unified/index.js";

/**
 * The passthrough body: the client's text with only the top-level `model` changed, so unknown fields, key order and
 * number formatting survive and a large body is not re-serialized. The value is replaced in the text when the old
 * `"model":"…"` pair occurs exactly once; otherwise (ambiguous text) the parsed body is re-serialized, which is still
 * equal as JSON.
 */
export function replaceModelInBody(rawBody: string, parsedBody: Record<string, unknown>, newModel: string): string {
  const oldModel = parsedBody["model"];
  if (oldModel === newModel) return rawBody;
  if (typeof oldModel === "string") {
    const pattern = new RegExp(`"model"\\s*:\\s*${escapeRegExp(JSON.stringify(oldModel))}`, "g");
    const matches = rawBody.match(pattern);
    if (matches !== null && matches.length === 1) {
      return rawBody.replace(pattern, () => `"model":${JSON.stringify(newModel)}`);
    }
  }
  return JSON.stringify({ ...parsedBody, model: newModel });
}

/**
 * The body text for a same-protocol upstream: Gemini's as it came (the model is in its URL), any other with `model`
 * replaced. Library calls keep no body text, so theirs is serialized with the routed model.
 */
export function passthroughBodyText(protocol: ProtocolId, rawBody: string | undefined, parsedBody: Record<string, unknown>, newModel: string): string {
  if (protocol === "gemini") return rawBody ?? JSON.stringify(parsedBody);
  return rawBody === undefined ? JSON.stringify({ ...parsedBody, model: newModel }) : replaceModelInBody(rawBody, parsedBody, newModel);
}

/** The body text with the top-level `model` removed (Gemini carries the model in the URL). */
export function removeModelFromBody(rawBody: string, parsedBody: Record<string, unknown>): string {
  if (!("model" in parsedBody)) return rawBody;
  const { model: _model, ...rest } = parsedBody;
  return JSON.stringify(rest);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
