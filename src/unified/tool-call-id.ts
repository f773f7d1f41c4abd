import { createHash } from "node:crypto";

/**
 * Tool-call ids that must survive clients which drop unknown fields.
 *
 * Gemini 3 requires the `thoughtSignature` of each `functionCall` on the next turn, but OpenAI- and
 * Anthropic-shaped clients keep only the id. Encoders facing such clients append the signature to the id
 * (`<id>__ts__<base64url(signature)>`); every decoder splits it off again, so the signature rides the client's own
 * history. base64url keeps the id inside Anthropic's `^[a-zA-Z0-9_-]+$`.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const signatureSeparator = "__ts__";

/** Appends an opaque signature to a tool-call id. */
export function embedSignatureInToolCallId(id: string, signature: string): string {
  return `${id}${signatureSeparator}${Buffer.from(signature, "utf8").toString("base64url")}`;
}

/** Splits an id made by `embedSignatureInToolCallId`; other ids come back unchanged with no signature. */
export function splitToolCallId(id: string): { id: string; signature?: string } {
  const at = id.indexOf(signatureSeparator);
  if (at < 0) return { id };
  const encoded = id.slice(at + signatureSeparator.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return { id };
  return { id: id.slice(0, at), signature: Buffer.from(encoded, "base64url").toString("utf8") };
}

const anthropicSafeId = /^[a-zA-Z0-9_-]+$/;

/**
 * Makes an id acceptable to Anthropic (`^[a-zA-Z0-9_-]+$`) deterministically: the same input always gives the same
 * output (random ids break replay and prompt caching), and two different unsafe ids never collide.
 */
export function toSafeToolCallId(id: string): string {
  if (anthropicSafeId.test(id)) return id;
  const cleaned = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return `${cleaned}_${shortHash(id)}`;
}

/** A deterministic tool-call id for protocols that give none (Gemini), from the call's content and position. */
export function deriveToolCallId(prefix: string, ...material: Array<string | number>): string {
  return `${prefix}_${shortHash(material.join("\u0000"))}`;
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 12).replace(/[^a-zA-Z0-9]/g, "x");
}
