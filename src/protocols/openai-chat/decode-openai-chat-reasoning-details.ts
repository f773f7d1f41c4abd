import { reasoningArtefactFields, untagReasoningArtefact, type NativePart, type ReasoningPart } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { openAiChatProtocol } from "./types.js";

const knownTextFields = new Set(["type", "text", "signature", "id"]);
const knownSummaryFields = new Set(["type", "summary", "id"]);
const knownEncryptedFields = new Set(["type", "data", "id"]);

/**
 * OpenRouter-style `reasoning_details` → reasoning parts. Chat has no standard slot for reasoning artefacts, so this
 * codec reads (and writes) OpenRouter's: `reasoning.text` (text + signature), `reasoning.summary`,
 * `reasoning.encrypted` (Anthropic redacted thinking when `format` says anthropic, otherwise an encrypted payload).
 * Consecutive entries with the same `id` are one reasoning item (OpenRouter splits an OpenAI item into summary +
 * encrypted entries) and become one part. Entry fields without a unified home (`format`, `index`, a null `text`)
 * ride in the part's `detailFields` marker, one record per entry. Entries of unknown type are kept as native parts.
 * Tolerant: upstream data is never rejected here.
 * @see https://openrouter.ai/docs/use-cases/reasoning-tokens#reasoning-details-api-shape
 */
export function decodeOpenAiChatReasoningDetails(details: readonly unknown[]): Array<ReasoningPart | NativePart> {
  const parts: Array<ReasoningPart | NativePart> = [];
  let last: ReasoningPart | undefined;
  for (const entry of details) {
    if (!isWireObject(entry) || !isKnownDetailType(entry["type"])) {
      parts.push({ type: "native", protocol: openAiChatProtocol, value: entry });
      last = undefined;
      continue;
    }
    const id = typeof entry["id"] === "string" ? entry["id"] : undefined;
    const part: ReasoningPart = last !== undefined && id !== undefined && last.id === id ? last : { type: "reasoning", text: "" };
    if (part !== last) {
      if (id !== undefined) part.id = id;
      parts.push(part);
      last = part;
    }
    readEntryInto(part, entry);
  }
  return parts;
}

function isKnownDetailType(type: unknown): type is "reasoning.text" | "reasoning.summary" | "reasoning.encrypted" {
  return type === "reasoning.text" || type === "reasoning.summary" || type === "reasoning.encrypted";
}

function readEntryInto(part: ReasoningPart, entry: WireObject): void {
  const type = entry["type"];
  let known: ReadonlySet<string>;
  if (type === "reasoning.text") {
    known = knownTextFields;
    if (typeof entry["text"] === "string") part.text += entry["text"];
    if (typeof entry["signature"] === "string" && entry["signature"] !== "") {
      // A bare origin tag (`swy1.anthropic-messages.`) names the origin of unsigned reasoning: no signature is set.
      // A kind marker in the tag names another artefact than a signature (reasoning-signature.ts).
      const { artefact, origin, kind } = untagReasoningArtefact(entry["signature"], openAiChatProtocol);
      if (artefact !== "") part[reasoningArtefactFields[kind ?? "signature"]] = artefact;
      part.origin = origin;
    }
  } else if (type === "reasoning.summary") {
    known = knownSummaryFields;
    if (typeof entry["summary"] === "string") (part.summary ??= []).push(entry["summary"]);
  } else {
    known = knownEncryptedFields;
    if (typeof entry["data"] === "string") {
      const { artefact, origin, kind } = untagReasoningArtefact(entry["data"], openAiChatProtocol);
      // The kind comes from the tag's kind marker, else from `format`, whatever the origin (the encoders write it so:
      // see encryptedDetailFormat): an anthropic format is Anthropic redacted thinking, any other an encrypted
      // payload. A bare origin tag carries no payload.
      if (artefact !== "" || origin.protocol === openAiChatProtocol) {
        part[reasoningArtefactFields[kind ?? (isRedactedFormat(entry["format"]) ? "redacted" : "encrypted")]] = artefact;
      }
      part.origin = origin;
    }
  }
  // One record per entry, in wire order, so the encoder rebuilds the same entries in the same order.
  const record = unknownEntryFields(entry, known);
  const ext = ((part.extensions ??= {})[openAiChatProtocol] ??= {});
  const list = Array.isArray(ext["detailFields"]) ? (ext["detailFields"] as unknown[]) : [];
  list.push(record);
  ext["detailFields"] = list;
}

/** Whether a `reasoning.encrypted` entry's `format` marks Anthropic redacted thinking. */
export function isRedactedFormat(format: unknown): boolean {
  return typeof format === "string" && format.startsWith("anthropic");
}

function unknownEntryFields(entry: WireObject, known: ReadonlySet<string>): WireObject {
  const record: WireObject = { type: entry["type"] };
  for (const key in entry) {
    const value = entry[key];
    // Known fields are consumed only with a usable value; a null `text`/`signature`/`id` (OpenRouter sends them) or
    // an empty signature has no unified home and is kept verbatim.
    if (key === "type") continue;
    if (known.has(key) && typeof value === "string" && !(key === "signature" && value === "")) continue;
    record[key] = value;
  }
  return record;
}
