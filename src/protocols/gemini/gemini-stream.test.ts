import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, deriveToolCallId, type SseMessage, type StreamEvent } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, candidateExtra: Record<string, unknown> = {}): SseMessage => ({
  data: JSON.stringify({ candidates: [{ content: { parts, role: "model" }, index: 0, ...candidateExtra }], modelVersion: "gemini-3-pro-preview", responseId: "R1", ...extra }),
});

function decodeAll(messages: SseMessage[]): StreamEvent[] {
  const decoder = geminiCodec.createStreamDecoder();
  const events = [...messages.flatMap((message) => decoder.push(message)), ...decoder.end()];
  assertWellFormedStream(events);
  return events;
}

describe("Gemini stream decoder", () => {
  it("synthesizes blocks, keeps the last usage (even when it goes down) and maps STOP with calls to tool_calls", () => {
    const first = { promptTokenCount: 20, candidatesTokenCount: 4, thoughtsTokenCount: 10, totalTokenCount: 34 };
    const last = { promptTokenCount: 18, candidatesTokenCount: 9, thoughtsTokenCount: 10, totalTokenCount: 37 };
    const events = decodeAll([
      chunk([{ text: "Plan", thought: true }], { usageMetadata: first }),
      chunk([{ text: " more", thought: true }], { usageMetadata: first }),
      chunk([{ text: "Hello", thoughtSignature: "SIG1" }], { usageMetadata: first }),
      chunk([{ text: " world" }]),
      chunk([{ functionCall: { name: "f", args: { a: 1 } }, thoughtSignature: "SIG2" }, { functionCall: { name: "g", args: {} } }]),
      chunk([{ text: "" }], { usageMetadata: last }, { finishReason: "STOP" }),
    ]);
    const usage = (metadata: typeof first, input: number, output: number) => ({
      inputTokens: input,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: output,
      reasoningTokens: 10,
      totalTokens: metadata.totalTokenCount,
      raw: metadata,
    });
    expect(events).toStrictEqual([
      { type: "start", id: "R1", model: "gemini-3-pro-preview" },
      { type: "reasoning-start", index: 0, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 0, text: "Plan" },
      { type: "usage", usage: usage(first, 20, 14) },
      { type: "reasoning-delta", index: 0, text: " more" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, origin: { protocol: "gemini" } },
      { type: "reasoning-signature", index: 1, signature: "SIG1" },
      { type: "reasoning-end", index: 1 },
      { type: "text-start", index: 2 },
      { type: "text-delta", index: 2, text: "Hello" },
      { type: "text-delta", index: 2, text: " world" },
      { type: "text-end", index: 2 },
      { type: "tool-call-start", index: 3, id: deriveToolCallId("call", "R1", "f", '{"a":1}', 0), name: "f", kind: "function", signature: "SIG2" },
      { type: "tool-call-delta", index: 3, argumentsDelta: '{"a":1}' },
      { type: "tool-call-end", index: 3 },
      { type: "tool-call-start", index: 4, id: deriveToolCallId("call", "R1", "g", "{}", 1), name: "g", kind: "function" },
      { type: "tool-call-delta", index: 4, argumentsDelta: "{}" },
      { type: "tool-call-end", index: 4 },
      { type: "usage", usage: usage(last, 18, 19) },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "STOP" }, usage: usage(last, 18, 19) },
    ]);
  });

  it("assembles Vertex partialArgs (nested paths, numbers, booleans, continued strings) into one arguments delta", () => {
    const events = decodeAll([
      chunk([{ functionCall: { id: "fc1", name: "plan", willContinue: true } }]),
      chunk([{ functionCall: { partialArgs: [{ jsonPath: "$.steps[0].title", stringValue: "Bo", willContinue: true }], willContinue: true } }]),
      chunk([{ functionCall: { partialArgs: [{ jsonPath: "$.steps[0].title", stringValue: "ston" }], willContinue: true } }]),
      chunk([{ functionCall: { partialArgs: [{ jsonPath: "$.count", numberValue: 2 }, { jsonPath: "$['dry run']", boolValue: true }], willContinue: true } }]),
      chunk([{ functionCall: { partialArgs: [{ jsonPath: "$.__proto__.polluted", stringValue: "x" }], willContinue: true } }]),
      chunk([{ functionCall: {} }]),
      chunk([{ text: "" }], {}, { finishReason: "STOP" }),
    ]);
    expect(events.filter((event) => event.type.startsWith("tool-call"))).toStrictEqual([
      { type: "tool-call-start", index: 0, id: "fc1", name: "plan", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"steps":[{"title":"Boston"}],"count":2,"dry run":true}' },
      { type: "tool-call-end", index: 0 },
    ]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("turns an in-band error chunk into an error event and ignores what follows", () => {
    const decoder = geminiCodec.createStreamDecoder();
    const events = [
      ...decoder.push(chunk([{ text: "partial" }])),
      ...decoder.push({ data: JSON.stringify({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }) }),
      ...decoder.push(chunk([{ text: "late" }])),
      ...decoder.end(),
    ];
    assertWellFormedStream(events);
    expect(events.slice(-2)).toStrictEqual([
      { type: "text-end", index: 0 },
      { type: "error", error: { code: "overloaded", message: "The model is overloaded.", httpStatus: 503, upstreamStatus: 503 } },
    ]);
  });

  it("reports malformed JSON and early ends as upstream_server errors, and a blocked prompt as content_filter", () => {
    const malformed = decodeAll([{ data: "{not json" }]);
    expect(malformed).toStrictEqual([
      { type: "start" },
      { type: "error", error: { code: "upstream_server", message: "malformed JSON in the Gemini stream", httpStatus: 502 } },
    ]);
    const early = decodeAll([chunk([{ text: "cut" }])]);
    expect(early.slice(-2)).toStrictEqual([
      { type: "text-end", index: 0 },
      { type: "error", error: { code: "upstream_server", message: "the Gemini stream ended without a finishReason", httpStatus: 502 } },
    ]);
    const nothing = decodeAll([]);
    expect(nothing.map((event) => event.type)).toStrictEqual(["start", "error"]);
    const blocked = decodeAll([{ data: JSON.stringify({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }) }]);
    expect(blocked.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "content_filter", raw: "SAFETY" }, usage: { inputTokens: 5 } });
  });

  it("never throws on odd data and always ends well formed", () => {
    const odd = ["null", "[]", "42", '"text"', "{}", '{"candidates":5}', '{"candidates":[null,{"content":7}]}', '{"candidates":[{"content":{"parts":[null,1,{"text":9},{"functionCall":"x"},{"functionCall":{"partialArgs":"y"}}]}}]}', '{"usageMetadata":"x"}', '{"error":"x"}', "[DONE]", ""];
    for (let start = 0; start < odd.length; start += 1) {
      const messages = odd.slice(start).map((data) => ({ data }));
      expect(() => decodeAll(messages)).not.toThrow();
    }
  });
});

describe("Gemini stream decoder: reasoning origins", () => {
  it("untags artefacts a Gemini-facing encoder tagged: the origin goes on reasoning-start, or on the later event", () => {
    const events = decodeAll([
      chunk([{ text: "Plan", thought: true }]),
      chunk([{ text: "", thought: true, thoughtSignature: "swy1.anthropic-messages.EqQB" }]),
      chunk([{ text: "", thought: true, thoughtSignature: "swy1.anthropic-messages.redacted:b3Bx" }]),
      chunk([{ text: "More", thought: true }]),
      chunk([{ text: "", thought: true, thoughtSignature: "swy1.openai-responses.encrypted:gAAA" }]),
      chunk([{ text: "Done", thoughtSignature: "SIG" }], {}, { finishReason: "STOP" }),
    ]);
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 0, text: "Plan" },
      { type: "reasoning-signature", index: 0, signature: "EqQB", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 0 },
      // Redacted data that opens a block rides on its reasoning-start.
      { type: "reasoning-start", index: 1, origin: { protocol: "anthropic-messages" }, redactedData: "b3Bx" },
      { type: "reasoning-end", index: 1 },
      { type: "reasoning-start", index: 2, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 2, text: "More" },
      { type: "reasoning-end", index: 2, encryptedContent: "gAAA", origin: { protocol: "openai-responses" } },
      { type: "reasoning-start", index: 3, origin: { protocol: "gemini" } },
      { type: "reasoning-signature", index: 3, signature: "SIG" },
      { type: "reasoning-end", index: 3 },
    ]);
  });
});

describe("Gemini stream encoder", () => {
  it("writes foreign artefacts tagged in thought parts of their own, whenever they arrive; drops Gemini-less data", () => {
    const encoder = geminiCodec.createStreamEncoder();
    const events: StreamEvent[] = [
      { type: "start", id: "msg_2", model: "claude-x" },
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-signature", index: 0, signature: "EqQB" },
      { type: "reasoning-signature", index: 0, signature: "Q2hh", origin: { protocol: "openai-chat" } },
      { type: "reasoning-end", index: 0, redactedData: "b3Bx" },
      { type: "reasoning-start", index: 1 },
      { type: "reasoning-signature", index: 1, signature: "OWN" },
      { type: "reasoning-end", index: 1, encryptedContent: "gAAA" },
      { type: "finish", finishReason: { unified: "stop", raw: "end_turn" } },
    ];
    const text = events.map((event) => encoder.push(event)).join("");
    const parts = parseSseText(text).map((message) => (JSON.parse(message.data) as { candidates: Array<{ content: { parts: unknown[] } }> }).candidates[0]?.content.parts);
    expect(parts).toEqual([
      [{ text: "", thought: true, thoughtSignature: "swy1.anthropic-messages.EqQB" }],
      [{ text: "", thought: true, thoughtSignature: "swy1.openai-chat.Q2hh" }],
      [{ text: "", thought: true, thoughtSignature: "swy1.anthropic-messages.redacted:b3Bx" }],
      // No origin: Gemini's own signature, in Gemini's empty carrier form; Gemini makes no encrypted reasoning.
      [{ text: "", thoughtSignature: "OWN" }],
      [{ text: "" }],
    ]);
    expect(encoder.warnings.map((warning) => warning.code)).toEqual(["reasoning-artefact-dropped"]);
  });

  it("writes GenerateContentResponse frames and ends with finishReason and usage", () => {
    const encoder = geminiCodec.createStreamEncoder();
    const events: StreamEvent[] = [
      { type: "start", id: "msg_1", model: "claude-x" },
      { type: "reasoning-start", index: 0, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 0, text: "hmm" },
      { type: "reasoning-signature", index: 0, signature: "SIG" },
      { type: "reasoning-end", index: 0 },
      { type: "text-start", index: 1 },
      { type: "text-delta", index: 1, text: "Hi" },
      { type: "text-end", index: 1 },
      { type: "tool-call-start", index: 2, id: "call_1", name: "apply_patch", kind: "custom" },
      { type: "tool-call-delta", index: 2, argumentsDelta: "*** Begin" },
      { type: "tool-call-end", index: 2 },
      { type: "usage", usage: { inputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 2, totalTokens: 8 } },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" } },
      { type: "text-delta", index: 1, text: "ignored after the terminal" },
    ];
    const text = events.map((event) => encoder.push(event)).join("") + encoder.end();
    const frame = (parts: unknown[], extra: Record<string, unknown> = {}, finishReason?: string) =>
      `data: ${JSON.stringify({
        candidates: [{ content: { parts, role: "model" }, ...(finishReason === undefined ? {} : { finishReason }), index: 0 }],
        ...extra,
        modelVersion: "claude-x",
        responseId: "msg_1",
      })}\n\n`;
    const usageMetadata = { promptTokenCount: 3, candidatesTokenCount: 3, totalTokenCount: 8, thoughtsTokenCount: 2 };
    expect(text).toBe(
      frame([{ text: "hmm", thought: true }]) +
        frame([{ text: "", thought: true, thoughtSignature: "SIG" }]) +
        frame([{ text: "Hi" }]) +
        frame([{ functionCall: { id: "call_1", name: "apply_patch", args: { input: "*** Begin" } } }]) +
        frame([{ text: "" }], { usageMetadata }, "STOP"),
    );
    expect(parseSseText(text)).toHaveLength(5);
  });

  it("writes an error frame for an error event or a stream that ends without a terminal", () => {
    const failing = geminiCodec.createStreamEncoder();
    failing.push({ type: "start" });
    expect(failing.push({ type: "error", error: { code: "rate_limited", message: "slow down", httpStatus: 429 } })).toBe(
      `data: ${JSON.stringify({ error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } })}\n\n`,
    );
    expect(failing.end()).toBe("");
    const cut = geminiCodec.createStreamEncoder();
    cut.push({ type: "start" });
    cut.push({ type: "text-start", index: 0 });
    cut.push({ type: "text-delta", index: 0, text: "a" });
    expect(cut.end()).toBe(`data: ${JSON.stringify({ error: { code: 502, message: "the upstream stream ended before completion", status: "INTERNAL" } })}\n\n`);
    expect(cut.end()).toBe("");
  });
});
