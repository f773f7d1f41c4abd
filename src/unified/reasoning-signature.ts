import { isProtocolId, type ProtocolId } from "./protocol-id.js";
import type { ReasoningOrigin } from "./content-part.js";

/**
 * Opaque reasoning artefacts (signatures, redacted or encrypted payloads) are valid only at the protocol that made
 * them. When a client of protocol A receives reasoning produced behind protocol B, A's encoder writes the artefact
 * tagged with its origin (`swy1.<protocol>.<artefact>`); when the client sends it back, A's decoder untags it, so the
 * origin survives a stateless client and encoders can replay it to B only. Real artefacts are base64-like and never
 * start with the tag.
 */
const tagPrefix = "swy1.";

/** Tags an artefact with its origin protocol. */
export function tagReasoningArtefact(artefact: string, origin: ProtocolId): string {
  return `${tagPrefix}${origin}.${artefact}`;
}

/**
 * Reads an artefact as a client sent it back: a tagged one yields its origin; an untagged one belongs to the
 * protocol it arrived in (`arrivedIn`).
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
