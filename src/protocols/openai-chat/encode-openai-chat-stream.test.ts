import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { embedSignatureInToolCallId, GatewayError, type StreamEvent, type UnifiedRequest } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/** Frames checked against https://platform.openai.com/docs/api-reference/chat-streaming/streaming. */
const now = (): number => 1_750_000_000_000;
const request = (extra: Partial<UnifiedRequest> = {}): UnifiedRequest => ({ model: "m", system: [], messages: [], generation: {}, stream: true, ...extra });

function frames(events: readonly StreamEvent[], options: { request?: UnifiedRequest } = {}): unknown[] {
  const encoder = openAiChatCodec.createStreamEncoder({ now, ...options });
  let text = "";
  for (const event of events) text += encoder.push(event);
  text += encoder.end();
  return parseSseText(text).map((message) => (message.data === "[DONE]" ? "[DONE]" : (JSON.parse(message.data) as unknown)));
}

const head = { id: "msg_1", object: "chat.completion.chunk", created: 1_700_000_000, model: "claude" };
const delta = (value: Record<string, unknown>, finishReason: string | null = null, usageNull = false) => ({
  ...head,
  choices: [{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }],
  ...(usageNull ? { usage: null } : {}),
});
const usage = { inputTokens: 10, cacheReadTokens: 90, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0, totalTokens: 105 };

describe("createOpenAiChatStreamEncoder", () => {
  it("writes role first, text deltas, tool calls with one index each, finish_reason, the usage chunk asked for, [DONE]", () => {
    const events: StreamEvent[] = [
      { type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Checking." },
      { type: "text-end", index: 0 },
      { type: "tool-call-start", index: 1, id: "toolu_a", name: "get_weather", kind: "function" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"city":' },
      { type: "tool-call-start", index: 2, id: "toolu_b", name: "get_time", kind: "function" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '"Paris"}' },
      { type: "tool-call-delta", index: 2, argumentsDelta: "{}" },
      { type: "tool-call-end", index: 1 },
      { type: "tool-call-end", index: 2 },
      { type: "usage", usage },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" } },
    ];
    expect(frames(events, { request: request({ includeUsage: true }) })).toEqual([
      delta({ role: "assistant", content: "" }, null, true),
      delta({ content: "Checking." }, null, true),
      delta({ tool_calls: [{ index: 0, id: "toolu_a", type: "function", function: { name: "get_weather", arguments: "" } }] }, null, true),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null, true),
      delta({ tool_calls: [{ index: 1, id: "toolu_b", type: "function", function: { name: "get_time", arguments: "" } }] }, null, true),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null, true),
      delta({ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }, null, true),
      delta({}, "tool_calls", true),
      {
        ...head,
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 90 }, completion_tokens_details: { reasoning_tokens: 0 } },
      },
      "[DONE]",
    ]);
  });

  it("sends no usage chunk when the client did not ask, and still ends with finish_reason and [DONE]", () => {
    const out = frames(
      [{ type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 }, { type: "text-start", index: 0 }, { type: "text-delta", index: 0, text: "Hi" }, { type: "text-end", index: 0 }, { type: "finish", finishReason: { unified: "length", raw: "max_tokens" }, usage }],
      { request: request() },
    );
    expect(out).toEqual([delta({ role: "assistant", content: "" }), delta({ content: "Hi" }), delta({}, "length"), "[DONE]"]);
  });

  it("writes reasoning as reasoning_content plus reasoning_details, artefacts tagged with their origin", () => {
    const out = frames([
      { type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 },
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "Think" },
      { type: "reasoning-signature", index: 0, signature: "EqQB" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, redactedData: "opaque", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 1, encryptedContent: "gAAA", origin: { protocol: "openai-responses" } },
      { type: "finish", finishReason: { unified: "stop", raw: "end_turn" } },
    ]);
    expect(out).toEqual([
      delta({ role: "assistant", content: "" }),
      delta({ reasoning_content: "Think" }),
      delta({ reasoning_details: [{ type: "reasoning.text", text: "", signature: "swy1.anthropic-messages.EqQB", format: "anthropic-claude-v1" }] }),
      // Tags name the kind of every artefact but a signature (reasoning-signature.ts).
      delta({ reasoning_details: [{ type: "reasoning.encrypted", data: "swy1.anthropic-messages.redacted:opaque", format: "anthropic-claude-v1" }] }),
      delta({ reasoning_details: [{ type: "reasoning.encrypted", data: "swy1.openai-responses.encrypted:gAAA", format: "openai-responses-v1" }] }),
      delta({}, "stop"),
      "[DONE]",
    ]);
  });

  it("writes artefacts without an origin as Chat's own (untagged) and redacted data known only at reasoning-end", () => {
    const out = frames([
      { type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 },
      { type: "reasoning-start", index: 0, id: "rs_1" },
      { type: "reasoning-signature", index: 0, signature: "EqQB" },
      { type: "reasoning-end", index: 0, redactedData: "late", encryptedContent: "gAAA" },
      { type: "finish", finishReason: { unified: "stop", raw: "end_turn" } },
    ]);
    expect(out).toEqual([
      delta({ role: "assistant", content: "" }),
      delta({ reasoning_details: [{ type: "reasoning.text", text: "", signature: "EqQB", format: "unknown", id: "rs_1" }] }),
      delta({
        reasoning_details: [
          { type: "reasoning.encrypted", data: "late", format: "anthropic-claude-v1", id: "rs_1" },
          { type: "reasoning.encrypted", data: "gAAA", format: "unknown", id: "rs_1" },
        ],
      }),
      delta({}, "stop"),
      "[DONE]",
    ]);
  });

  it("sends a custom call whole (unwrapping a function call of the client's custom tool) and embeds Gemini signatures", () => {
    const out = frames(
      [
        { type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 },
        { type: "tool-call-start", index: 0, id: "call_1", name: "apply_patch", kind: "function" },
        { type: "tool-call-delta", index: 0, argumentsDelta: '{"input":"*** Begin' },
        { type: "tool-call-delta", index: 0, argumentsDelta: ' Patch"}' },
        { type: "tool-call-end", index: 0 },
        { type: "tool-call-start", index: 1, id: "call_2", name: "f", kind: "function", signature: "ts" },
        { type: "tool-call-end", index: 1 },
        { type: "finish", finishReason: { unified: "tool_calls", raw: "STOP" } },
      ],
      { request: request({ tools: [{ type: "custom", name: "apply_patch" }] }) },
    );
    expect(out.slice(1, 3)).toEqual([
      delta({ tool_calls: [{ index: 0, id: "call_1", type: "custom", custom: { name: "apply_patch", input: "*** Begin Patch" } }] }),
      delta({ tool_calls: [{ index: 1, id: embedSignatureInToolCallId("call_2", "ts"), type: "function", function: { name: "f", arguments: "" } }] }),
    ]);
  });

  it("ends a failed stream with an error chunk and [DONE]; end() without a terminal does the same; nothing after", () => {
    const error = new GatewayError("overloaded", "Upstream is overloaded.").serialize();
    const encoder = openAiChatCodec.createStreamEncoder({ now });
    const text =
      encoder.push({ type: "start", id: "msg_1", model: "claude", created: 1_700_000_000 }) +
      encoder.push({ type: "text-start", index: 0 }) +
      encoder.push({ type: "text-delta", index: 0, text: "Par" }) +
      encoder.push({ type: "error", error });
    expect(text.split("\n\n").slice(-3)).toEqual([
      'data: {"error":{"message":"Upstream is overloaded.","type":"server_error","param":null,"code":"server_is_overloaded"}}',
      "data: [DONE]",
      "",
    ]);
    expect(encoder.push({ type: "text-delta", index: 0, text: "late" })).toBe("");
    expect(encoder.end()).toBe("");

    const cut = openAiChatCodec.createStreamEncoder({ now });
    cut.push({ type: "start", id: "msg_1" });
    expect(cut.end()).toBe('data: {"error":{"message":"upstream stream ended before completion","type":"server_error","param":null,"code":"upstream_server"}}\n\ndata: [DONE]\n\n');
    expect(cut.end()).toBe("");
  });

  it("round-trips through its own decoder without a start event", () => {
    const encoder = openAiChatCodec.createStreamEncoder({ now });
    const text = encoder.push({ type: "text-start", index: 0 }) + encoder.push({ type: "text-delta", index: 0, text: "x" }) + encoder.push({ type: "text-end", index: 0 }) + encoder.push({ type: "finish", finishReason: { unified: "stop", raw: null } });
    const decoder = openAiChatCodec.createStreamDecoder();
    const events = [...parseSseText(text).flatMap((message) => decoder.push(message)), ...decoder.end()];
    expect(events).toEqual([
      { type: "start", id: `chatcmpl-${now().toString(36)}`, created: 1_750_000_000 },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "x" },
      { type: "text-end", index: 0 },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
    ]);
  });
});

describe("encodeOpenAiChatError", () => {
  it.each([
    ["invalid_request", 400, "invalid_request_error", null],
    ["authentication", 401, "invalid_request_error", "invalid_api_key"],
    ["not_found", 404, "invalid_request_error", "model_not_found"],
    ["rate_limited", 429, "requests", "rate_limit_exceeded"],
    ["quota_exhausted", 429, "insufficient_quota", "insufficient_quota"],
    ["context_length", 400, "invalid_request_error", "context_length_exceeded"],
    ["overloaded", 503, "server_error", "server_is_overloaded"],
    ["upstream_timeout", 504, "server_error", "upstream_timeout"],
  ] as const)("%s → %i %s/%s", (code, status, type, wireCode) => {
    const encoded = openAiChatCodec.encodeError(new GatewayError(code, "boom", code === "invalid_request" ? { path: "messages[3].content[1].type" } : {}));
    expect(encoded.status).toBe(status);
    expect(encoded.body).toEqual({ error: { message: "boom", type, param: code === "invalid_request" ? "messages[3].content[1].type" : null, code: wireCode } });
    expect(encoded.headers).toBeUndefined();
  });

  it("sets retry-after in whole seconds", () => {
    expect(openAiChatCodec.encodeError(new GatewayError("rate_limited", "slow down", { retryAfterMs: 2500 })).headers).toEqual({ "retry-after": "3" });
  });
});
