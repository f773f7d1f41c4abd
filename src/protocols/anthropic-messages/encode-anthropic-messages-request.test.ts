import { describe, expect, it } from "vitest";
import { GatewayError, type UnifiedRequest } from "../../unified/index.js";
import { chooseAnthropicMessagesMaxTokens } from "./encode-anthropic-messages-thinking.js";
import { anthropicMessagesCodec } from "./index.js";

/** A request as another protocol's decoder would produce it. */
function chatRequest(fields: Partial<UnifiedRequest>): UnifiedRequest {
  return {
    model: "claude-sonnet-4-5",
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    generation: { maxOutputTokens: 1000 },
    stream: false,
    sourceProtocol: "openai-chat",
    ...fields,
  };
}

function encode(request: UnifiedRequest) {
  return anthropicMessagesCodec.encodeRequest(request);
}

describe("encodeRequest from other protocols", () => {
  it("writes a minimal body with string content", () => {
    expect(encode(chatRequest({})).value).toEqual({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 1000,
      stream: false,
    });
  });

  it("chooses max_tokens when the request has none, and warns", () => {
    const cases: Array<[string, number]> = [
      ["claude-sonnet-4-5", 32000],
      ["claude-opus-4-1-20250805", 32000],
      ["claude-3-7-sonnet-latest", 32000],
      ["claude-3-5-haiku-latest", 8192],
      ["claude-3-opus-20240229", 4096],
      ["deepseek-chat", 4096],
    ];
    for (const [model, maxTokens] of cases) {
      const result = encode(chatRequest({ model, generation: {} }));
      expect(result.value["max_tokens"]).toBe(maxTokens);
      expect(result.warnings).toEqual([
        {
          code: "max-tokens-defaulted",
          message: `the request had no output token limit; max_tokens ${maxTokens} was sent (Anthropic requires one)`,
          path: "max_tokens",
        },
      ]);
    }
    expect(chooseAnthropicMessagesMaxTokens("claude-3-5-sonnet", 10000)).toBe(14096);
  });

  it("rejects n > 1 with unsupported_feature", () => {
    let caught: unknown;
    try {
      encode(chatRequest({ generation: { maxOutputTokens: 10, n: 2 } }));
    } catch (error) {
      caught = error;
    }
    expect(GatewayError.isInstance(caught) && caught.code).toBe("unsupported_feature");
    expect(encode(chatRequest({ generation: { maxOutputTokens: 10, n: 1 } })).warnings).toEqual([]);
  });

  it("hoists leading system and developer messages into system, sends later ones as mid-conversation system messages", () => {
    const result = encode(
      chatRequest({
        messages: [
          { role: "system", content: [{ type: "text", text: "Be brief." }] },
          { role: "developer", content: [{ type: "text", text: "Use tools." }] },
          { role: "user", content: [{ type: "text", text: "Hi" }] },
          { role: "system", content: [{ type: "text", text: "Now be verbose." }] },
          { role: "assistant", content: [{ type: "text", text: "OK" }] },
        ],
      }),
    );
    expect(result.value["system"]).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Use tools." },
    ]);
    expect(result.value["messages"]).toEqual([
      { role: "user", content: "Hi" },
      { role: "system", content: "Now be verbose." },
      { role: "assistant", content: "OK" },
    ]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(["system-message-in-conversation"]);
  });

  it("a single plain system text becomes a string", () => {
    const result = encode(chatRequest({ system: [{ role: "system", parts: [{ type: "text", text: "S" }] }] }));
    expect(result.value["system"]).toBe("S");
  });

  it("tool messages become one user message of tool results, followed by the user's text", () => {
    const result = encode(
      chatRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
          {
            role: "assistant",
            content: [
              { type: "text", text: "" },
              { type: "tool-call", id: "call_a", name: "weather", arguments: '{"city":"Paris"}', kind: "function" },
              { type: "tool-call", id: "call.b", name: "weather", arguments: '{"city":"Rome"}', kind: "function" },
            ],
          },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "call_a", content: [{ type: "text", text: "18C" }] }] },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "call.b", content: [{ type: "text", text: "24C" }], isError: false }] },
          { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
        ],
        parallelToolCalls: false,
        tools: [{ type: "function", name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
        toolChoice: { type: "required" },
      }),
    );
    const unsafeId = result.value["messages"] as Array<{ content: Array<{ id?: string }> }>;
    const rewrittenId = unsafeId[1]?.content[1]?.id;
    expect(rewrittenId).toMatch(/^call_b_[A-Za-z0-9]+$/);
    expect(result.value["messages"]).toEqual([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_a", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: rewrittenId, name: "weather", input: { city: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_a", content: "18C" },
          { type: "tool_result", tool_use_id: rewrittenId, content: "24C", is_error: false },
          { type: "text", text: "And tomorrow?" },
        ],
      },
    ]);
    expect(result.value["tool_choice"]).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(result.value["tools"]).toEqual([{ name: "weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }]);
    expect(result.warnings).toEqual([]);
  });


  it("maps a reasoning effort to a thinking budget from the table, and reports it", () => {
    const result = encode(chatRequest({ reasoning: { effort: "high" }, generation: { maxOutputTokens: 32000 } }));
    expect(result.value["thinking"]).toEqual({ type: "enabled", budget_tokens: 16384 });
    expect(result.warnings).toEqual([
      { code: "reasoning-effort-mapped", message: 'reasoning effort "high" was sent as thinking.budget_tokens 16384 for claude-sonnet-4-5', path: "thinking" },
    ]);
    const custom = anthropicMessagesCodec.encodeRequest(chatRequest({ reasoning: { effort: "low" }, generation: { maxOutputTokens: 8000 } }), {
      reasoningEffortTable: [{ pattern: "claude-*", mapping: { budgets: { none: 0, minimal: 1024, low: 3000, medium: 6000, high: 9000, xhigh: 12000, max: 15000 } } }],
    });
    expect(custom.value["thinking"]).toEqual({ type: "enabled", budget_tokens: 3000 });
  });

  it("keeps a mapped budget below max_tokens, and drops thinking when nothing fits", () => {
    const lowered = encode(chatRequest({ reasoning: { effort: "high" }, generation: { maxOutputTokens: 4096 } }));
    expect(lowered.value["thinking"]).toEqual({ type: "enabled", budget_tokens: 4095 });
    expect(lowered.warnings.map((warning) => warning.code)).toEqual(["reasoning-effort-mapped", "reasoning-budget-adjusted"]);
    const none = encode(chatRequest({ reasoning: { effort: "medium" }, generation: { maxOutputTokens: 500 } }));
    expect(none.value["thinking"]).toBeUndefined();
    expect(none.warnings.map((warning) => warning.code)).toEqual(["reasoning-effort-mapped", "reasoning-dropped"]);
    expect(encode(chatRequest({ reasoning: { effort: "none" } })).value["thinking"]).toBeUndefined();
    expect(encode(chatRequest({ reasoning: { enabled: false } })).value["thinking"]).toBeUndefined();
  });

  it("leaves out temperature, top_k and a low top_p while thinking is on", () => {
    const result = encode(chatRequest({ reasoning: { budgetTokens: 2000 }, generation: { maxOutputTokens: 4000, temperature: 0.2, topP: 0.5, topK: 3 } }));
    expect(result.value["temperature"]).toBeUndefined();
    expect(result.value["top_p"]).toBeUndefined();
    expect(result.value["top_k"]).toBeUndefined();
    expect(result.warnings.map((warning) => warning.path)).toEqual(["temperature", "top_p", "top_k"]);
  });

  it("maps sampling parameters, stop sequences, and warns about what Anthropic lacks", () => {
    const result = encode(
      chatRequest({
        generation: { maxOutputTokens: 10, temperature: 1.5, topP: 0.9, stop: ["END"], seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2, logprobs: true },
        promptCacheKey: "conv-1",
        metadata: { user: "u-1", sessionId: "s" },
        responseFormat: { type: "json_object" },
      }),
    );
    expect(result.value).toEqual({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 10,
      stop_sequences: ["END"],
      temperature: 1,
      top_p: 0.9,
      metadata: { user_id: "u-1" },
      stream: false,
    });
    expect(result.warnings.map((warning) => warning.code)).toEqual([
      "temperature-clamped",
      "parameter-unsupported",
      "parameter-unsupported",
      "parameter-unsupported",
      "parameter-unsupported",
      "response-format-unsupported",
      "prompt-cache-key-dropped",
    ]);
  });

  it("sends a JSON schema response format as output_config.format", () => {
    const result = encode(chatRequest({ responseFormat: { type: "json_schema", name: "recipe", schema: { type: "object", properties: {} }, strict: true } }));
    expect(result.value["output_config"]).toEqual({ format: { type: "json_schema", schema: { type: "object", properties: {} } } });
  });

  it("only replays Anthropic-made reasoning; others are dropped with a warning", () => {
    const result = encode(
      chatRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          {
            role: "assistant",
            content: [
              { type: "reasoning", text: "mine", signature: "sigA", origin: { protocol: "anthropic-messages" } },
              { type: "reasoning", text: "", redactedData: "redA", origin: { protocol: "anthropic-messages" } },
              { type: "reasoning", text: "gemini thought", signature: "sigG", origin: { protocol: "gemini" } },
              { type: "reasoning", text: "deepseek reasoning_content" },
              { type: "reasoning", text: "", encryptedContent: "enc", origin: { protocol: "openai-responses" } },
              { type: "text", text: "answer" },
            ],
          },
        ],
      }),
    );
    expect((result.value["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "mine", signature: "sigA" },
        { type: "redacted_thinking", data: "redA" },
        { type: "text", text: "answer" },
      ],
    });
    expect(result.warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ["reasoning-artefact-dropped", "messages[1].content[2]"],
      ["reasoning-artefact-dropped", "messages[1].content[3]"],
      ["reasoning-artefact-dropped", "messages[1].content[4]"],
    ]);
  });

  it("drops a message that had nothing Anthropic can carry", () => {
    const result = encode(
      chatRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "reasoning", text: "only thoughts" }] },
          { role: "user", content: [{ type: "audio", data: "AAA", format: "wav" }, { type: "text", text: "listen" }] },
        ],
      }),
    );
    expect(result.value["messages"]).toEqual([
      { role: "user", content: "q" },
      { role: "user", content: [{ type: "text", text: "listen" }] },
    ]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(["reasoning-artefact-dropped", "empty-message-dropped", "audio-dropped"]);
  });


  it("media: data URLs become base64, text files become text documents, filename becomes the title", () => {
    const result = encode(
      chatRequest({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { kind: "url", url: "data:image/jpeg;base64,/9j/4AA" }, detail: "high" },
              { type: "image", source: { kind: "url", url: "https://example.com/cat.png" } },
              { type: "file", source: { kind: "base64", mediaType: "text/markdown", data: Buffer.from("# T").toString("base64") }, filename: "notes.md" },
              { type: "file", source: { kind: "file-id", fileId: "file-abc" } },
            ],
          },
        ],
      }),
    );
    expect(result.value["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AA" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "# T" }, title: "notes.md" },
          { type: "document", source: { type: "file", file_id: "file-abc" } },
        ],
      },
    ]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(["image-detail-dropped"]);
  });

  it("tool results keep images as image blocks and flag errors", () => {
    const result = encode(
      chatRequest({
        messages: [
          { role: "assistant", content: [{ type: "tool-call", id: "c1", name: "shot", arguments: "", kind: "function" }] },
          {
            role: "tool",
            content: [
              {
                type: "tool-result",
                toolCallId: "c1",
                isError: true,
                content: [
                  { type: "text", text: "partial" },
                  { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" } },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(result.value["messages"]).toEqual([
      { role: "assistant", content: [{ type: "tool_use", id: "c1", name: "shot", input: {} }] },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "c1",
            content: [
              { type: "text", text: "partial" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } },
            ],
            is_error: true,
          },
        ],
      },
    ]);
  });

  it("another protocol's native parts and citations are dropped with a warning", () => {
    const result = encode(
      chatRequest({
        messages: [
          {
            role: "assistant",
            content: [
              { type: "native", protocol: "openai-responses", value: { type: "web_search_call" } },
              { type: "text", text: "see", citations: [{ kind: "url", url: "https://x", raw: {}, origin: "openai-responses" }] },
              { type: "refusal", text: "no" },
            ],
          },
        ],
      }),
    );
    expect(result.value["messages"]).toEqual([{ role: "assistant", content: [{ type: "text", text: "see" }, { type: "text", text: "no" }] }]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(["native-part-dropped", "citations-dropped", "refusal-as-text"]);
  });
});
