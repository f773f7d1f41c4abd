import { isProtocolId, type ProtocolId } from "./protocol-id.js";
import type { ReasoningOrigin } from "./content-part.js";

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
 */
const tagPrefix = "swy1.";

/** Tags an artefact with its origin protocol. */
export function tagReasoningArtefact(artefact: string, origin: ProtocolId): string {
  return `${tagPrefix}${origin}.${artefact}`;
}

/**
 * Reads an artefact as a client sent it back: a tagged one yields its origin; an untagged one belongs to the
 * protocol it arrived in (`arrivedIn`). A tag with an empty artefact (see `originTagForProtocol`) yields the origin
 * and `artefact: ""`: the caller keeps the origin and sets no artefact.
 */
export function untagReasoningArtefact(value: string, arrivedIn: ProtocolId): { artefact: string; origin: ReasoningOrigin } {
  if (value.startsWith(tagPrefix)) {
    const rest = value.slice(tagPrefix.length);
    const dot = rest.indexOf(".");
    const protocol = dot > 0 ? rest.slice(0, dot) : "";
    if (isProtocolId(protocol)) return { artefact: rest.slice(dot + 1), origin: { protocol } };
  }
  return { artefact: value, origin: { protocol: arrivedIn } };
}

/**
 * How an encoder writes an artefact for its own protocol: raw when it originated there (or has no recorded
 * origin), tagged otherwise. Used on the client-facing side; request encoders instead drop foreign artefacts.
 */
export function artefactForProtocol(artefact: string, origin: ReasoningOrigin | undefined, protocol: ProtocolId): string {
  if (origin === undefined || origin.protocol === protocol) return artefact;
  return tagReasoningArtefact(artefact, origin.protocol);
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
