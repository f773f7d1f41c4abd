import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { StreamEvent, UnifiedRequest, UnifiedResponse } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/**
 * The official openai SDK reads what this codec writes: a client pointed at a fetch that answers with the encoder's
 * output (no network). The SDK's stream helper throws without finish_reason or role, so this is the real check.
 */
const now = (): number => 1_750_000_000_000;
const request: UnifiedRequest = { model: "m", system: [], messages: [], generation: {}, stream: true, includeUsage: true };

function clientAnswering(body: string, contentType: string, status = 200): OpenAI {
  return new OpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { "content-type": contentType } }),
  });
}

function sse(events: readonly StreamEvent[]): string {
  const encoder = openAiChatCodec.createStreamEncoder({ request, now });
  return events.map((event) => encoder.push(event)).join("") + encoder.end();
}

describe("openai SDK against the Chat encoders", () => {
  it("stream helper assembles text, parallel tool calls and usage", async () => {
    const body = sse([
      { type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Checking " },
      { type: "text-delta", index: 0, text: "both." },
      { type: "text-end", index: 0 },
      { type: "tool-call-start", index: 1, id: "toolu_a", name: "get_weather", kind: "function" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"city":"Paris"}' },
      { type: "tool-call-end", index: 1 },
      { type: "tool-call-start", index: 2, id: "toolu_b", name: "get_weather", kind: "function" },
      { type: "tool-call-delta", index: 2, argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 2, argumentsDelta: '"Oslo"}' },
      { type: "tool-call-end", index: 2 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" }, usage: { inputTokens: 5, cacheReadTokens: 10, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 0, totalTokens: 22 } },
    ]);
    const stream = clientAnswering(body, "text/event-stream").chat.completions.stream({ model: "m", messages: [{ role: "user", content: "?" }], stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]?.message.content).toBe("Checking both.");
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: "toolu_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { id: "toolu_b", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 7, total_tokens: 22, prompt_tokens_details: { cached_tokens: 10 } });
  });

  it("an in-stream error reaches the SDK as an error, not a silent end", async () => {
    const body = sse([
      { type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Par" },
      { type: "error", error: { code: "overloaded", message: "Upstream is overloaded.", httpStatus: 503 } },
    ]);
    const stream = clientAnswering(body, "text/event-stream").chat.completions.stream({ model: "m", messages: [{ role: "user", content: "?" }] });
    await expect(stream.finalChatCompletion()).rejects.toThrow(/Upstream is overloaded/);
  });

  it("non-streaming: the SDK parses encodeResponse and encodeError", async () => {
    const response: UnifiedResponse = { id: "msg_2", model: "claude", created: 1_700_000_000, output: [{ type: "text", text: "Hello" }], finishReason: { unified: "stop", raw: "end_turn" } };
    const completion = await clientAnswering(JSON.stringify(openAiChatCodec.encodeResponse(response, { now }).value), "application/json").chat.completions.create({ model: "m", messages: [{ role: "user", content: "?" }] });
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: "Hello", refusal: null, annotations: [] });
    const { GatewayError } = await import("../../unified/index.js");
    const encoded = openAiChatCodec.encodeError(new GatewayError("invalid_request", "messages[0].role: unknown role", { path: "messages[0].role" }));
    const failing = clientAnswering(JSON.stringify(encoded.body), "application/json", encoded.status).chat.completions.create({ model: "m", messages: [{ role: "user", content: "?" }] });
    await expect(failing).rejects.toMatchObject({ status: 400, type: "invalid_request_error", param: "messages[0].role" });
  });
});
