import { describe, expect, it } from "vitest";
import { GatewayError, deriveToolCallId, tagReasoningArtefact, type UnifiedResponse } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

const candidate = (parts: unknown[], finishReason = "STOP") => ({ content: { parts, role: "model" }, finishReason });

describe("decodeGeminiResponse", () => {
  it("follows the usage convention: cached tokens are inside promptTokenCount, thoughts outside candidatesTokenCount", () => {
    const usageMetadata = { promptTokenCount: 3520, cachedContentTokenCount: 3512, candidatesTokenCount: 2, thoughtsTokenCount: 42, totalTokenCount: 3564 };
    const { value } = geminiCodec.decodeResponse({ candidates: [candidate([{ text: "Paris." }])], usageMetadata, responseId: "r1", modelVersion: "gemini-2.5-flash" });
    expect(value.usage).toStrictEqual({
      inputTokens: 8,
      cacheReadTokens: 3512,
      cacheWriteTokens: 0,
      outputTokens: 44,
      reasoningTokens: 42,
      totalTokens: 3564,
      raw: usageMetadata,
    });
  });

  it("counts tool-use prompt tokens (grounding results) as input", () => {
    const usageMetadata = { promptTokenCount: 17, candidatesTokenCount: 201, thoughtsTokenCount: 213, toolUsePromptTokenCount: 119, totalTokenCount: 550 };
    const { value } = geminiCodec.decodeResponse({ candidates: [candidate([{ text: "x" }])], usageMetadata });
    expect(value.usage).toMatchObject({ inputTokens: 136, cacheReadTokens: 0, outputTokens: 414, reasoningTokens: 213, totalTokens: 550 });
  });

  it.each([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["MALFORMED_FUNCTION_CALL", "error"],
    ["OTHER", "other"],
    ["SOMETHING_NEW", "other"],
  ])("maps finishReason %s to %s", (raw, unified) => {
    const { value } = geminiCodec.decodeResponse({ candidates: [candidate([{ text: "x" }], raw)] });
    expect(value.finishReason).toStrictEqual({ unified, raw });
  });

  it("reports tool_calls for a STOP turn that called functions, with derived ids seeded by the responseId", () => {
    const { value } = geminiCodec.decodeResponse({
      candidates: [candidate([{ functionCall: { name: "f", args: { a: 1 } } }, { functionCall: { name: "f", args: { a: 1 } } }])],
      responseId: "resp-1",
    });
    expect(value.finishReason).toStrictEqual({ unified: "tool_calls", raw: "STOP" });
    expect(value.output.map((part) => (part.type === "tool-call" ? part.id : ""))).toStrictEqual([
      deriveToolCallId("call", "resp-1", "f", '{"a":1}', 0),
      deriveToolCallId("call", "resp-1", "f", '{"a":1}', 1),
    ]);
  });

  it("finishes a prompt blocked before generation (no candidates) as content_filter", () => {
    const body = { promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 }, modelVersion: "gemini-2.5-pro", responseId: "r" };
    const { value } = geminiCodec.decodeResponse(body);
    expect(value.output).toStrictEqual([]);
    expect(value.finishReason).toStrictEqual({ unified: "content_filter", raw: "PROHIBITED_CONTENT" });
    expect(geminiCodec.encodeResponse(value).value).toStrictEqual(body);
  });

  it("keeps only the first candidate, reports the rest, and keeps unreadable or input-only parts verbatim", () => {
    const body = {
      candidates: [
        candidate([{ text: 5 }, { functionResponse: { name: "f", response: {} } }, { inlineData: { mimeType: "image/png", data: "iVBOR" } }]),
        { content: { parts: [{ text: "second" }], role: "model" }, finishReason: "STOP", index: 1 },
      ],
    };
    const { value, warnings } = geminiCodec.decodeResponse(body);
    expect(value.output).toStrictEqual([
      { type: "native", protocol: "gemini", value: { text: 5 } },
      { type: "native", protocol: "gemini", value: { functionResponse: { name: "f", response: {} } } },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" } },
    ]);
    expect(warnings.map((warning) => warning.code)).toStrictEqual(["extra-candidates-dropped"]);
    expect(geminiCodec.encodeResponse(value).value).toStrictEqual(body);
  });

  it("throws an upstream error body as a GatewayError, reading RetryInfo", () => {
    const body = {
      error: {
        code: 429,
        message: "Resource has been exhausted (e.g. check quota).",
        status: "RESOURCE_EXHAUSTED",
        details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "37s" }],
      },
    };
    expect(() => geminiCodec.decodeResponse(body)).toThrow(GatewayError);
    try {
      geminiCodec.decodeResponse(body);
    } catch (error) {
      expect(error).toMatchObject({ code: "rate_limited", httpStatus: 429, upstreamStatus: 429, retryAfterMs: 37000 });
    }
    expect(() => geminiCodec.decodeResponse("nope")).toThrow(expect.objectContaining({ code: "upstream_server" }) as Error);
  });
});

describe("encodeGeminiResponse for a Gemini client behind another protocol", () => {
  const anthropicResponse: UnifiedResponse = {
    id: "msg_01",
    model: "claude-sonnet-4-5",
    output: [
      { type: "reasoning", text: "Let me think.", signature: "EqQBsig", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning", text: "", redactedData: "b3BhcXVl", origin: { protocol: "anthropic-messages" } },
      { type: "text", text: "Calling the tool." },
      { type: "tool-call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" },
    ],
    finishReason: { unified: "tool_calls", raw: "tool_use" },
    usage: { inputTokens: 10, cacheReadTokens: 5, cacheWriteTokens: 2, outputTokens: 30, reasoningTokens: 20, totalTokens: 47, raw: { input_tokens: 10 } },
  };

  it("writes thoughts, tagged artefacts, calls with ids and Gemini-convention usage", () => {
    const { value, warnings } = geminiCodec.encodeResponse(anthropicResponse);
    expect(warnings.map((warning) => warning.code)).toStrictEqual(["cache-write-tokens-as-input"]);
    expect(value).toStrictEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: "Let me think.", thought: true, thoughtSignature: tagReasoningArtefact("EqQBsig", "anthropic-messages") },
              { text: "", thought: true, thoughtSignature: tagReasoningArtefact("redacted:b3BhcXVl", "anthropic-messages") },
              { text: "Calling the tool." },
              { functionCall: { id: "toolu_01", name: "get_weather", args: { city: "Paris" } } },
            ],
            role: "model",
          },
          finishReason: "STOP",
        },
      ],
      usageMetadata: { promptTokenCount: 17, candidatesTokenCount: 10, totalTokenCount: 47, cachedContentTokenCount: 5, thoughtsTokenCount: 20 },
      modelVersion: "claude-sonnet-4-5",
      responseId: "msg_01",
    });
  });

  it("gets the artefacts back with their origin when the client replays the turn", () => {
    const model = (geminiCodec.encodeResponse(anthropicResponse).value["candidates"] as Array<{ content: unknown }>)[0]?.content;
    const { value } = geminiCodec.decodeRequest({
      contents: [
        { role: "user", parts: [{ text: "weather?" }] },
        model,
        { role: "user", parts: [{ functionResponse: { id: "toolu_01", name: "get_weather", response: { output: "sunny" } } }] },
      ],
    });
    expect(value.messages[1]?.content.slice(0, 2)).toStrictEqual([
      { type: "reasoning", text: "Let me think.", signature: "EqQBsig", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning", text: "", redactedData: "b3BhcXVl", origin: { protocol: "anthropic-messages" }, extensions: { gemini: { $thought: true } } },
    ]);
    expect(value.messages[2]?.content[0]).toMatchObject({ type: "tool-result", toolCallId: "toolu_01", content: [{ type: "text", text: "sunny" }] });
  });

  it.each([
    ["stop", "STOP"],
    ["stop_sequence", "STOP"],
    ["length", "MAX_TOKENS"],
    ["context_length", "MAX_TOKENS"],
    ["content_filter", "SAFETY"],
    ["refusal", "STOP"],
    ["error", "OTHER"],
  ] as const)("writes unified %s as %s", (unified, raw) => {
    const { value } = geminiCodec.encodeResponse({ id: "x", model: "m", output: [{ type: "text", text: "t" }], finishReason: { unified, raw: "end_turn" } });
    expect((value["candidates"] as Array<Record<string, unknown>>)[0]?.["finishReason"]).toBe(raw);
  });
});

describe("encodeGeminiError", () => {
  it.each([
    ["invalid_request", 400, "INVALID_ARGUMENT"],
    ["authentication", 401, "UNAUTHENTICATED"],
    ["permission", 403, "PERMISSION_DENIED"],
    ["not_found", 404, "NOT_FOUND"],
    ["overloaded", 503, "UNAVAILABLE"],
    ["upstream_server", 502, "INTERNAL"],
    ["upstream_timeout", 504, "DEADLINE_EXCEEDED"],
  ] as const)("%s → %d %s", (code, status, grpcStatus) => {
    const encoded = geminiCodec.encodeError(new GatewayError(code, "boom"));
    expect(encoded).toStrictEqual({ status, body: { error: { code: status, message: "boom", status: grpcStatus } } });
  });

  it("adds RetryInfo and retry-after when a delay is known", () => {
    const encoded = geminiCodec.encodeError(new GatewayError("rate_limited", "slow down", { retryAfterMs: 1500 }));
    expect(encoded).toStrictEqual({
      status: 429,
      body: { error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2s" }] } },
      headers: { "retry-after": "2" },
    });
  });
});
