import { describe, expect, it } from "vitest";
import { GatewayError, type UnifiedRequest, type UnifiedResponse } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/** Edge cases of response decoding and encoding, from the Responses API reference (the response object). */

function responseBody(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    id: "resp_1",
    object: "response",
    created_at: 1_700_000_000,
    status: "completed",
    error: null,
    incomplete_details: null,
    model: "gpt-5",
    output: [],
    usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 40 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 150 },
    ...overrides,
  };
}

describe("usage", () => {
  it("takes cached tokens out of input_tokens and keeps reasoning inside output_tokens", () => {
    const { usage } = codec.decodeResponse(responseBody({})).value;
    expect(usage).toEqual({
      inputTokens: 60,
      cacheReadTokens: 40,
      cacheWriteTokens: 0,
      outputTokens: 50,
      reasoningTokens: 20,
      totalTokens: 150,
      raw: { input_tokens: 100, input_tokens_details: { cached_tokens: 40 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 150 },
    });
  });

  it("counts cache writes as input and writes usage of other protocols in Responses form", () => {
    const response: UnifiedResponse = {
      id: "msg_1",
      model: "claude",
      output: [],
      finishReason: { unified: "stop", raw: "end_turn" },
      usage: { inputTokens: 10, cacheReadTokens: 1000, cacheWriteTokens: 200, outputTokens: 30, reasoningTokens: 0, totalTokens: 1240, raw: { input_tokens: 10, output_tokens: 30 } },
    };
    expect(codec.encodeResponse(response, { now: () => 0 }).value["usage"]).toEqual({
      input_tokens: 1210,
      input_tokens_details: { cached_tokens: 1000, cache_write_tokens: 200 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1240,
    });
  });
});

describe("finish reasons", () => {
  const cases: Array<[Record<string, unknown>, string, string | null]> = [
    [{}, "stop", "completed"],
    [{ output: [{ type: "function_call", id: "fc_1", call_id: "c", name: "f", arguments: "{}", status: "completed" }] }, "tool_calls", "completed"],
    [{ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } }, "length", "max_output_tokens"],
    [{ status: "incomplete", incomplete_details: { reason: "content_filter" } }, "content_filter", "content_filter"],
    [{ status: "failed", error: { code: "server_error", message: "boom" } }, "error", "failed"],
    [{ status: "cancelled" }, "other", "cancelled"],
  ];
  for (const [overrides, unified, raw] of cases) {
    it(`decodes ${JSON.stringify(overrides).slice(0, 60)} as ${unified} and re-encodes it`, () => {
      const body = responseBody(overrides);
      const decoded = codec.decodeResponse(body).value;
      expect(decoded.finishReason).toEqual({ unified, raw });
      expect(codec.encodeResponse(decoded).value).toEqual(body);
    });
  }

  it("writes other protocols' reasons as status and incomplete_details", () => {
    const encode = (unified: UnifiedResponse["finishReason"]["unified"], raw: string) => {
      const value = codec.encodeResponse({ id: "x", model: "m", output: [], finishReason: { unified, raw } }, { now: () => 0 }).value;
      return [value["status"], value["incomplete_details"]];
    };
    expect(encode("length", "max_tokens")).toEqual(["incomplete", { reason: "max_output_tokens" }]);
    expect(encode("content_filter", "SAFETY")).toEqual(["incomplete", { reason: "content_filter" }]);
    expect(encode("tool_calls", "tool_use")).toEqual(["completed", null]);
    expect(encode("stop_sequence", "stop_sequence")).toEqual(["completed", null]);
  });
});

describe("encodeResponse for a client whose upstream spoke another protocol", () => {
  const request: UnifiedRequest = {
    model: "gpt-5",
    system: [{ role: "system", parts: [{ type: "text", text: "Be terse." }] }],
    messages: [{ role: "user", content: [{ type: "text", text: "go" }] }],
    tools: [
      { type: "custom", name: "apply_patch", format: { type: "text" } },
      { type: "function", name: "send", namespace: "collab", parameters: { type: "object" }, extensions: { "openai-responses": { wireShape: { namespaceFields: { description: "Team" } } } } },
    ],
    toolChoice: { type: "auto" },
    parallelToolCalls: true,
    generation: { maxOutputTokens: 1000 },
    reasoning: { effort: "high", summary: "auto" },
    stream: false,
    extensions: { "openai-responses": { store: false, include: ["reasoning.encrypted_content"] } },
  };
  const response: UnifiedResponse = {
    id: "msg_01XYZ",
    model: "claude-sonnet-4-5",
    created: 1_700_000_123,
    output: [
      { type: "reasoning", text: "Let me patch.", signature: "c2ln", origin: { protocol: "anthropic-messages" } },
      { type: "text", text: "Patching now.", citations: [{ kind: "url", url: "https://a.example", title: "A", startIndex: 0, endIndex: 8, raw: {}, origin: "anthropic-messages" }] },
      { type: "tool-call", id: "toolu_1", name: "apply_patch", arguments: '{"input":"*** Begin Patch"}', kind: "function" },
      { type: "tool-call", id: "call_g", name: "collab__send", arguments: '{"to":"ana"}', kind: "function", signature: "ts", signatureOrigin: { protocol: "gemini" } },
    ],
    finishReason: { unified: "tool_calls", raw: "tool_use" },
    usage: { inputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 0, totalTokens: 12 },
  };

  it("derives ids, maps custom and namespaced calls back, tags foreign artefacts and echoes the request", () => {
    const { value, warnings } = codec.encodeResponse(response, { request, now: () => 0 });
    expect(value).toEqual({
      id: "resp_msg_01XYZ",
      object: "response",
      created_at: 1_700_000_123,
      status: "completed",
      error: null,
      incomplete_details: null,
      model: "claude-sonnet-4-5",
      instructions: "Be terse.",
      tools: [
        { type: "custom", name: "apply_patch", format: { type: "text" } },
        { type: "namespace", description: "Team", name: "collab", tools: [{ type: "function", name: "send", parameters: { type: "object" } }] },
      ],
      tool_choice: "auto",
      parallel_tool_calls: true,
      max_output_tokens: 1000,
      reasoning: { effort: "high", summary: "auto" },
      store: false,
      output: [
        {
          type: "reasoning",
          id: "rs_msg_01XYZ_0",
          // The request asked for summaries: Claude's thinking is shown as one (no reasoning_text content).
          summary: [{ type: "summary_text", text: "Let me patch." }],
          encrypted_content: "swy1.anthropic-messages.c2ln",
        },
        {
          type: "message",
          id: "msg_msg_01XYZ_1",
          status: "completed",
          role: "assistant",
          content: [
            { type: "output_text", text: "Patching now.", annotations: [{ type: "url_citation", url: "https://a.example", title: "A", start_index: 0, end_index: 8 }] },
          ],
        },
        { type: "custom_tool_call", id: "ctc_msg_01XYZ_2", call_id: "toolu_1", name: "apply_patch", input: "*** Begin Patch" },
        {
          type: "function_call",
          id: "fc_msg_01XYZ_3",
          call_id: `call_g__ts__${Buffer.from("ts").toString("base64url")}`,
          name: "send",
          namespace: "collab",
          arguments: '{"to":"ana"}',
          status: "completed",
        },
      ],
      usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 },
    });
    expect(warnings).toEqual([]);
  });

  it("is read back by decodeRequest as the same calls (the client's next turn)", () => {
    const output = codec.encodeResponse(response, { request, now: () => 0 }).value["output"] as unknown[];
    const next = codec.decodeRequest({ model: "gpt-5", input: output }).value;
    expect(next.messages[0]?.content).toMatchObject([
      { type: "reasoning", text: "Let me patch.", signature: "c2ln", origin: { protocol: "anthropic-messages" } },
      { type: "text", text: "Patching now." },
      { type: "tool-call", id: "toolu_1", name: "apply_patch", arguments: "*** Begin Patch", kind: "custom" },
      { type: "tool-call", id: "call_g", name: "collab__send", signature: "ts", signatureOrigin: { protocol: "gemini" } },
    ]);
  });

  it("marks generated message items incomplete when the response was cut short", () => {
    const cut: UnifiedResponse = { id: "resp_9", model: "m", output: [{ type: "text", text: "partial" }], finishReason: { unified: "length", raw: "length" } };
    const value = codec.encodeResponse(cut, { now: () => 5_000 }).value;
    expect(value["created_at"]).toBe(5);
    expect(value["output"]).toEqual([{ type: "message", id: "msg_9_0", status: "incomplete", role: "assistant", content: [{ type: "output_text", text: "partial", annotations: [] }] }]);
  });

  it("drops what Responses cannot show, with warnings", () => {
    const { value, warnings } = codec.encodeResponse(
      {
        id: "r",
        model: "m",
        output: [
          { type: "native", protocol: "anthropic-messages", value: { type: "server_tool_use" } },
          { type: "image", source: { kind: "url", url: "https://x" } },
        ],
        finishReason: { unified: "stop", raw: "stop" },
      },
      { now: () => 0 },
    );
    expect(value["output"]).toEqual([]);
    expect(warnings.map((warning) => warning.code)).toEqual(["native-part-dropped", "output-image-dropped"]);
  });
});

describe("decodeResponse", () => {
  it("keeps unknown output items verbatim and refusals as refusals", () => {
    const body = responseBody({
      output: [
        { type: "mcp_call", id: "mcp_1", server_label: "x", name: "y", arguments: "{}", output: "z" },
        { type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "refusal", refusal: "I can't help with that." }] },
      ],
    });
    const decoded = codec.decodeResponse(body).value;
    expect(decoded.output.map((part) => part.type)).toEqual(["native", "refusal"]);
    expect(codec.encodeResponse(decoded).value).toEqual(body);
  });

  it("turns an error body into its GatewayError and a broken body into upstream_server", () => {
    const codeOf = (body: unknown): string => {
      try {
        codec.decodeResponse(body);
        return "none";
      } catch (error) {
        return GatewayError.isInstance(error) ? error.code : "not a GatewayError";
      }
    };
    expect(codeOf({ error: { message: "slow down", type: "requests", code: "rate_limit_exceeded" } })).toBe("rate_limited");
    expect(codeOf({ error: { message: "busy", type: "server_error", code: "server_is_overloaded" } })).toBe("overloaded");
    expect(codeOf("nope")).toBe("upstream_server");
    expect(codeOf({ id: "r", output: [{ type: "function_call", name: "f" }] })).toBe("upstream_server");
  });
});

describe("encodeError", () => {
  it("writes OpenAI's error shape with the param path", () => {
    const error = new GatewayError("invalid_request", "input[0].role: expected one of …", { path: "input[0].role" });
    expect(codec.encodeError(error)).toEqual({
      status: 400,
      body: { error: { message: "input[0].role: expected one of …", type: "invalid_request_error", param: "input[0].role", code: null } },
    });
  });

  it("sets retry-after headers and the rate-limit code Codex reads", () => {
    expect(codec.encodeError(new GatewayError("rate_limited", "Rate limit reached", { retryAfterMs: 1500 }))).toEqual({
      status: 429,
      body: { error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" } },
      headers: { "retry-after": "2", "retry-after-ms": "1500" },
    });
  });

  it("maps quota, overload and unsupported features", () => {
    const body = (code: ConstructorParameters<typeof GatewayError>[0]) => (codec.encodeError(new GatewayError(code, "m")).body as { error: unknown }).error;
    expect(body("quota_exhausted")).toEqual({ message: "m", type: "insufficient_quota", param: null, code: "insufficient_quota" });
    expect(body("overloaded")).toEqual({ message: "m", type: "server_error", param: null, code: "server_is_overloaded" });
    expect(body("unsupported_feature")).toEqual({ message: "m", type: "invalid_request_error", param: null, code: "unsupported_parameter" });
    expect(codec.encodeError(new GatewayError("overloaded", "m")).status).toBe(503);
  });
});
