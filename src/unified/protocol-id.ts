/** The four wire protocols Switchyard speaks, on either side of a request. */
export const protocolIds = ["openai-chat", "openai-responses", "anthropic-messages", "gemini"] as const;

/** One of the four wire protocols. */
export type ProtocolId = (typeof protocolIds)[number];

/** Narrows a string to a protocol id. */
export function isProtocolId(value: string): value is ProtocolId {
  return (protocolIds as readonly string[]).includes(value);
}

/**
 * Fields with no neutral home, keyed by the protocol they came from, so that a same-protocol encoder can put them
 * back verbatim and other encoders can ignore them (and warn where that loses meaning).
 */
export type Extensions = Partial<Record<ProtocolId, Record<string, unknown>>>;
