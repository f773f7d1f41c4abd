import { describe, expect, it } from "vitest";
import { embedSignatureInToolCallId, type UnifiedRequest } from "../../unified/index.js";
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

describe("encodeRequest: tools, tool choice and tool calls", () => {
  it("degrades forced tool choice to auto while thinking is on", () => {
    const result = encode(
      chatRequest({
        reasoning: { budgetTokens: 4000 },
        generation: { maxOutputTokens: 8000 },
        tools: [{ type: "function", name: "f", parameters: { type: "object" } }],
        toolChoice: { type: "tool", name: "f" },
        parallelToolCalls: true,
      }),
    );
    expect(result.value["thinking"]).toEqual({ type: "enabled", budget_tokens: 4000 });
    expect(result.value["tool_choice"]).toEqual({ type: "auto", disable_parallel_tool_use: false });
    expect(result.warnings).toEqual([
      { code: "tool-choice-degraded", message: 'Anthropic does not allow forced tool use with thinking; tool_choice "f" was sent as "auto"', path: "tool_choice" },
    ]);
  });

  it("degrades a forced tool choice with thinking also for requests that came as Anthropic", () => {
    const body = {
      model: "claude-opus-4-1",
      max_tokens: 8000,
      messages: [{ role: "user", content: "q" }],
      thinking: { type: "enabled", budget_tokens: 2000 },
      tools: [{ name: "f", input_schema: { type: "object" } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
    };
    const result = encode(anthropicMessagesCodec.decodeRequest(body).value);
    expect(result.value).toEqual({ ...body, tool_choice: { type: "auto", disable_parallel_tool_use: true } });
    expect(result.warnings.map((warning) => warning.code)).toEqual(["tool-choice-degraded"]);
  });

  it("embeds a Gemini thought signature in the tool-call id, and uses the same id for the result", () => {
    const result = encode(
      chatRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "tool-call", id: "call_7", name: "f", arguments: "{}", kind: "function", signature: "tsig", signatureOrigin: { protocol: "gemini" } }] },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "call_7", content: [{ type: "text", text: "r" }] }] },
        ],
      }),
    );
    const id = embedSignatureInToolCallId("call_7", "tsig");
    expect((result.value["messages"] as unknown[]).slice(1)).toEqual([
      { role: "assistant", content: [{ type: "tool_use", id, name: "f", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "r" }] },
    ]);
  });

  it("sends custom, namespaced and foreign native tools the Anthropic way", () => {
    const result = encode(
      chatRequest({
        sourceProtocol: "openai-responses",
        tools: [
          { type: "custom", name: "apply_patch", description: "Patch files", format: { type: "grammar", syntax: "lark", definition: "start: /.+/" } },
          { type: "function", name: "read", namespace: "fs", parameters: { type: "object" }, strict: true },
          { type: "function", name: "list", parameters: { properties: {} } },
          { type: "function", name: "count", parameters: { type: "integer" } },
          { type: "native", protocol: "openai-responses", name: "web_search", value: { type: "web_search" } },
        ],
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "tool-call", id: "ctc_1", name: "apply_patch", arguments: "*** Begin Patch", kind: "custom" }] },
        ],
      }),
    );
    expect(result.value["tools"]).toEqual([
      {
        name: "apply_patch",
        description: "Patch files\n\nInput must follow this lark grammar:\nstart: /.+/",
        input_schema: {
          type: "object",
          properties: { input: { type: "string", description: "The raw input for this tool." } },
          required: ["input"],
          additionalProperties: false,
        },
      },
      { name: "fs__read", input_schema: { type: "object" }, strict: true },
      { name: "list", input_schema: { type: "object", properties: {} } },
      { name: "count", input_schema: { type: "object", properties: { value: { type: "integer" } }, required: ["value"] } },
    ]);
    expect((result.value["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "ctc_1", name: "apply_patch", input: { input: "*** Begin Patch" } }],
    });
    expect(result.warnings.map((warning) => warning.code)).toEqual(["tool-schema-adjusted", "tool-schema-wrapped", "native-tool-dropped"]);
  });

  it("invalid tool arguments are sent as {} with a warning, stream and cache hints are written", () => {
    const result = encode(
      chatRequest({
        stream: true,
        cacheControl: { type: "ephemeral" },
        messages: [{ role: "assistant", content: [{ type: "tool-call", id: "c1", name: "f", arguments: '{"a":', kind: "function" }] }],
      }),
    );
    expect(result.value["messages"]).toEqual([{ role: "assistant", content: [{ type: "tool_use", id: "c1", name: "f", input: {} }] }]);
    expect(result.value["stream"]).toBe(true);
    expect(result.value["cache_control"]).toEqual({ type: "ephemeral" });
    expect(result.warnings.map((warning) => warning.code)).toEqual(["tool-arguments-invalid"]);
  });
});
