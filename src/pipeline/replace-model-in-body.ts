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
    const pair = findOnlyModelPair(rawBody, JSON.stringify(oldModel));
    if (pair !== undefined) return `${rawBody.slice(0, pair.start)}"model":${JSON.stringify(newModel)}${rawBody.slice(pair.end)}`;
  }
  return JSON.stringify({ ...parsedBody, model: newModel });
}

/** What separates `"model"` from its value: the `\s*:\s*` of the pattern this search stands for. */
const keySeparator = /\s*:\s*/y;

/**
 * Where the text has `"model"\s*:\s*<literal>`, when it has that exactly once (matches counted left to right without
 * overlapping, as a global regular expression would); a search, not a pattern built per request.
 */
function findOnlyModelPair(text: string, literal: string): { start: number; end: number } | undefined {
  let found: { start: number; end: number } | undefined;
  for (let at = text.indexOf('"model"'); at !== -1; ) {
    keySeparator.lastIndex = at + '"model"'.length;
    const valueAt = keySeparator.test(text) ? keySeparator.lastIndex : -1;
    if (valueAt !== -1 && text.startsWith(literal, valueAt)) {
      if (found !== undefined) return undefined;
      found = { start: at, end: valueAt + literal.length };
      at = text.indexOf('"model"', found.end);
    } else at = text.indexOf('"model"', at + 1);
  }
  return found;
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
