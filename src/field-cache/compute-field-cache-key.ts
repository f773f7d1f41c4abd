import { createHash } from "node:crypto";
import type { FieldCacheSelector } from "../providers/index.js";
import { selectWireFields } from "./select-wire-fields.js";

/**
 * JSON with object keys sorted, so that a call's arguments key the same value whether they came from the upstream
 * answer or from a client that re-serialized them.
 */
export function serializeCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(serializeCanonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${serializeCanonicalJson(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A key part as both sides write it: text stays text, an array of text parts becomes their joined text (a Chat
 * client may send back as parts what the upstream answered as a string), empty values are nothing.
 */
function normalizeKeyPart(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "object" && item !== null && typeof (item as { text?: unknown }).text === "string")) {
    return value.map((item) => (item as { text: string }).text).join("");
  }
  return serializeCanonicalJson(value);
}

/**
 * The keys a site is known by. `separate` (per_tool_call with one selector): each match is its own key (a turn with
 * two tool calls has two). Otherwise every match of every selector makes one composite key (a call's name plus its
 * arguments; a turn's text). No key when nothing non-empty matched: an empty fingerprint would match any turn.
 */
export function readSiteKeys(site: unknown, selectors: readonly FieldCacheSelector[], separate: boolean): string[] {
  if (separate && selectors.length === 1) {
    const keys: string[] = [];
    for (const field of selectWireFields(site, selectors[0] as FieldCacheSelector)) {
      const key = normalizeKeyPart(field.value);
      if (key !== undefined && !keys.includes(key)) keys.push(key);
    }
    return keys;
  }
  const parts = selectors.map((selector) => selectWireFields(site, selector).flatMap((field) => normalizeKeyPart(field.value) ?? []));
  return parts.every((part) => part.length === 0) ? [] : [JSON.stringify(parts)];
}

/** A short, stable digest for store keys: session ids, proxy-key ids and turn text never appear in the state file. */
export function digestKey(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}
