import { getCodec } from "../protocols/index.js";
import type { ConfiguredProvider } from "../providers/index.js";
import { invalidRequest, type ProtocolCodec, type UnifiedRequest, type UnifiedWarning } from "../unified/index.js";
import type { GatewayCall, GatewayResult } from "./gateway-call.js";
import { passthroughStream } from "./passthrough-stream.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import { passthroughBodyText } from "./replace-model-in-body.js";
import { sendUpstream, type UpstreamAttemptContext } from "./send-upstream.js";
import { translateStream, type StreamObserver } from "./translate-stream.js";

/** Where a generate call goes, decided by routing. */
export interface GenerateTarget {
  provider: ConfiguredProvider;
  upstreamModel: string;
}

/** What a generate run reports besides its result. */
export interface GenerateReport {
  passthrough: boolean;
  warnings: UnifiedWarning[];
}

const sseHeaders = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };
const jsonHeaders = { "content-type": "application/json" };

/**
 * One generate call on one target. Same protocol on both sides takes the passthrough path (body text sent with only
 * the model changed, response bytes piped back); otherwise the request is decoded, encoded for the provider, and
 * the response or stream translated back event by event.
 */
export async function runGenerate(
  call: GatewayCall,
  body: Record<string, unknown>,
  target: GenerateTarget,
  context: UpstreamAttemptContext,
  report: GenerateReport,
  observer: StreamObserver = {},
): Promise<GatewayResult> {
  const clientCodec = getCodec(call.protocol);
  const upstreamProtocol = target.provider.protocol;
  const stream = call.stream ?? body["stream"] === true;
  if (call.protocol === "openai-responses") rejectStatefulResponsesFields(body);

  if (upstreamProtocol === call.protocol) {
    report.passthrough = true;
    const text = passthroughBodyText(call.protocol, call.rawBody, body, target.upstreamModel);
    const response = await sendUpstream(
      { provider: target.provider, model: target.upstreamModel, operation: "generate", stream, body: text, clientHeaders: call.headers },
      context,
    );
    if (!stream) return { kind: "bytes", status: 200, headers: jsonHeaders, body: await response.readText() };
    return { kind: "stream", status: 200, headers: sseHeaders, chunks: passthroughStream(response.body, clientCodec, observer) };
  }

  const clientRequest = decodeClientRequest(clientCodec, call, body, stream, report);
  const upstreamCodec = getCodec(upstreamProtocol);
  const encoded = upstreamCodec.encodeRequest({ ...clientRequest, model: target.upstreamModel });
  report.warnings.push(...encoded.warnings);
  const response = await sendUpstream(
    { provider: target.provider, model: target.upstreamModel, operation: "generate", stream, body: encoded.value, clientHeaders: call.headers },
    context,
  );
  const encodeOptions = { request: clientRequest, now: context.now };
  if (!stream) {
    const decoded = upstreamCodec.decodeResponse(await readUpstreamJson(response, target.provider.id));
    const clientBody = clientCodec.encodeResponse(decoded.value, encodeOptions);
    report.warnings.push(...decoded.warnings, ...clientBody.warnings);
    return { kind: "json", status: 200, headers: jsonHeaders, body: clientBody.value };
  }
  const chunks = translateStream(response.body, upstreamCodec, clientCodec, encodeOptions, {
    ...observer,
    onWarnings: (warnings) => {
      report.warnings.push(...warnings);
      observer.onWarnings?.(warnings);
    },
  });
  return { kind: "stream", status: 200, headers: sseHeaders, chunks };
}

/** The client's body as a unified request, with what the URL decides (Gemini model and streaming) applied. */
export function decodeClientRequest(
  codec: ProtocolCodec,
  call: GatewayCall,
  body: Record<string, unknown>,
  stream: boolean,
  report: { warnings: UnifiedWarning[] },
): UnifiedRequest {
  const decoded = codec.decodeRequest(body);
  report.warnings.push(...decoded.warnings);
  return { ...decoded.value, stream, ...(call.model === undefined ? {} : { model: call.model }) };
}

/** Until the Responses store lands, requests that need it get a clear 400 instead of a silently stateless answer. */
function rejectStatefulResponsesFields(body: Record<string, unknown>): void {
  if (typeof body["previous_response_id"] === "string") {
    throw invalidRequest("previous_response_id", "continuing a stored response is not supported yet by this gateway; send the full input instead");
  }
  if (body["background"] === true) {
    throw invalidRequest("background", "background responses are not supported yet by this gateway");
  }
  if (body["conversation"] !== undefined && body["conversation"] !== null) {
    throw invalidRequest("conversation", "conversations are not supported yet by this gateway; send the full input instead");
  }
}
