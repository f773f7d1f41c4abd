import { getCodec } from "../protocols/index.js";
import type * as UsageModule from "../usage/index.js";
import { invalidRequest, type ProtocolId, type UnifiedRequest } from "../unified/index.js";
import type { GatewayCall, GatewayResult } from "./gateway-call.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import { decodeClientRequest, type GenerateReport, type GenerateTarget } from "./run-generate.js";
import { passthroughBodyText } from "./replace-model-in-body.js";
import { sendUpstream, type UpstreamAttemptContext } from "./send-upstream.js";

const jsonHeaders = { "content-type": "application/json" };

let usageModule: Promise<typeof UsageModule> | undefined;
/**
 * The tokenizer (gpt-tokenizer's o200k tables: ~70 MB RSS, ~27 MB of live heap) loads on the first local count
 * instead of at start-up: most gateways never count locally, and V8 sizes the heap from the live set, so the
 * tables would also multiply every process's peak RSS under load.
 */
async function countRequestTokens(request: UnifiedRequest): Promise<number> {
  usageModule ??= import("../usage/index.js");
  return (await usageModule).countRequestTokens(request);
}

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
    const text = passthroughBodyText(call.protocol, call.rawBody, body, target.upstreamModel);
    const response = await sendUpstream(
      { provider: target.provider, model: target.upstreamModel, operation: "count-tokens", body: text, clientHeaders: call.headers },
      context,
    );
    return { kind: "bytes", status: 200, headers: jsonHeaders, body: await response.readText() };
  }

  const placeholder = needsMaxTokensPlaceholder(call.protocol, requestBody);
  const decoded = decodeClientRequest(getCodec(call.protocol), call, placeholder ? { ...requestBody, max_tokens: 1 } : requestBody, false, report);
  // The placeholder must not reach a provider's count endpoint as if the client had set a limit.
  const unified = placeholder ? { ...decoded, generation: withoutMaxOutputTokens(decoded.generation) } : decoded;
  const total = hasCountEndpoint(upstreamProtocol)
    ? await countAtProvider(unified, upstreamProtocol, target, call, context, report)
    : await countRequestTokens(unified);
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

/**
 * An Anthropic `count_tokens` body has no `max_tokens`, which the Messages request decoder requires; counting never
 * reads it, so a placeholder lets the same decoder serve both endpoints.
 * @see https://docs.anthropic.com/en/api/messages-count-tokens
 */
function needsMaxTokensPlaceholder(protocol: ProtocolId, body: Record<string, unknown>): boolean {
  return protocol === "anthropic-messages" && body["max_tokens"] === undefined;
}

function withoutMaxOutputTokens(generation: UnifiedRequest["generation"]): UnifiedRequest["generation"] {
  const { maxOutputTokens: _placeholder, ...rest } = generation;
  return rest;
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
