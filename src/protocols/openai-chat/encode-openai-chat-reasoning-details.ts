import { reasoningArtefactFields, type ReasoningArtefactKind, type ReasoningOrigin, type ReasoningPart } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { readChatExtensions } from "./convert-openai-chat-extensions.js";
import { isRedactedFormat } from "./decode-openai-chat-reasoning-details.js";
import type { ChatWireReasoningDetail } from "./types.js";

/**
 * One reasoning part → OpenRouter-style `reasoning_details` entries. A part decoded from Chat carries its entries'
 * wire order and extra fields (`detailFields`), so the same entries come back; a part from another protocol gets
 * the canonical entries (text + signature, summaries, redacted, encrypted) with a `format` naming its origin.
 * `writeArtefact` decides how signatures and payloads are written (raw, or tagged with their origin and kind for
 * clients: reasoning-signature.ts).
 * @see https://openrouter.ai/docs/use-cases/reasoning-tokens#reasoning-details-api-shape
 */
export function encodeOpenAiChatReasoningDetails(
  part: ReasoningPart,
  writeArtefact: (artefact: string, kind: ReasoningArtefactKind) => string,
): ChatWireReasoningDetail[] {
  const records = readDetailRecords(part);
  return records === undefined ? canonicalEntries(part, writeArtefact) : recordedEntries(part, records, writeArtefact);
}

/** Whether a reasoning part holds an opaque artefact that only `reasoning_details` can carry. */
export function hasReasoningArtefact(part: ReasoningPart): boolean {
  return part.signature !== undefined || part.redactedData !== undefined || part.encryptedContent !== undefined;
}

function readDetailRecords(part: ReasoningPart): WireObject[] | undefined {
  const records = readChatExtensions(part.extensions)?.["detailFields"];
  if (!Array.isArray(records) || records.length === 0) return undefined;
  return records.every((record) => isWireObject(record) && typeof record["type"] === "string") ? (records as WireObject[]) : undefined;
}

function recordedEntries(part: ReasoningPart, records: WireObject[], writeArtefact: (artefact: string, kind: ReasoningArtefactKind) => string): ChatWireReasoningDetail[] {
  const entries: ChatWireReasoningDetail[] = [];
  let textWritten = false;
  let summaryIndex = 0;
  for (const record of records) {
    const type = record["type"] as string;
    const entry: ChatWireReasoningDetail = { type };
    if (type === "reasoning.text") {
      // Entries merged by id gave one text; it goes back whole into the first text entry.
      entry["text"] = textWritten ? "" : part.text;
      if (!textWritten && part.signature !== undefined) entry["signature"] = writeArtefact(part.signature, "signature");
      textWritten = true;
    } else if (type === "reasoning.summary") {
      entry["summary"] = part.summary?.[summaryIndex] ?? "";
      summaryIndex += 1;
    } else {
      // The same rule as the decoder's: the recorded format says which kind the entry held.
      const kind = isRedactedFormat(record["format"]) ? "redacted" : "encrypted";
      const data = part[reasoningArtefactFields[kind]];
      if (data !== undefined) entry["data"] = writeArtefact(data, kind);
    }
    if (part.id !== undefined) entry["id"] = part.id;
    for (const key in record) entry[key] = record[key];
    entries.push(entry);
  }
  return entries;
}

function canonicalEntries(part: ReasoningPart, writeArtefact: (artefact: string, kind: ReasoningArtefactKind) => string): ChatWireReasoningDetail[] {
  const entries: ChatWireReasoningDetail[] = [];
  const format = formatForOrigin(part.origin);
  const withId = (entry: ChatWireReasoningDetail): ChatWireReasoningDetail => {
    if (part.id !== undefined) entry["id"] = part.id;
    entries.push(entry);
    return entry;
  };
  if (part.text !== "" || part.signature !== undefined) {
    const entry = withId({ type: "reasoning.text", text: part.text, format });
    if (part.signature !== undefined) entry["signature"] = writeArtefact(part.signature, "signature");
  }
  for (const summary of part.summary ?? []) withId({ type: "reasoning.summary", summary, format });
  if (part.redactedData !== undefined) {
    // The decoder tells redacted thinking from other payloads by an anthropic format, whatever the origin.
    withId({ type: "reasoning.encrypted", data: writeArtefact(part.redactedData, "redacted"), format: "anthropic-claude-v1" });
  }
  if (part.encryptedContent !== undefined) {
    // Never an anthropic format for an encrypted payload, even of Anthropic origin: it would read back as redacted.
    withId({ type: "reasoning.encrypted", data: writeArtefact(part.encryptedContent, "encrypted"), format: encryptedDetailFormat(part.origin) });
  }
  return entries;
}

/**
 * The `format` of a `reasoning.encrypted` entry holding an encrypted payload (not redacted thinking): its origin's,
 * but never an anthropic one, since the decoder reads an anthropic format as redacted thinking (the origin itself
 * rides in the data's tag).
 */
export function encryptedDetailFormat(origin: ReasoningOrigin | undefined): string {
  const format = formatForOrigin(origin);
  return isRedactedFormat(format) ? "unknown" : format;
}

/** OpenRouter's `format` names for where reasoning came from. */
export function formatForOrigin(origin: ReasoningOrigin | undefined): string {
  const protocol = origin?.protocol;
  switch (protocol) {
    case "anthropic-messages":
      return "anthropic-claude-v1";
    case "openai-responses":
      return "openai-responses-v1";
    case "gemini":
      return "google-gemini-v1";
    case "openai-chat":
    case undefined:
      return "unknown";
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}
