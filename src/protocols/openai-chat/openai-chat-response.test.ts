import { describe, expect, it } from "vitest";
import { embedSignatureInToolCallId, GatewayError, tagReasoningArtefact, type UnifiedRequest, type UnifiedResponse } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/** Bodies written from https://platform.openai.com/docs/api-reference/chat/object and the DeepSeek/OpenRouter docs. */
const now = (): number => 1_750_000_000_000;

function completion(message: Record<string, unknown>, usage?: Record<string, unknown>, finishReason = "stop"): Record<string, unknown> {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o",
    choices: [{ index: 0, message: { role: "assistant", ...message }, logprobs: null, finish_reason: finishReason }],
    ...(usage === undefined ? {} : { usage }),
  };
}

function decode(body: unknown): UnifiedResponse {
  return openAiChatCodec.decodeResponse(body).value;
}

describe("decodeOpenAiChatResponse: usage conventions", () => {
  it("OpenAI: prompt_tokens includes cached tokens, completion_tokens includes reasoning", () => {
    const raw = {
      prompt_tokens: 4020,
      completion_tokens: 87,
      total_tokens: 4107,
      prompt_tokens_details: { cached_tokens: 4000, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 64 },
    };
    expect(decode(completion({ content: "Hi" }, raw)).usage).toEqual({
      inputTokens: 20,
      cacheReadTokens: 4000,
      cacheWriteTokens: 0,
      outputTokens: 87,
      reasoningTokens: 64,
      totalTokens: 4107,
      raw,
    });
  });

  it("DeepSeek: prompt_cache_hit_tokens / miss; OpenRouter: cache_write_tokens and cost", () => {
    const deepseek = decode(completion({ content: "Hi" }, { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 }));
    expect(deepseek.usage).toMatchObject({ inputTokens: 36, cacheReadTokens: 64, cacheWriteTokens: 0, outputTokens: 10, totalTokens: 110 });
    const openrouter = decode(
      completion({ content: "Hi" }, { prompt_tokens: 1000, completion_tokens: 5, total_tokens: 1005, cost: 0.0123, prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 300 } }),
    );
    expect(openrouter.usage).toMatchObject({ inputTokens: 100, cacheReadTokens: 600, cacheWriteTokens: 300, outputTokens: 5 });
    expect(openrouter.cost).toEqual({ totalUsd: 0.0123, source: "provider" });
  });
});

describe("decodeOpenAiChatResponse: content", () => {
  it("keeps choice 0 of an n > 1 response and warns", () => {
    const body = completion({ content: "first" });
    (body["choices"] as unknown[]).push({ index: 1, message: { role: "assistant", content: "second" }, finish_reason: "stop" });
    const { value, warnings } = openAiChatCodec.decodeResponse(body);
    expect(value.output).toEqual([{ type: "text", text: "first" }]);
    expect(warnings).toEqual([{ code: "choices-dropped", message: "1 extra choice(s) dropped; only choice 0 is kept", path: "choices" }]);
  });

  it("reads refusal, url_citation annotations, custom tool calls and legacy function_call", () => {
    const annotation = { type: "url_citation", url_citation: { url: "https://example.com", title: "Ex", start_index: 0, end_index: 5 } };
    const response = decode(
      completion({
        content: "Hello",
        annotations: [annotation],
        refusal: "No.",
        tool_calls: [{ id: "call_1", type: "custom", custom: { name: "math_exp", input: "4 + 4" } }],
      }, undefined, "tool_calls"),
    );
    expect(response.output).toEqual([
      { type: "text", text: "Hello", citations: [{ kind: "url", url: "https://example.com", title: "Ex", startIndex: 0, endIndex: 5, raw: annotation, origin: "openai-chat" }] },
      { type: "refusal", text: "No." },
      { type: "tool-call", id: "call_1", name: "math_exp", arguments: "4 + 4", kind: "custom" },
    ]);
    expect(response.finishReason).toEqual({ unified: "tool_calls", raw: "tool_calls" });
    const legacy = completion({ content: null, function_call: { name: "f", arguments: "{}" } }, undefined, "function_call");
    const decoded = decode(structuredClone(legacy));
    expect(decoded.finishReason).toEqual({ unified: "tool_calls", raw: "function_call" });
    expect(openAiChatCodec.encodeResponse(decoded, { now }).value).toEqual(legacy);
  });

  it("round-trips shapes compatible servers use: array content, empty tool_calls, reasoning under `reasoning`", () => {
    for (const body of [
      completion({ content: [{ type: "text", text: "A" }, { type: "text", text: "B" }] }),
      completion({ content: "x", tool_calls: [], reasoning_details: [] }),
      completion({ content: "x", reasoning: "because" }),
      completion({ content: "", refusal: null }),
    ]) {
      const decoded = decode(structuredClone(body));
      expect(openAiChatCodec.encodeResponse(decoded, { now }).value).toEqual(body);
    }
    expect(decode(completion({ content: [{ type: "text", text: "A" }, { type: "text", text: "B" }] })).output).toEqual([
      { type: "text", text: "A" },
      { type: "text", text: "B" },
    ]);
    // Upstream reasoning is Chat's, artefact or not, so that clients of other protocols record its origin.
    expect(decode(completion({ content: "x", reasoning: "because" })).output[0]).toEqual({ type: "reasoning", text: "because", origin: { protocol: "openai-chat" } });
  });

  it("maps finish reasons both ways", () => {
    const cases: Array<[string, string]> = [
      ["stop", "stop"],
      ["length", "length"],
      ["tool_calls", "tool_calls"],
      ["content_filter", "content_filter"],
      ["function_call", "tool_calls"],
      ["insufficient_system_resource", "other"],
    ];
    for (const [raw, unified] of cases) {
      const response = decode(completion({ content: "x" }, undefined, raw));
      expect(response.finishReason).toEqual({ unified, raw });
    }
    const fromAnthropic = (unified: UnifiedResponse["finishReason"]["unified"], raw: string) =>
      (openAiChatCodec.encodeResponse({ id: "msg_1", model: "claude", output: [], finishReason: { unified, raw } }, { now }).value["choices"] as Array<Record<string, unknown>>)[0]?.["finish_reason"];
    expect(fromAnthropic("stop", "end_turn")).toBe("stop");
    expect(fromAnthropic("stop_sequence", "stop_sequence")).toBe("stop");
    expect(fromAnthropic("tool_calls", "tool_use")).toBe("tool_calls");
    expect(fromAnthropic("length", "max_tokens")).toBe("length");
    expect(fromAnthropic("refusal", "refusal")).toBe("stop");
  });

  it("throws the matching GatewayError for an error body, upstream_server for a non-object", () => {
    const codeOf = (body: unknown): string => {
      try {
        openAiChatCodec.decodeResponse(body);
      } catch (error) {
        return GatewayError.isInstance(error) ? `${error.code}:${error.httpStatus}` : "not a GatewayError";
      }
      return "no error";
    };
    expect(codeOf({ error: { message: "Provider returned error", code: 429 } })).toBe("rate_limited:429");
    expect(codeOf({ error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } })).toBe("quota_exhausted:429");
    expect(codeOf({ error: { message: "overloaded", type: "server_error", code: "server_is_overloaded" } })).toBe("overloaded:503");
    expect(codeOf("<html>")).toBe("upstream_server:502");
    expect(codeOf(null)).toBe("upstream_server:502");
  });
});

describe("encodeOpenAiChatResponse for a Chat client", () => {
  it("writes a response from another protocol in OpenAI's canonical shape", () => {
    const response: UnifiedResponse = {
      id: "msg_01",
      model: "claude-sonnet",
      created: 1_700_000_000,
      output: [
        { type: "reasoning", text: "Think", signature: "EqQB", origin: { protocol: "anthropic-messages" } },
        { type: "reasoning", text: "", redactedData: "opaque", origin: { protocol: "anthropic-messages" } },
        { type: "text", text: "Answer" },
        { type: "tool-call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" },
      ],
      finishReason: { unified: "tool_calls", raw: "tool_use" },
      usage: { inputTokens: 10, cacheReadTokens: 100, cacheWriteTokens: 20, outputTokens: 30, reasoningTokens: 0, totalTokens: 160, raw: { input_tokens: 10 } },
    };
    expect(openAiChatCodec.encodeResponse(response, { now }).value).toEqual({
      id: "msg_01",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-sonnet",
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: "Answer",
            refusal: null,
            annotations: [],
            reasoning_content: "Think",
            reasoning_details: [
              { type: "reasoning.text", text: "Think", signature: tagReasoningArtefact("EqQB", "anthropic-messages"), format: "anthropic-claude-v1" },
              { type: "reasoning.encrypted", data: tagReasoningArtefact("opaque", "anthropic-messages", "redacted"), format: "anthropic-claude-v1" },
            ],
            tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
          },
        },
      ],
      usage: {
        prompt_tokens: 130,
        completion_tokens: 30,
        total_tokens: 160,
        prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });

  it("the tagged artefacts come back with their origin when the client replays the message", () => {
    const response: UnifiedResponse = {
      id: "msg_01",
      model: "claude",
      output: [{ type: "reasoning", text: "Think", signature: "EqQB", origin: { protocol: "anthropic-messages" } }, { type: "text", text: "A" }],
      finishReason: { unified: "stop", raw: "end_turn" },
    };
    const message = (openAiChatCodec.encodeResponse(response, { now }).value["choices"] as Array<{ message: Record<string, unknown> }>)[0]?.message;
    const request = openAiChatCodec.decodeRequest({ model: "claude", messages: [{ role: "user", content: "Q" }, message] }).value;
    expect(request.messages[1]?.content[0]).toMatchObject({ type: "reasoning", text: "Think", signature: "EqQB", origin: { protocol: "anthropic-messages" } });
  });

  it("maps a function call of one of the client's custom tools back to a custom call and embeds Gemini signatures", () => {
    const request: UnifiedRequest = {
      model: "gpt-5",
      system: [],
      messages: [],
      generation: {},
      stream: false,
      tools: [{ type: "custom", name: "apply_patch" }],
    };
    const response: UnifiedResponse = {
      id: "r",
      model: "gemini-3-pro",
      output: [
        { type: "tool-call", id: "call_a", name: "apply_patch", arguments: '{"input":"*** Begin Patch"}', kind: "function" },
        { type: "tool-call", id: "call_b", name: "search", arguments: "{}", kind: "function", signature: "ts", signatureOrigin: { protocol: "gemini" } },
      ],
      finishReason: { unified: "tool_calls", raw: "STOP" },
    };
    const message = (openAiChatCodec.encodeResponse(response, { now, request }).value["choices"] as Array<{ message: Record<string, unknown> }>)[0]?.message;
    expect(message?.["tool_calls"]).toEqual([
      { id: "call_a", type: "custom", custom: { name: "apply_patch", input: "*** Begin Patch" } },
      { id: embedSignatureInToolCallId("call_b", "ts"), type: "function", function: { name: "search", arguments: "{}" } },
    ]);
  });
});
