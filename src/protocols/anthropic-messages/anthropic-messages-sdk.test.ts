import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { GatewayError, type StreamEvent } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

/**
 * The official SDK as the client: our stream encoder's output and our error bodies are served through the SDK's
 * `fetch` hook, so what `messages.stream().finalMessage()` and `messages.create()` accept is what Claude Code (built
 * on the same SDK) accepts.
 */
function clientServing(status: number, body: string, contentType: string): Anthropic {
  return new Anthropic({
    apiKey: "test-key",
    baseURL: "http://gateway.test",
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { "content-type": contentType } }),
  });
}

function encodeStream(events: readonly StreamEvent[]): string {
  const encoder = anthropicMessagesCodec.createStreamEncoder({ now: () => 0 });
  return events.map((event) => encoder.push(event)).join("") + encoder.end();
}

const params = { model: "claude-opus-5", max_tokens: 100, messages: [{ role: "user" as const, content: "Hi" }] };

describe("@anthropic-ai/sdk reads what the codec writes", () => {
  it("a streamed answer with thinking, text and a tool call becomes the final message", async () => {
    const sse = encodeStream([
      { type: "start", id: "msg_42", model: "claude-opus-5" },
      { type: "usage", usage: { inputTokens: 12, cacheReadTokens: 30, cacheWriteTokens: 4, outputTokens: 1, reasoningTokens: 0, totalTokens: 47 } },
      { type: "reasoning-start", index: 0 },
      { type: "reasoning-delta", index: 0, text: "Plan." },
      { type: "reasoning-signature", index: 0, signature: "EqQB" },
      { type: "reasoning-end", index: 0 },
      { type: "text-start", index: 1 },
      { type: "text-delta", index: 1, text: "Checking" },
      { type: "text-delta", index: 1, text: " now." },
      { type: "text-end", index: 1 },
      { type: "tool-call-start", index: 2, id: "toolu_1", name: "weather", kind: "function" },
      { type: "tool-call-delta", index: 2, argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 2, argumentsDelta: '"Paris"}' },
      { type: "tool-call-end", index: 2 },
      {
        type: "finish",
        finishReason: { unified: "tool_calls", raw: "tool_use" },
        usage: { inputTokens: 12, cacheReadTokens: 30, cacheWriteTokens: 4, outputTokens: 25, reasoningTokens: 0, totalTokens: 71 },
      },
    ]);
    const message = await clientServing(200, sse, "text/event-stream").messages.stream(params).finalMessage();
    expect(message.id).toBe("msg_42");
    expect(message.content).toEqual([
      { type: "thinking", thinking: "Plan.", signature: "EqQB" },
      { type: "text", text: "Checking now." },
      { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 12, cache_read_input_tokens: 30, cache_creation_input_tokens: 4, output_tokens: 25 });
  });

  it("an in-stream error makes the SDK fail with the error's message", async () => {
    const sse = encodeStream([
      { type: "start" },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "par" },
      { type: "error", error: { code: "overloaded", message: "Overloaded", httpStatus: 503 } },
    ]);
    await expect(clientServing(200, sse, "text/event-stream").messages.stream(params).finalMessage()).rejects.toThrow(/Overloaded/);
  });

  it("a non-streaming response and an error body are read as the SDK's own types", async () => {
    const body = anthropicMessagesCodec.encodeResponse({
      id: "chatcmpl-1",
      model: "gpt-5",
      output: [{ type: "text", text: "Hello" }],
      finishReason: { unified: "length", raw: "length" },
      usage: { inputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 0, totalTokens: 103 },
    }).value;
    const message = await clientServing(200, JSON.stringify(body), "application/json").messages.create(params);
    expect(message.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(message.stop_reason).toBe("max_tokens");

    const error = anthropicMessagesCodec.encodeError(new GatewayError("rate_limited", "Too many requests"));
    const failing = clientServing(error.status, JSON.stringify(error.body), "application/json").messages.create(params);
    await expect(failing).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });
});
