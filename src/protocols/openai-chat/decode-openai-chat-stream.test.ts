import { describe, expect, it } from "vitest";
import { assertWellFormedStream, embedSignatureInToolCallId, type SseMessage, type StreamEvent } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/** Chunks written from https://platform.openai.com/docs/api-reference/chat-streaming and compatible servers' docs. */
function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): SseMessage {
  return { data: JSON.stringify({ id: "chatcmpl-9", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o", choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra }) };
}

function decode(messages: readonly SseMessage[]): StreamEvent[] {
  const decoder = openAiChatCodec.createStreamDecoder();
  const events = messages.flatMap((message) => decoder.push(message));
  events.push(...decoder.end());
  assertWellFormedStream(events);
  return events;
}

const start: StreamEvent = { type: "start", id: "chatcmpl-9", model: "gpt-4o", created: 1_700_000_000 };
const done: SseMessage = { data: "[DONE]" };

describe("createOpenAiChatStreamDecoder", () => {
  it("streams parallel tool-call argument fragments by index and puts the trailing usage chunk on finish", () => {
    const usage = { prompt_tokens: 1420, completion_tokens: 100, total_tokens: 1520, prompt_tokens_details: { cached_tokens: 1280 } };
    const events = decode([
      chunk({ role: "assistant", content: null }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "get_time", arguments: '{"tz"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':"UTC"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, "tool_calls"),
      { data: JSON.stringify({ id: "chatcmpl-9", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o", choices: [], usage }) },
      done,
    ]);
    const unifiedUsage = { inputTokens: 140, cacheReadTokens: 1280, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 0, totalTokens: 1520, raw: usage };
    expect(events).toEqual([
      start,
      { type: "tool-call-start", index: 0, id: "call_a", name: "get_weather", kind: "function" },
      { type: "tool-call-start", index: 1, id: "call_b", name: "get_time", kind: "function" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"tz"' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 1, argumentsDelta: ':"UTC"}' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '"Paris"}' },
      { type: "tool-call-end", index: 0 },
      { type: "tool-call-end", index: 1 },
      { type: "usage", usage: unifiedUsage },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" }, usage: unifiedUsage },
    ]);
  });

  it("treats a new id under index 0 as a new call (upstreams that number every call 0) and splits signatures off ids", () => {
    const embedded = embedSignatureInToolCallId("call_2", "sig");
    const events = decode([
      chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "a", arguments: "{}" } }] }),
      chunk({ tool_calls: [{ index: 0, id: embedded, type: "function", function: { name: "b", arguments: "{" } }] }),
      chunk({ tool_calls: [{ index: 0, id: embedded, function: { arguments: "}" } }] }),
      chunk({}, "tool_calls"),
      done,
    ]);
    expect(events.slice(1)).toEqual([
      { type: "tool-call-start", index: 0, id: "call_1", name: "a", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: "{}" },
      { type: "tool-call-end", index: 0 },
      { type: "tool-call-start", index: 1, id: "call_2", name: "b", kind: "function", signature: "sig" },
      { type: "tool-call-delta", index: 1, argumentsDelta: "{" },
      { type: "tool-call-delta", index: 1, argumentsDelta: "}" },
      { type: "tool-call-end", index: 1 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
    ]);
  });

  it("waits through Azure's preamble, and reads reasoning_content then content with usage on the finish chunk (DeepSeek)", () => {
    const filter = [{ prompt_index: 0, content_filter_results: {} }];
    const usage = { prompt_tokens: 18, completion_tokens: 219, total_tokens: 237, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: 18, completion_tokens_details: { reasoning_tokens: 205 } };
    const events = decode([
      { data: JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: filter }) },
      chunk({ role: "assistant", content: null, reasoning_content: "" }),
      chunk({ content: null, reasoning_content: "We need" }),
      chunk({ content: "The", reasoning_content: null }),
      chunk({ content: "", reasoning_content: null }, "stop", { usage }),
    ]);
    expect(events).toEqual([
      { ...start, extensions: { "openai-chat": { prompt_filter_results: filter } } },
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "We need" },
      { type: "reasoning-end", index: 0 },
      { type: "text-start", index: 1 },
      { type: "text-delta", index: 1, text: "The" },
      { type: "text-end", index: 1 },
      { type: "usage", usage: { inputTokens: 18, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 219, reasoningTokens: 205, totalTokens: 237, raw: usage } },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage: { inputTokens: 18, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 219, reasoningTokens: 205, totalTokens: 237, raw: usage } },
    ]);
  });

  it("reads OpenRouter reasoning_details: text once (not twice with `reasoning`), signature, redacted block", () => {
    const events = decode([
      chunk({ reasoning: "Hmm", reasoning_details: [{ type: "reasoning.text", text: "Hmm", format: "anthropic-claude-v1", index: 0 }] }),
      chunk({ reasoning_details: [{ type: "reasoning.text", signature: "EqQB", format: "anthropic-claude-v1", index: 0 }] }),
      chunk({ reasoning_details: [{ type: "reasoning.encrypted", data: "opaque", format: "anthropic-claude-v1", index: 1 }] }),
      chunk({ content: "Hi" }, "stop"),
      done,
    ]);
    expect(events.slice(1)).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "Hmm" },
      { type: "reasoning-signature", index: 0, signature: "EqQB" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, redactedData: "opaque", origin: { protocol: "openai-chat" } },
      { type: "reasoning-end", index: 1 },
      { type: "text-start", index: 2 },
      { type: "text-delta", index: 2, text: "Hi" },
      { type: "text-end", index: 2 },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
    ]);
  });

  it.each([
    [{ message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" }, "rate_limited", 429],
    [{ message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" }, "quota_exhausted", 429],
    [{ message: "The server is overloaded", type: "server_error", code: "server_is_overloaded" }, "overloaded", 503],
    [{ message: "Provider returned error", code: 502, metadata: { provider_name: "x" } }, "upstream_server", 502],
  ])("an in-band error chunk %j becomes an error event", (error, code, httpStatus) => {
    const events = decode([chunk({ content: "Par" }), { data: JSON.stringify({ error }) }, chunk({ content: "ignored" })]);
    expect(events.at(-1)).toEqual({ type: "error", error: { code, message: error.message, httpStatus, ...(typeof error.code === "number" ? { upstreamStatus: error.code } : {}) } });
    expect(events.filter((event) => event.type === "text-delta")).toEqual([{ type: "text-delta", index: 0, text: "Par" }]);
  });

  it("malformed JSON becomes an error event, never a throw; an early end is an upstream_server error", () => {
    expect(decode([chunk({ content: "a" }), { data: "{not json" }])).toEqual([
      start,
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "a" },
      { type: "error", error: { code: "upstream_server", message: "upstream sent a stream chunk that is not a JSON object", httpStatus: 502 } },
    ]);
    expect(decode([chunk({ content: "a" })]).at(-1)).toEqual({ type: "error", error: { code: "upstream_server", message: "upstream stream ended before a finish_reason", httpStatus: 502 } });
    expect(decode([])).toEqual([{ type: "start" }, { type: "error", error: { code: "upstream_server", message: "upstream stream ended before a finish_reason", httpStatus: 502 } }]);
    // A chunk log without [DONE] still finishes once a finish_reason was seen.
    expect(decode([chunk({ content: "a" }, "length")]).at(-1)).toEqual({ type: "finish", finishReason: { unified: "length", raw: "length" } });
  });

  it("never throws on junk of any shape", () => {
    const junk = ["null", "[]", "42", '"x"', '{"choices":null}', '{"choices":[null,1,{"delta":null}]}', '{"choices":[{"delta":{"tool_calls":[null,{"index":"a"}]}}]}', '{"choices":[{"delta":{"reasoning_details":[1,{"type":"reasoning.encrypted"}]}}]}', '{"usage":"many"}'];
    for (const data of junk) {
      const decoder = openAiChatCodec.createStreamDecoder();
      const events = [...decoder.push({ data }), ...decoder.end()];
      expect(() => assertWellFormedStream(events)).not.toThrow();
    }
  });

  it("emits every usage piece and puts the last one on finish", () => {
    const first = { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 };
    const last = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
    const events = decode([chunk({ content: "a" }, null, { usage: first }), chunk({ content: "b" }, "stop", { usage: last }), done]);
    const counts = (raw: { prompt_tokens: number; completion_tokens: number; total_tokens: number }) => ({
      inputTokens: raw.prompt_tokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: raw.completion_tokens,
      reasoningTokens: 0,
      totalTokens: raw.total_tokens,
      raw,
    });
    expect(events.filter((event) => event.type === "usage")).toEqual([
      { type: "usage", usage: counts(first) },
      { type: "usage", usage: counts(last) },
    ]);
    expect(events.at(-1)).toEqual({ type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage: counts(last) });
  });

  it("keeps choice 0 of a multi-choice stream and warns once", () => {
    const decoder = openAiChatCodec.createStreamDecoder();
    const other = { data: JSON.stringify({ id: "c", choices: [{ index: 1, delta: { content: "B" } }] }) };
    decoder.push(chunk({ content: "A" }));
    decoder.push(other);
    decoder.push(other);
    expect(decoder.warnings).toEqual([{ code: "choices-dropped", message: "only choice 0 of a multi-choice stream is kept" }]);
  });

  it("names reasoning origins: Chat's at block start, a tagged artefact's own when it arrives later", () => {
    const events = decode([
      chunk({ reasoning_content: "Hmm" }),
      chunk({ reasoning_details: [{ type: "reasoning.text", signature: "swy1.anthropic-messages.EqQB", format: "anthropic-claude-v1" }] }),
      chunk({ content: "Hi" }),
      chunk({ reasoning_details: [{ type: "reasoning.text", text: "Again", signature: "swy1.gemini.Z3Np", format: "google-gemini-v1" }] }),
      chunk({ content: "!" }),
      chunk({ reasoning_content: "Last" }),
      chunk({ reasoning_details: [{ type: "reasoning.encrypted", data: "swy1.openai-responses.gAAA", format: "openai-responses-v1" }] }),
      chunk({}, "stop"),
      done,
    ]);
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "Hmm" },
      { type: "reasoning-signature", index: 0, signature: "EqQB", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 0 },
      // The entry that opens the block carries its signature: its origin is the block's.
      { type: "reasoning-start", index: 2, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 2, text: "Again" },
      { type: "reasoning-signature", index: 2, signature: "Z3Np" },
      { type: "reasoning-end", index: 2 },
      { type: "reasoning-start", index: 4, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 4, text: "Last" },
      { type: "reasoning-end", index: 4, encryptedContent: "gAAA", origin: { protocol: "openai-responses" } },
    ]);
  });
});
