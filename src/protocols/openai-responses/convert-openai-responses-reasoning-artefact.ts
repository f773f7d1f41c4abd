import {
  artefactForProtocol,
  untagReasoningArtefact,
  type ReasoningOrigin,
  type ReasoningPart,
  type UnifiedWarning,
} from "../../unified/index.js";
import { responsesProtocol } from "./types.js";

/**
 * A Responses reasoning item has one opaque slot, `encrypted_content`. Artefacts of other origins (an Anthropic
 * thinking signature or redacted_thinking data, a Gemini thought signature) ride in it tagged with their origin
 * (`swy1.<protocol>.…`) so that a client replaying the item gives them back to the right upstream. Within the tag a
 * `redacted:` or `encrypted:` prefix says which kind it was (signatures, the common case, carry none); real
 * artefacts are base64 and never contain a colon.
 */
const redactedPrefix = "redacted:";
const encryptedPrefix = "encrypted:";

/** The artefact fields of a reasoning part. */
export type ReasoningArtefacts = Pick<ReasoningPart, "signature" | "redactedData" | "encryptedContent" | "origin">;

/** Reads `encrypted_content` as received: own artefacts stay encrypted content, tagged ones regain their kind. */
export function decodeResponsesEncryptedContent(value: string): ReasoningArtefacts {
  const { artefact, origin } = untagReasoningArtefact(value, responsesProtocol);
  if (origin.protocol === responsesProtocol) return { encryptedContent: artefact, origin };
  if (artefact.startsWith(redactedPrefix)) return { redactedData: artefact.slice(redactedPrefix.length), origin };
  if (artefact.startsWith(encryptedPrefix)) return { encryptedContent: artefact.slice(encryptedPrefix.length), origin };
  return { signature: artefact, origin };
}

/**
 * The `encrypted_content` to show a Responses client for a reasoning part (undefined when it has no artefact).
 * A part carries at most one artefact in practice; a second one of a foreign origin cannot fit and is reported.
 */
export function encodeResponsesEncryptedContent(
  artefacts: ReasoningArtefacts,
  warnings: UnifiedWarning[],
  path?: string,
): string | undefined {
  const origin: ReasoningOrigin | undefined = artefacts.origin;
  if (origin === undefined || origin.protocol === responsesProtocol) {
    if (artefacts.signature !== undefined || artefacts.redactedData !== undefined) {
      // A signature claiming our own origin cannot exist (Responses makes none); it would be replayed as garbage.
      warnings.push({ code: "reasoning-artefact-dropped", message: "reasoning signature without a foreign origin dropped", ...(path === undefined ? {} : { path }) });
    }
    return artefacts.encryptedContent;
  }
  const candidates: Array<[string | undefined, string]> = [
    [artefacts.signature, ""],
    [artefacts.redactedData, redactedPrefix],
    [artefacts.encryptedContent, encryptedPrefix],
  ];
  let written: string | undefined;
  for (const [value, prefix] of candidates) {
    if (value === undefined) continue;
    if (written !== undefined) {
      warnings.push({ code: "reasoning-artefact-dropped", message: "a second reasoning artefact does not fit encrypted_content", ...(path === undefined ? {} : { path }) });
      continue;
    }
    written = artefactForProtocol(`${prefix}${value}`, origin, responsesProtocol);
  }
  return written;
}
