import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { GatewayError } from "../../unified/index.js";
import type { ProviderTransport, TransportResponse, UpstreamRequest } from "../provider-declaration.js";
import { generateDemoCompletion, type DemoCompletion } from "./generate-demo-reply.js";

/** How the demo transport paces and dates its answers. */
export interface DemoTransportOptions {
  /** Pause between stream chunks, for realistic pacing (default 15 ms; 0 in tests). */
  chunkDelayMs?: number;
  /** Clock for `created` (ms since epoch); Date.now when absent. */
  now?: () => number;
}

type WireObject = Record<string, unknown>;

const encoder = new TextEncoder();

/**
 * The demo provider's in-process transport. It speaks the OpenAI Chat wire protocol as bytes (JSON bodies and SSE
 * frames ending in `[DONE]`), so demo traffic goes through the same upstream client, SSE parser and codecs as a real
 * provider. Serves `POST …/chat/completions`, `POST …/embeddings` and `GET …/models`.
 */
export function createDemoTransport(options: DemoTransportOptions = {}): ProviderTransport {
  const chunkDelayMs = options.chunkDelayMs ?? 15;
  const now = options.now ?? Date.now;
  return async (request, { signal }) => {
    if (signal?.aborted === true) throw abortError();
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path.endsWith("/models")) {
      return json(200, { object: "list", data: [{ id: "demo", object: "model", created: 0, owned_by: "switchyard" }] });
    }
    if (request.method !== "POST") return errorResponse(404, `the demo provider does not serve ${request.method} ${path}`);
    const body = parseBody(request);
    if (body === undefined) return errorResponse(400, "the request body is not a JSON object");
    if (path.endsWith("/embeddings")) return embeddings(body);
    if (!path.endsWith("/chat/completions")) return errorResponse(404, `the demo provider does not serve ${path}`);
    if (!Array.isArray(body.messages)) return errorResponse(400, "messages: expected an array");
    const completion = generateDemoCompletion(body, body.messages);
    const model = typeof body.model === "string" ? body.model : "demo";
    const id = `chatcmpl-demo-${createHash("sha256").update(request.body ?? "").digest("hex").slice(0, 16)}`;
    const created = Math.floor(now() / 1000);
    if (body.stream === true) {
      const includeUsage = isWireObject(body.stream_options) && body.stream_options.include_usage === true;
      const chunks = streamChunks({ id, created, model, completion, includeUsage });
      return { status: 200, headers: { "content-type": "text/event-stream", "x-request-id": id }, body: paced(chunks, chunkDelayMs, signal) };
    }
    return json(200, completionBody({ id, created, model, completion }), id);
  };
}

function completionBody(context: { id: string; created: number; model: string; completion: DemoCompletion }): WireObject {
  const { reply, promptTokens, completionTokens } = context.completion;
  const message =
    reply.kind === "text"
      ? { role: "assistant", content: reply.text, refusal: null }
      : {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: reply.calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
        };
  return {
    id: context.id,
    object: "chat.completion",
    created: context.created,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.kind === "text" ? "stop" : "tool_calls" }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** The SSE frames of one streamed completion, shaped like OpenAI's (role first, deltas, finish, optional usage, [DONE]). */
function streamChunks(context: { id: string; created: number; model: string; completion: DemoCompletion; includeUsage: boolean }): string[] {
  const { id, created, model, completion } = context;
  const frame = (choices: unknown[], extra: WireObject = {}): string =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`;
  const delta = (value: WireObject, finishReason: string | null = null): string =>
    frame([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);
  const frames: string[] = [];
  const { reply } = completion;
  if (reply.kind === "text") {
    frames.push(delta({ role: "assistant", content: "", refusal: null }));
    for (const word of reply.text.match(/\S+\s*/g) ?? []) frames.push(delta({ content: word }));
    frames.push(delta({}, "stop"));
  } else {
    frames.push(delta({ role: "assistant", content: null, refusal: null }));
    reply.calls.forEach((call, index) => {
      frames.push(delta({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
      for (const piece of splitInto(call.arguments, 3)) frames.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    frames.push(delta({}, "tool_calls"));
  }
  if (context.includeUsage) {
    const usage = {
      prompt_tokens: completion.promptTokens,
      completion_tokens: completion.completionTokens,
      total_tokens: completion.promptTokens + completion.completionTokens,
    };
    frames.push(frame([], { usage }));
  }
  frames.push("data: [DONE]\n\n");
  return frames;
}

async function* paced(frames: readonly string[], chunkDelayMs: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  for (const [index, frame] of frames.entries()) {
    if (index > 0 && chunkDelayMs > 0) {
      try {
        await delay(chunkDelayMs, undefined, signal === undefined ? undefined : { signal });
      } catch {
        throw abortError();
      }
    }
    if (signal?.aborted === true) throw abortError();
    yield encoder.encode(frame);
  }
}

/** Deterministic 8-dimension vectors from a hash of each input, so embedding clients get stable numbers. */
function embeddings(body: WireObject): TransportResponse {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((input, index) => {
    const digest = createHash("sha256").update(typeof input === "string" ? input : JSON.stringify(input ?? null)).digest();
    const embedding = [...digest.subarray(0, 8)].map((byte) => Math.round(((byte / 255) * 2 - 1) * 1e6) / 1e6);
    return { object: "embedding", index, embedding };
  });
  const tokens = inputs.reduce<number>((total, input) => total + Math.max(1, Math.ceil(String(input ?? "").length / 4)), 0);
  return json(200, { object: "list", data, model: typeof body.model === "string" ? body.model : "demo", usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function parseBody(request: UpstreamRequest): WireObject | undefined {
  try {
    const parsed: unknown = JSON.parse(request.body ?? "");
    return isWireObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function json(status: number, body: unknown, requestId?: string): TransportResponse {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (requestId !== undefined) headers["x-request-id"] = requestId;
  return { status, headers, body: once(encoder.encode(JSON.stringify(body))) };
}

function errorResponse(status: number, message: string): TransportResponse {
  return json(status, { error: { message, type: "invalid_request_error", param: null, code: null } });
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function splitInto(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function abortError(): GatewayError {
  return new GatewayError("client_closed", "the request was aborted", { provider: "demo" });
}

function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
