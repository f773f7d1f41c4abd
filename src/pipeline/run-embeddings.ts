import { GatewayError, invalidRequest } from "../unified/index.js";
import type { GatewayCall, GatewayResult } from "./gateway-call.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import type { GenerateReport, GenerateTarget } from "./run-generate.js";
import { passthroughBodyText } from "./replace-model-in-body.js";
import { sendUpstream, type UpstreamAttemptContext } from "./send-upstream.js";

const jsonHeaders = { "content-type": "application/json" };

/**
 * Embeddings: OpenAI `/v1/embeddings` and Gemini `:embedContent`. Same family on both sides passes through; across
 * families each input text becomes one call of the other API (OpenAI's batch input fans out to Gemini's single
 * `embedContent`). Anthropic has no embeddings API, so such targets are refused before any call.
 * @see https://platform.openai.com/docs/api-reference/embeddings
 * @see https://ai.google.dev/api/embeddings
 */
export async function runEmbeddings(
  call: GatewayCall,
  body: Record<string, unknown>,
  target: GenerateTarget,
  context: UpstreamAttemptContext,
  report: GenerateReport,
): Promise<GatewayResult> {
  const upstreamFamily = familyOf(target.provider.protocol);
  const clientFamily = call.protocol === "gemini" ? "gemini" : "openai";
  if (upstreamFamily === undefined) {
    throw new GatewayError("unsupported_feature", `provider "${target.provider.id}" offers no embeddings API`);
  }
  const send = (payload: Record<string, unknown> | string) =>
    sendUpstream({ provider: target.provider, model: target.upstreamModel, operation: "embed", body: payload, clientHeaders: call.headers }, context);

  if (upstreamFamily === clientFamily) {
    report.passthrough = true;
    const text = passthroughBodyText(call.protocol, call.rawBody, body, target.upstreamModel);
    return { kind: "bytes", status: 200, headers: jsonHeaders, body: await (await send(text)).readText() };
  }

  if (clientFamily === "openai") {
    const inputs = readOpenAiInputs(body["input"]);
    const data: Array<Record<string, unknown>> = [];
    for (const [index, text] of inputs.entries()) {
      const parsed = await readUpstreamJson(await send({ content: { parts: [{ text }] } }), target.provider.id);
      data.push({ object: "embedding", index, embedding: readGeminiValues(parsed) });
    }
    // Gemini reports no token usage for embeddings; zeros say "not reported", not "free".
    return { kind: "json", status: 200, headers: jsonHeaders, body: { object: "list", data, model: target.upstreamModel, usage: { prompt_tokens: 0, total_tokens: 0 } } };
  }

  const text = readGeminiText(body);
  const parsed = await readUpstreamJson(await send({ model: target.upstreamModel, input: text }), target.provider.id);
  const first = isObject(parsed) && Array.isArray(parsed["data"]) && isObject(parsed["data"][0]) ? parsed["data"][0]["embedding"] : undefined;
  if (!Array.isArray(first)) throw new GatewayError("upstream_server", `provider "${target.provider.id}" answered embeddings without data[0].embedding`);
  return { kind: "json", status: 200, headers: jsonHeaders, body: { embedding: { values: first } } };
}

function familyOf(protocol: string): "openai" | "gemini" | undefined {
  if (protocol === "openai-chat" || protocol === "openai-responses") return "openai";
  if (protocol === "gemini") return "gemini";
  return undefined;
}

function readOpenAiInputs(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((item): item is string => typeof item === "string")) return input;
  throw invalidRequest("input", "expected a string or an array of strings (token arrays cannot cross to another provider family)");
}

function readGeminiText(body: Record<string, unknown>): string {
  const content = body["content"];
  const parts = isObject(content) && Array.isArray(content["parts"]) ? content["parts"] : undefined;
  if (parts === undefined) throw invalidRequest("content.parts", "is required");
  return parts.map((part) => (isObject(part) && typeof part["text"] === "string" ? part["text"] : "")).join("");
}

function readGeminiValues(parsed: unknown): unknown[] {
  const embedding = isObject(parsed) ? parsed["embedding"] : undefined;
  const values = isObject(embedding) ? embedding["values"] : undefined;
  if (!Array.isArray(values)) throw new GatewayError("upstream_server", "Gemini answered embedContent without embedding.values");
  return values;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
