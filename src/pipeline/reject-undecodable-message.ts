import { GatewayError, type ProtocolId, type SseMessage, type StreamEvent } from "../unified/index.js";

/**
 * The events of one tapped passthrough message, or a thrown `upstream_server` error when the message is garbage
 * (its data is not JSON, so the decoder could only report an error). Garbage must not be forwarded byte for byte:
 * the client's SDK would choke on it, and the stream would go on after an error the client never saw. Thrown, it
 * ends the stream like a lost connection: retried when nothing was sent yet, else the protocol's in-stream error.
 * The data is parsed again only when the decoder already reported an error, so the hot path stays one parse.
 */
export function rejectUndecodableMessage(events: StreamEvent[], message: SseMessage, protocol: ProtocolId): StreamEvent[] {
  if (!events.some((event) => event.type === "error") || message.data === "[DONE]") return events;
  try {
    JSON.parse(message.data);
    return events;
  } catch {
    return rejectGarbage(protocol);
  }
}

function rejectGarbage(protocol: ProtocolId): never {
  throw new GatewayError("upstream_server", `the upstream ${protocol} stream sent an undecodable message`);
}
