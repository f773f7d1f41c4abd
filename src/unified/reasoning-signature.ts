import { isProtocolId, type ProtocolId } from "./protocol-id.js";
import type { ReasoningOrigin, ReasoningPart } from "./content-part.js";

/**
 * Opaque reasoning artefacts (signatures, redacted or encrypted payloads) are valid only at the protocol that made
 * them. When a client of protocol A receives reasoning produced behind protocol B, A's encoder writes the artefact
 * tagged with its origin (`swy1.<protocol>.<artefact>`); when the client sends it back, A's decoder untags it, so the
 * origin survives a stateless client and encoders can replay it to B only. Real artefacts are base64-like and never
 * start with the tag.
 *
 * Reasoning of a foreign origin that has no artefact at all (DeepSeek or Kimi `reasoning_content` behind a Chat
 * upstream) still needs its origin to survive the client when the client's protocol has a signature slot it fills
 * in anyway (an Anthropic thinking block's `signature`): client-facing encoders write the tag with an empty artefact
 * there (`originTagForProtocol`, e.g. `swy1.openai-chat.`), and decoders, after untagging, keep the origin while
 * setting no artefact. Request encoders then decide by origin alone (a Chat upstream takes its own reasoning text
 * back; an Anthropic upstream still never gets an unsigned thinking block).
 *
 * The artefact's kind rides inside the tag, so that a client slot of one kind can carry another kind and the decoder
 * still restores the right field (Responses `encrypted_content` in an Anthropic thinking `signature`, Anthropic
 * redacted data in a Gemini `thoughtSignature`). One grammar for every codec:
 *
 *   swy1.<origin>.[<kind>[@<id>]:]<artefact>      kind: signature | redacted | encrypted
 *
 * Encoders write the marker for every redacted or encrypted artefact and for any artefact with an id, whatever slot
 * it lands in; no marker means a signature without id. `<id>` (percent-encoded) is the reasoning part's item id,
 * written by encoders whose client protocol has no slot for it (Anthropic, Gemini), because an upstream may need it
 * back (a Responses reasoning input item needs its `rs_…` id). Decoders take the kind from the marker, else from
 * their slot (tags written before the marker existed carry none in Anthropic `redacted_thinking.data` and Chat
 * `reasoning.encrypted` data). Real artefacts are base64-like: they never start with the tag, nor contain `:`/`@`.
 */
const tagPrefix = "swy1.";

/** Which opaque reasoning artefact a value is, named as in tags. */
export type ReasoningArtefactKind = "signature" | "redacted" | "encrypted";

/** The reasoning-part field holding each artefact kind. */
export const reasoningArtefactFields = {
  signature: "signature",
  redacted: "redactedData",
  encrypted: "encryptedContent",
} as const satisfies Record<ReasoningArtefactKind, keyof ReasoningPart>;

/** A reasoning part's artefact field (`signature`, `redactedData` or `encryptedContent`). */
export type ReasoningArtefactField = (typeof reasoningArtefactFields)[ReasoningArtefactKind];

const artefactKinds: readonly ReasoningArtefactKind[] = ["signature", "redacted", "encrypted"];

/**
 * Tags an artefact with its origin protocol, and with its kind and item id when given (see the grammar above; a
 * signature without id gets no marker).
 */
export function tagReasoningArtefact(artefact: string, origin: ProtocolId, kind?: ReasoningArtefactKind, id?: string): string {
  const marker = id === undefined ? (kind === undefined || kind === "signature" ? "" : `${kind}:`) : `${kind ?? "signature"}@${encodeURIComponent(id)}:`;
  return `${tagPrefix}${origin}.${marker}${artefact}`;
}

/** An artefact as read back from a client: the payload, its origin, and what the tag's marker said. */
export interface UntaggedReasoningArtefact {
  artefact: string;
  origin: ReasoningOrigin;
  /** The kind the tag's marker names; undefined when there was none (the caller's slot decides). */
  kind?: ReasoningArtefactKind;
  /** The reasoning item id the tag carried. */
  id?: string;
}

/**
 * Reads an artefact as a client sent it back: a tagged one yields its origin, and the kind and id of its marker if
 * any (the marker is removed from `artefact`); an untagged one belongs to the protocol it arrived in (`arrivedIn`).
 * A tag with an empty artefact (see `originTagForProtocol`) yields the origin and `artefact: ""`: the caller keeps
 * the origin and sets no artefact.
 */
export function untagReasoningArtefact(value: string, arrivedIn: ProtocolId): UntaggedReasoningArtefact {
  if (value.startsWith(tagPrefix)) {
    const rest = value.slice(tagPrefix.length);
    const dot = rest.indexOf(".");
    const protocol = dot > 0 ? rest.slice(0, dot) : "";
    if (isProtocolId(protocol)) return readMarker(rest.slice(dot + 1), { protocol });
  }
  return { artefact: value, origin: { protocol: arrivedIn } };
}

/** Splits `<kind>[@<id>]:` off a tagged artefact; anything else is the artefact itself. */
function readMarker(tagged: string, origin: ReasoningOrigin): UntaggedReasoningArtefact {
  for (const kind of artefactKinds) {
    if (!tagged.startsWith(kind)) continue;
    const next = tagged.charAt(kind.length);
    if (next === ":") return { artefact: tagged.slice(kind.length + 1), origin, kind };
    if (next !== "@") continue;
    const colon = tagged.indexOf(":", kind.length + 1);
    if (colon < 0) continue;
    const id = decodeTagId(tagged.slice(kind.length + 1, colon));
    const read: UntaggedReasoningArtefact = { artefact: tagged.slice(colon + 1), origin, kind };
    if (id !== undefined && id !== "") read.id = id;
    return read;
  }
  return { artefact: tagged, origin };
}

/** A percent-encoded id; a malformed one (never written by an encoder) is ignored rather than thrown on. */
function decodeTagId(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * How an encoder writes an artefact for its own protocol: raw when it originated there (or has no recorded
 * origin), tagged otherwise, with its kind and id when given. Used on the client-facing side; request encoders
 * instead drop foreign artefacts.
 */
export function artefactForProtocol(
  artefact: string,
  origin: ReasoningOrigin | undefined,
  protocol: ProtocolId,
  kind?: ReasoningArtefactKind,
  id?: string,
): string {
  if (origin === undefined || origin.protocol === protocol) return artefact;
  return tagReasoningArtefact(artefact, origin.protocol, kind, id);
}

/**
 * The artefact a reasoning part carries for a client slot that holds one: its signature, else its redacted data,
 * else its encrypted content, with its kind; `others` counts the further artefacts that cannot fit (callers warn).
 */
export function firstReasoningArtefact(
  part: Pick<ReasoningPart, ReasoningArtefactField>,
): { kind: ReasoningArtefactKind; value: string; others: number } | undefined {
  let first: { kind: ReasoningArtefactKind; value: string; others: number } | undefined;
  for (const kind of artefactKinds) {
    const value = part[reasoningArtefactFields[kind]];
    if (value === undefined) continue;
    if (first === undefined) first = { kind, value, others: 0 };
    else first.others += 1;
  }
  return first;
}

/** Whether an artefact from `origin` may be sent to an upstream of `protocol` (same origin only; unknown = same). */
export function canReplayArtefact(origin: ReasoningOrigin | undefined, protocol: ProtocolId): boolean {
  return origin === undefined || origin.protocol === protocol;
}

/**
 * What a client-facing encoder writes in a signature slot its protocol fills in anyway when a reasoning part has no
 * artefact: the origin tag with an empty artefact when the reasoning is foreign (so the origin comes back with the
 * client's next turn), else undefined (the caller writes its protocol's usual empty value, or nothing).
 */
export function originTagForProtocol(origin: ReasoningOrigin | undefined, protocol: ProtocolId): string | undefined {
  if (origin === undefined || origin.protocol === protocol) return undefined;
  return tagReasoningArtefact("", origin.protocol);
}
