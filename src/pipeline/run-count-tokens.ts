import { getCodec } from "../protocols/index.js";
import { countRequestTokens } from "../usage/index.js";
import { invalidRequest, type ProtocolId, type UnifiedRequest } from "../unified/index.js";
import type { GatewayCall, GatewayResult } from "./gateway-call.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import { decodeClientRequest, type GenerateReport, type GenerateTarget } from "./run-generate.js";
import { replaceModelInBody } from "./replace-model-in-body.js";
import { sendUpstream, type UpstreamAttemptContext } from "./send-upstream.js";

const jsonHeaders = { "content-type": "application/json" };

/**
 * Counts what a request would send upstream. The target's own count endpoint answers when it has one (Anthropic
 * `count_tokens`, Gemini `countTokens`); otherwise a tokenizer counts everything the encoded request carries
 * (tools, tool results, reasoning, media estimates). Nothing the gateway injects is counted.
 */
export async function runCountTokens(
  call: GatewayCall,
  body: Record<string, unknown>,
  target: GenerateTarget,
  context: UpstreamAttemptContext,
  report: GenerateReport,
): Promise<GatewayResult> {
  const upstreamProtocol = target.provider.protocol;
  // Gemini's countTokens may wrap the request as `generateContentRequest`.
  const requestBody = call.protocol === "gemini" && isObject(body["generateContentRequest"]) ? body["generateContentRequest"] : body;

  if (upstreamProtocol === call.protocol && hasCountEndpoint(upstreamProtocol)) {
    report.passthrough = true;
    const text =
      call.protocol === "gemini" || call.rawBody === undefined ? (call.rawBody ?? JSON.stringify(body)) : replaceModelInBody(call.rawBody, body, target.upstreamModel);
    const response = await sendUpstream(
      { provider: target.provider, model: target.upstreamModel, operation: "count-tokens", body: text, clientHeaders: call.headers },
      context,
    );
    return { kind: "bytes", status: 200, headers: jsonHeaders, body: await response.readText() };
  }

  const unified = decodeClientRequest(getCodec(call.protocol), call, requestBody, false, report);
  const total = hasCountEndpoint(upstreamProtocol)
    ? await countAtProvider(unified, upstreamProtocol, target, call, context, report)
    : countRequestTokens(unified);
  return { kind: "json", status: 200, headers: jsonHeaders, body: encodeCount(call.protocol, total) };
}

function hasCountEndpoint(protocol: ProtocolId): boolean {
  return protocol === "anthropic-messages" || protocol === "gemini";
}

async function countAtProvider(
  unified: UnifiedRequest,
  upstreamProtocol: ProtocolId,
  target: GenerateTarget,
  call: GatewayCall,
  context: UpstreamAttemptContext,
  report: GenerateReport,
): Promise<number> {
  const encoded = getCodec(upstreamProtocol).encodeRequest({ ...unified, model: target.upstreamModel, stream: false });
  report.warnings.push(...encoded.warnings);
  const countBody = upstreamProtocol === "anthropic-messages" ? withoutGenerationOnlyFields(encoded.value) : { generateContentRequest: { ...encoded.value, model: `models/${target.upstreamModel}` } };
  const response = await sendUpstream(
    { provider: target.provider, model: target.upstreamModel, operation: "count-tokens", body: countBody, clientHeaders: call.headers },
    context,
  );
  const parsed = await readUpstreamJson(response, target.provider.id);
  const value = isObject(parsed) ? (upstreamProtocol === "anthropic-messages" ? parsed["input_tokens"] : parsed["totalTokens"]) : undefined;
  if (typeof value !== "number") return countRequestTokens(unified);
  return value;
}

/** Anthropic's count endpoint rejects generation-only fields such as `max_tokens` and `stream`. */
function withoutGenerationOnlyFields(body: Record<string, unknown>): Record<string, unknown> {
  const { max_tokens: _maxTokens, stream: _stream, temperature: _temperature, top_p: _topP, top_k: _topK, stop_sequences: _stop, metadata: _metadata, ...rest } = body;
  return rest;
}

function encodeCount(protocol: ProtocolId, total: number): Record<string, unknown> {
  switch (protocol) {
    case "anthropic-messages":
      return { input_tokens: total };
    case "gemini":
      return { totalTokens: total };
    case "openai-chat":
    case "openai-responses":
      throw invalidRequest("", "token counting is offered on the Anthropic and Gemini routes only");
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
