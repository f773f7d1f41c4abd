import type { ProtocolId } from "../unified/index.js";

/**
 * The keep-alive a client of `protocol` gets while upstream is silent. Anthropic has its own `ping` event (its SDKs
 * and Claude Code skip it); the others get an SSE comment line, which every SSE parser ignores by definition.
 * Neither ever counts as output.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#ping-events
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function encodeHeartbeat(protocol: ProtocolId): string {
  switch (protocol) {
    case "anthropic-messages":
      return 'event: ping\ndata: {"type":"ping"}\n\n';
    case "openai-chat":
    case "openai-responses":
    case "gemini":
      return ": keep-alive\n\n";
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}
