import { getCodec } from "../protocols/index.js";
import type { ProtocolId } from "../unified/index.js";
import type { GatewayResult } from "./gateway-call.js";
import { provesVisibleText } from "./prove-visible-answer-text.js";

/**
 * An empty answer is at most a few hundred bytes; anything larger has content. Checking the size first keeps the
 * passthrough path from decoding a large body a second time (LESSONS: the hot path walks a body once).
 */
const largestEmptyAnswerBytes = 4_096;

/**
 * True when the client's conversation ends with an assistant turn (a prefill the model is asked to continue): an
 * empty continuation is then a legitimate answer, not a stealth rate limit, so it is not retried. Reads only the last
 * entry of the turn list, never the whole body.
 */
export function endsWithAssistantTurn(body: Readonly<Record<string, unknown>>, protocol: ProtocolId): boolean {
  switch (protocol) {
    case "openai-chat":
    case "anthropic-messages":
      return roleOfLast(body["messages"]) === "assistant";
    case "gemini":
      return roleOfLast(body["contents"]) === "model";
    case "openai-responses":
      // A bare string input is one user turn; items without a role (tool outputs, reasoning) are not a prefill.
      return roleOfLast(body["input"]) === "assistant";
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

function roleOfLast(turns: unknown): unknown {
  if (!Array.isArray(turns)) return undefined;
  const last: unknown = turns[turns.length - 1];
  return typeof last === "object" && last !== null ? (last as Record<string, unknown>)["role"] : undefined;
}

/**
 * True for a non-streamed 200 with no text, no tool call, no refusal or other output, whose finish reason is not
 * `length`: some providers answer a rate limit that way (a "stealth" 429), so it deserves one retry.
 */
export function isEmptyAnswer(result: GatewayResult, protocol: ProtocolId): boolean {
  if (result.status !== 200) return false;
  let body: unknown;
  switch (result.kind) {
    case "stream":
      return false;
    case "json":
      body = result.body;
      break;
    case "bytes": {
      if (result.body.length > largestEmptyAnswerBytes) return false;
      // The common answer (text, passthrough) is recognised without parsing it; anything else gets the full check.
      if (typeof result.body === "string" && provesVisibleText(result.body, protocol)) return false;
      const text = typeof result.body === "string" ? result.body : new TextDecoder().decode(result.body);
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return false;
      }
      break;
    }
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
  try {
    const decoded = getCodec(protocol).decodeResponse(body).value;
    if (decoded.finishReason.unified === "length") return false;
    return !decoded.output.some((part) => {
      switch (part.type) {
        case "text":
          return part.text.trim() !== "";
        case "reasoning":
          return false;
        case "tool-call":
        case "refusal":
        case "native":
        case "image":
          return true;
        default: {
          const unreachable: never = part;
          return unreachable;
        }
      }
    });
  } catch {
    // Not decodable as an answer (e.g. a provider envelope the codec does not know): not ours to call empty.
    return false;
  }
}
