import type { ConfiguredProvider } from "../providers/index.js";
import { invalidRequest, type ProtocolCodec, type StreamDecoder, type StreamEvent } from "../unified/index.js";
import type { GatewayCall } from "./gateway-call.js";
import type { ResponsesAttemptTarget } from "./responses-call-hooks.js";

/** One attempt's body, body text and the id to impose on the unified response (non-native targets only). */
export interface PreparedResponsesAttempt {
  body: Record<string, unknown>;
  rawBody: string | undefined;
  responseId?: string;
}

/**
 * Shapes a generate attempt for the Responses layer. Calls of other protocols pass unchanged; Responses calls
 * without hooks (the library API) keep the stateless 400s, since nothing there could resolve a stored id.
 */
export function prepareResponsesAttempt(call: GatewayCall, body: Record<string, unknown>, provider: ConfiguredProvider): PreparedResponsesAttempt {
  if (call.protocol !== "openai-responses") return { body, rawBody: call.rawBody };
  const hooks = call.responses;
  if (hooks === undefined) {
    rejectStatefulResponsesFields(body);
    return { body, rawBody: call.rawBody };
  }
  const credentialId = provider.credentials[0]?.id;
  const target: ResponsesAttemptTarget = { provider: provider.id, protocol: provider.protocol, ...(credentialId === undefined ? {} : { credentialId }) };
  const prepared = hooks.bodyFor(target);
  hooks.onAttempt(target);
  // The client's text is reused only for the client's own body; a replayed or rewritten one must be serialized.
  const rawBody = prepared === body ? call.rawBody : undefined;
  return provider.protocol === "openai-responses" ? { body: prepared, rawBody } : { body: prepared, rawBody, responseId: hooks.issuedResponseId };
}

/**
 * The upstream codec with the unified response id replaced, so the Responses encoder derives the response id and
 * every output item id (`msg_<base>_0`…) from the gateway's id rather than the upstream's `chatcmpl-…`/`msg_…`.
 */
export function withResponseId(codec: ProtocolCodec, responseId: string | undefined): ProtocolCodec {
  if (responseId === undefined) return codec;
  return {
    protocol: codec.protocol,
    decodeRequest: (body) => codec.decodeRequest(body),
    encodeRequest: (request, options) => codec.encodeRequest(request, options),
    decodeResponse: (body) => {
      const decoded = codec.decodeResponse(body);
      return { ...decoded, value: { ...decoded.value, id: responseId } };
    },
    encodeResponse: (response, options) => codec.encodeResponse(response, options),
    createStreamDecoder: () => renameStreamStart(codec.createStreamDecoder(), responseId),
    createStreamEncoder: (options) => codec.createStreamEncoder(options),
    encodeError: (error) => codec.encodeError(error),
    readResponseUsage: (text) => codec.readResponseUsage(text),
  };
}

function renameStreamStart(decoder: StreamDecoder, responseId: string): StreamDecoder {
  const rename = (events: StreamEvent[]): StreamEvent[] => events.map((event) => (event.type === "start" ? { ...event, id: responseId } : event));
  return {
    push: (message) => rename(decoder.push(message)),
    end: () => rename(decoder.end()),
    get warnings() {
      return decoder.warnings;
    },
  };
}

/** Without the Responses layer, requests that need a store get a clear 400 instead of a silently stateless answer. */
function rejectStatefulResponsesFields(body: Record<string, unknown>): void {
  if (typeof body["previous_response_id"] === "string") {
    throw invalidRequest("previous_response_id", "continuing a stored response needs the HTTP server's response store; send the full input instead");
  }
  if (body["background"] === true) {
    throw invalidRequest("background", "background responses need the HTTP server's response store");
  }
  if (body["conversation"] !== undefined && body["conversation"] !== null) {
    throw invalidRequest("conversation", "conversations are not supported by this gateway; use previous_response_id or send the full input");
  }
}
