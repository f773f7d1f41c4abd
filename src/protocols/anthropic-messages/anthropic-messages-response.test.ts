import { describe, expect, it } from "vitest";
import { embedSignatureInToolCallId, GatewayError, type FinishReason, type UnifiedResponse } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";
import { mapAnthropicMessagesStopReason, mapFinishReasonToAnthropicMessages } from "./map-anthropic-messages-finish-reason.js";

function caught(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

const message = (fields: Record<string, unknown>): Record<string, unknown> => ({
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "ok" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
  ...fields,
});

describe("decodeResponse: usage convention", () => {
  it("input_tokens excludes cache reads and writes: nothing is subtracted, total adds them", () => {
    const usage = {
      input_tokens: 3,
      cache_creation_input_tokens: 418,
      cache_read_input_tokens: 1111,
      cache_creation: { ephemeral_5m_input_tokens: 418, ephemeral_1h_input_tokens: 0 },
      output_tokens: 433,
      output_tokens_details: { thinking_tokens: 139 },
      service_tier: "standard",
    };
    const decoded = anthropicMessagesCodec.decodeResponse(message({ usage })).value;
    expect(decoded.usage).toEqual({
      inputTokens: 3,
      cacheReadTokens: 1111,
      cacheWriteTokens: 418,
      outputTokens: 433,
      reasoningTokens: 139,
      totalTokens: 1965,
      raw: usage,
    });
    expect(anthropicMessagesCodec.encodeResponse(decoded).value["usage"]).toEqual(usage);
  });

  it("old usage without cache fields stays without them", () => {
    const body = message({ usage: { input_tokens: 246, output_tokens: 15 } });
    const decoded = anthropicMessagesCodec.decodeResponse(body).value;
    expect(decoded.usage).toMatchObject({ inputTokens: 246, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 15, totalTokens: 261 });
    expect(anthropicMessagesCodec.encodeResponse(decoded).value).toEqual(body);
  });
});

describe("stop reasons", () => {
  const table: Array<[string, FinishReason["unified"]]> = [
    ["end_turn", "stop"],
    ["max_tokens", "length"],
    ["stop_sequence", "stop_sequence"],
    ["tool_use", "tool_calls"],
    ["pause_turn", "pause"],
    ["refusal", "refusal"],
    ["model_context_window_exceeded", "context_length"],
  ];
  for (const [raw, unified] of table) {
    it(`${raw} ↔ ${unified}`, () => {
      expect(mapAnthropicMessagesStopReason(raw)).toEqual({ unified, raw });
      expect(mapFinishReasonToAnthropicMessages({ unified, raw: null })).toBe(raw);
    });
  }

  it("keeps the matched stop sequence, maps other protocols' values, and unknown values to other", () => {
    expect(mapAnthropicMessagesStopReason("stop_sequence", "END")).toEqual({ unified: "stop_sequence", raw: "stop_sequence", stopSequence: "END" });
    expect(mapAnthropicMessagesStopReason("brand_new_reason")).toEqual({ unified: "other", raw: "brand_new_reason" });
    expect(mapFinishReasonToAnthropicMessages({ unified: "content_filter", raw: "SAFETY" })).toBe("refusal");
    expect(mapFinishReasonToAnthropicMessages({ unified: "tool_calls", raw: "tool_calls" })).toBe("tool_use");
    expect(mapFinishReasonToAnthropicMessages({ unified: "error", raw: null })).toBe("end_turn");
    const filtered = anthropicMessagesCodec.encodeResponse({ id: "r", model: "gemini", output: [], finishReason: { unified: "content_filter", raw: "SAFETY" } });
    expect(filtered.value["stop_reason"]).toBe("refusal");
    expect(filtered.warnings.map((warning) => warning.code)).toEqual(["finish-reason-approximated"]);
    const body = message({ stop_reason: "stop_sequence", stop_sequence: "END" });
    expect(anthropicMessagesCodec.encodeResponse(anthropicMessagesCodec.decodeResponse(body).value).value).toEqual(body);
  });
});

describe("decodeResponse: tolerant of upstream oddities, strict about garbage", () => {
  it("unknown blocks become native parts; unknown top-level fields ride along", () => {
    const body = message({
      content: [{ type: "container_upload", file_id: "f" }, { type: "text", text: "a", citations: null }],
      container: { id: "c1", expires_at: "2026-01-01T00:00:00Z" },
      stop_details: null,
    });
    const decoded = anthropicMessagesCodec.decodeResponse(body).value;
    expect(decoded.output).toEqual([
      { type: "native", protocol: "anthropic-messages", value: { type: "container_upload", file_id: "f" } },
      { type: "text", text: "a", extensions: { "anthropic-messages": { citations: null } } },
    ]);
    expect(anthropicMessagesCodec.encodeResponse(decoded).value).toEqual(body);
  });

  it("entries without a type are skipped with a warning", () => {
    const result = anthropicMessagesCodec.decodeResponse(message({ content: [{ text: "x" }, { type: "text", text: "y" }] }));
    expect(result.value.output).toEqual([{ type: "text", text: "y" }]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(["response-block-skipped"]);
  });

  it("garbage becomes upstream_server (502), an error body its own code", () => {
    expect(caught(() => anthropicMessagesCodec.decodeResponse("nope")).code).toBe("upstream_server");
    expect(caught(() => anthropicMessagesCodec.decodeResponse(message({ content: null }))).httpStatus).toBe(502);
    expect(caught(() => anthropicMessagesCodec.decodeResponse(message({ content: [{ type: "tool_use", name: "f", input: {} }] }))).code).toBe("upstream_server");
    const overloaded = caught(() => anthropicMessagesCodec.decodeResponse({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
    expect({ code: overloaded.code, status: overloaded.httpStatus, upstream: overloaded.upstreamStatus }).toEqual({ code: "overloaded", status: 503, upstream: 529 });
    const tooLong = caught(() =>
      anthropicMessagesCodec.decodeResponse({ type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" } }),
    );
    expect(tooLong.code).toBe("context_length");
  });
});

describe("encodeResponse for an Anthropic client from another protocol's response", () => {
  const foreign: UnifiedResponse = {
    id: "chatcmpl-9",
    model: "gemini-3-pro-preview",
    output: [
      { type: "reasoning", text: "thinking…", signature: "gsig", origin: { protocol: "gemini" } },
      { type: "reasoning", text: "", summary: ["Checking."], encryptedContent: "enc", id: "rs_1", origin: { protocol: "openai-responses" } },
      { type: "reasoning", text: "", summary: ["first", "second"], origin: { protocol: "openai-responses" } },
      { type: "text", text: "Calling." },
      { type: "tool-call", id: "call_1", name: "lookup", arguments: '{"q":"x"}', kind: "function", signature: "ts", signatureOrigin: { protocol: "gemini" } },
      { type: "refusal", text: "not that" },
      { type: "image", source: { kind: "url", url: "https://x/y.png" } },
      { type: "native", protocol: "gemini", value: { executableCode: {} } },
    ],
    finishReason: { unified: "tool_calls", raw: "STOP" },
    usage: { inputTokens: 10, cacheReadTokens: 5, cacheWriteTokens: 0, outputTokens: 20, reasoningTokens: 3, totalTokens: 35 },
  };

  it("writes Anthropic blocks, tags foreign artefacts, embeds the Gemini signature in the id", () => {
    const result = anthropicMessagesCodec.encodeResponse(foreign);
    expect(result.value).toEqual({
      id: "chatcmpl-9",
      type: "message",
      role: "assistant",
      model: "gemini-3-pro-preview",
      content: [
        { type: "thinking", thinking: "thinking…", signature: "swy1.gemini.gsig" },
        // Responses encrypted_content rides in the signature, its tag naming its kind and the item id.
        { type: "thinking", thinking: "Checking.", signature: "swy1.openai-responses.encrypted@rs_1:enc" },
        // Unsigned reasoning of another origin: the bare origin tag, never a fabricated signature.
        { type: "thinking", thinking: "first\n\nsecond", signature: "swy1.openai-responses." },
        { type: "text", text: "Calling." },
        { type: "tool_use", id: embedSignatureInToolCallId("call_1", "ts"), name: "lookup", input: { q: "x" } },
        { type: "text", text: "not that" },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens_details: { thinking_tokens: 3 } },
    });
    expect(result.warnings.map((warning) => warning.code)).toEqual([
      "refusal-as-text",
      "image-output-dropped",
      "native-part-dropped",
    ]);
  });

  it("what the client sends back decodes to the original origins", () => {
    const wire = anthropicMessagesCodec.encodeResponse(foreign).value;
    const request = anthropicMessagesCodec.decodeRequest({ model: "m", max_tokens: 5, messages: [{ role: "assistant", content: wire["content"] }] }).value;
    const parts = request.messages[0]?.content ?? [];
    expect(parts[0]).toEqual({ type: "reasoning", text: "thinking…", signature: "gsig", origin: { protocol: "gemini" } });
    // The encrypted payload comes back as encrypted content of Responses origin with its item id, not as a signature.
    expect(parts[1]).toEqual({ type: "reasoning", text: "Checking.", encryptedContent: "enc", id: "rs_1", origin: { protocol: "openai-responses" } });
    expect(parts[2]).toEqual({ type: "reasoning", text: "first\n\nsecond", origin: { protocol: "openai-responses" } });
    expect(parts[4]).toEqual({
      type: "tool-call",
      id: "call_1",
      name: "lookup",
      arguments: '{"q":"x"}',
      kind: "function",
      signature: "ts",
      signatureOrigin: { protocol: "gemini" },
    });
  });

  it("redacted thinking from Anthropic goes out verbatim", () => {
    const result = anthropicMessagesCodec.encodeResponse({
      id: "msg_1",
      model: "claude",
      output: [{ type: "reasoning", text: "", redactedData: "EmwK", origin: { protocol: "anthropic-messages" } }],
      finishReason: { unified: "stop", raw: "end_turn" },
    });
    expect(result.value["content"]).toEqual([{ type: "redacted_thinking", data: "EmwK" }]);
    expect(result.value["usage"]).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});

describe("encodeError", () => {
  it("writes Anthropic's error shape with the error's status", () => {
    const cases: Array<[GatewayError, number, string]> = [
      [new GatewayError("invalid_request", "messages[0]: bad"), 400, "invalid_request_error"],
      [new GatewayError("context_length", "too long"), 400, "invalid_request_error"],
      [new GatewayError("unsupported_feature", "n > 1"), 400, "invalid_request_error"],
      [new GatewayError("authentication", "bad key"), 401, "authentication_error"],
      [new GatewayError("permission", "no"), 403, "permission_error"],
      [new GatewayError("not_found", "no model"), 404, "not_found_error"],
      [new GatewayError("overloaded", "busy"), 503, "overloaded_error"],
      [new GatewayError("upstream_server", "boom"), 502, "api_error"],
      [new GatewayError("upstream_timeout", "slow"), 504, "timeout_error"],
      [new GatewayError("internal", "bug"), 500, "api_error"],
      [new GatewayError("all_targets_failed", "all busy", { httpStatus: 529 }), 529, "overloaded_error"],
      [new GatewayError("quota_exhausted", "billing", { httpStatus: 402 }), 402, "billing_error"],
    ];
    for (const [error, status, type] of cases) {
      expect(anthropicMessagesCodec.encodeError(error)).toEqual({ status, body: { type: "error", error: { type, message: error.message } } });
    }
  });

  it("adds retry-after in whole seconds", () => {
    expect(anthropicMessagesCodec.encodeError(new GatewayError("rate_limited", "slow down", { retryAfterMs: 1500 }))).toEqual({
      status: 429,
      body: { type: "error", error: { type: "rate_limit_error", message: "slow down" } },
      headers: { "retry-after": "2" },
    });
  });
});
