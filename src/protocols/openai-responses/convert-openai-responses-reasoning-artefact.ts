import {
  artefactForProtocol,
  firstReasoningArtefact,
  originTagForProtocol,
  reasoningArtefactFields,
  untagReasoningArtefact,
  type ReasoningOrigin,
  type ReasoningPart,
  type UnifiedWarning,
} from "../../unified/index.js";
import { responsesProtocol } from "./types.js";

/**
 * A Responses reasoning item has one opaque slot, `encrypted_content`. Artefacts of other origins (an Anthropic
 * thinking signature or redacted_thinking data, a Gemini thought signature) ride in it tagged with their origin
 * and kind (`swy1.<protocol>.redacted:…`, the shared grammar of reasoning-signature.ts; a signature carries no
 * kind marker). The item has its own `id`, so no id goes into the tag. These are the artefact fields of a
 * reasoning part.
 */
export type ReasoningArtefacts = Pick<ReasoningPart, "signature" | "redactedData" | "encryptedContent" | "origin">;

/**
 * Reads `encrypted_content` as received: own artefacts stay encrypted content, tagged ones regain their kind, and a
 * bare origin tag (unsigned reasoning of another origin, see encodeResponsesEncryptedContent) gives the origin only.
 */
export function decodeResponsesEncryptedContent(value: string): ReasoningArtefacts {
  const { artefact, origin, kind } = untagReasoningArtefact(value, responsesProtocol);
  if (origin.protocol === responsesProtocol) return { encryptedContent: artefact, origin };
  if (artefact === "") return { origin };
  const read: ReasoningArtefacts = { origin };
  // A foreign tag without a kind marker holds a signature (reasoning-signature.ts).
  read[reasoningArtefactFields[kind ?? "signature"]] = artefact;
  return read;
}

/**
 * The `encrypted_content` to show a Responses client for a reasoning part. A part carries at most one artefact in
 * practice; a second one of a foreign origin cannot fit and is reported. Reasoning of a foreign origin without any
 * artefact gets the bare origin tag (`swy1.openai-chat.`): clients replay reasoning items with their
 * encrypted_content, so the origin comes back and a Chat upstream has its reasoning_content replayed. Own reasoning
 * without an artefact gets none (undefined).
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
  const first = firstReasoningArtefact(artefacts);
  for (let extra = first?.others ?? 0; extra > 0; extra--) {
    warnings.push({ code: "reasoning-artefact-dropped", message: "a second reasoning artefact does not fit encrypted_content", ...(path === undefined ? {} : { path }) });
  }
  if (first === undefined) return originTagForProtocol(origin, responsesProtocol);
  return artefactForProtocol(first.value, origin, responsesProtocol, first.kind);
}

/** An artefact collected from stream events, with the origin they gave it (none: Responses' own). */
export interface StreamArtefact {
  value: string;
  origin: ReasoningOrigin | undefined;
}

/** The artefacts a streamed reasoning block collected, by kind. */
export type StreamArtefacts = Partial<Record<"signature" | "redactedData" | "encryptedContent", StreamArtefact>>;

/**
 * A streamed block's artefacts as the fields of one reasoning part. A part has one origin (and encrypted_content one
 * slot), so an artefact whose origin differs from the first one's cannot be written and is dropped with a warning.
 */
export function mergeResponsesStreamArtefacts(artefacts: StreamArtefacts, warnings: UnifiedWarning[], path: string): ReasoningArtefacts {
  const merged: ReasoningArtefacts = {};
  let first: StreamArtefact | undefined;
  for (const kind of ["signature", "redactedData", "encryptedContent"] as const) {
    const artefact = artefacts[kind];
    if (artefact === undefined) continue;
    if (first === undefined) {
      first = artefact;
      if (artefact.origin !== undefined) merged.origin = artefact.origin;
    } else if ((artefact.origin?.protocol ?? responsesProtocol) !== (first.origin?.protocol ?? responsesProtocol)) {
      warnings.push({ code: "reasoning-artefact-dropped", message: `reasoning artefacts of two origins do not fit one encrypted_content`, path });
      continue;
    }
    merged[kind] = artefact.value;
  }
  return merged;
}
