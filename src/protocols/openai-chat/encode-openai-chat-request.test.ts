import { describe, expect, it } from "vitest";
import { embedSignatureInToolCallId, type UnifiedRequest } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/** A request as another protocol's decoder (Anthropic, Gemini, Responses) would hand it over. */
function foreign(extra: Partial<UnifiedRequest>): UnifiedRequest {
  return { model: "gpt-5", system: [], messages: [], generation: {}, stream: false, sourceProtocol: "anthropic-messages", ...extra };
}

function encode(request: UnifiedRequest) {
  return openAiChatCodec.encodeRequest(request);
}

describe("encodeOpenAiChatRequest from other protocols", () => {
  it("hoists top-level instructions into leading system/developer messages and uses max_completion_tokens", () => {
    const { value, warnings } = encode(
      foreign({
        system: [
          { role: "system", parts: [{ type: "text", text: "You are terse." }] },
          { role: "developer", parts: [{ type: "text", text: "A" }, { type: "text", text: "B" }] },
        ],
        messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
        generation: { maxOutputTokens: 1024, stop: ["END"], topK: 40 },
      }),
    );
    expect(value).toEqual({
      model: "gpt-5",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: [{ type: "text", text: "A" }, { type: "text", text: "B" }] },
        { role: "user", content: "Hi" },
      ],
      stream: false,
      max_completion_tokens: 1024,
      stop: ["END"],
    });
    expect(warnings).toEqual([{ code: "top-k-dropped", message: "Chat Completions has no top_k", path: "generation.topK" }]);
  });

  it("splits a user turn holding several tool results into tool messages, then the rest as a user message", () => {
    const { value, warnings } = encode(
      foreign({
        messages: [
          {
            role: "assistant",
            content: [
              { type: "text", text: "Checking both." },
              { type: "tool-call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" },
              { type: "tool-call", id: "toolu_2", name: "get_weather", arguments: '{"city":"Oslo"}', kind: "function" },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool-result", toolCallId: "toolu_1", content: [{ type: "text", text: "18 C" }] },
              {
                type: "tool-result",
                toolCallId: "toolu_2",
                isError: true,
                content: [
                  { type: "text", text: "radar:" },
                  { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
                ],
              },
              { type: "text", text: "Compare them." },
            ],
          },
        ],
      }),
    );
    expect(value["messages"]).toEqual([
      {
        role: "assistant",
        content: "Checking both.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18 C" },
      { role: "tool", tool_call_id: "toolu_2", content: "radar:" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } }, { type: "text", text: "Compare them." }] },
    ]);
    expect(warnings.map((warning) => warning.code)).toEqual(["tool-result-error-flag-dropped", "tool-result-media-moved"]);
  });

  it("embeds a Gemini thought signature in the tool-call id and uses the same id for its result", () => {
    const embedded = embedSignatureInToolCallId("call_g1", "sig-bytes");
    const { value } = encode(
      foreign({
        sourceProtocol: "gemini",
        messages: [
          {
            role: "assistant",
            content: [{ type: "tool-call", id: "call_g1", name: "f", arguments: "{}", kind: "function", signature: "sig-bytes", signatureOrigin: { protocol: "gemini" } }],
          },
          { role: "user", content: [{ type: "tool-result", toolCallId: "call_g1", name: "f", content: [{ type: "text", text: "done" }] }] },
        ],
      }),
    );
    expect(value["messages"]).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: embedded, type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: embedded, content: "done" },
    ]);
  });

  it("replays own-origin reasoning and drops another provider's reasoning with a warning", () => {
    const { value, warnings } = encode(
      foreign({
        sourceProtocol: "openai-chat",
        messages: [
          {
            role: "assistant",
            content: [
              { type: "reasoning", text: "Anthropic thinking", signature: "EqQB", origin: { protocol: "anthropic-messages" } },
              { type: "reasoning", text: "DeepSeek reasoning" },
              { type: "reasoning", text: "signed here", signature: "or-sig", origin: { protocol: "openai-chat" } },
              { type: "text", text: "Answer" },
            ],
          },
        ],
      }),
    );
    expect(value["messages"]).toEqual([
      {
        role: "assistant",
        content: "Answer",
        reasoning_content: "DeepSeek reasoningsigned here",
        reasoning_details: [
          { type: "reasoning.text", text: "DeepSeek reasoning", format: "unknown" },
          { type: "reasoning.text", text: "signed here", signature: "or-sig", format: "unknown" },
        ],
      },
    ]);
    expect(warnings).toEqual([{ code: "reasoning-artefact-dropped", message: "reasoning from anthropic-messages is not sent to a Chat upstream", path: "messages[0].content[0]" }]);
  });

  it("drops unsigned reasoning that arrived in another protocol (a Gemini thought) rather than pass it off as Chat's", () => {
    const { value, warnings } = encode(
      foreign({ sourceProtocol: "gemini", messages: [{ role: "assistant", content: [{ type: "reasoning", text: "thought" }, { type: "text", text: "A" }] }] }),
    );
    expect(value["messages"]).toEqual([{ role: "assistant", content: "A" }]);
    expect(warnings).toEqual([{ code: "reasoning-artefact-dropped", message: "reasoning from gemini is not sent to a Chat upstream", path: "messages[0].content[0]" }]);
  });

  it("warns about tool names over OpenAI's 64 characters without renaming them", () => {
    const name = "n".repeat(40);
    const { value, warnings } = encode(foreign({ tools: [{ type: "function", name, namespace: "mcp_server_with_long_name", parameters: {} }] }));
    expect((value["tools"] as Array<{ function: { name: string } }>)[0]?.function.name).toBe(`mcp_server_with_long_name__${name}`);
    expect(warnings.map((warning) => warning.code)).toEqual(["tool-name-too-long"]);
  });

  it("maps a thinking budget to reasoning_effort through the table and reports it", () => {
    const { value, warnings } = encode(foreign({ reasoning: { budgetTokens: 10_000 }, messages: [] }));
    expect(value["reasoning_effort"]).toBe("medium");
    expect(warnings).toEqual([{ code: "reasoning-effort-mapped", message: 'thinking budget 10000 sent as reasoning_effort "medium"', path: "reasoning.budgetTokens" }]);
    const max = encode(foreign({ reasoning: { effort: "max" } }));
    expect(max.value["reasoning_effort"]).toBe("xhigh");
    expect(max.warnings.map((warning) => warning.code)).toEqual(["reasoning-effort-mapped"]);
  });

  it("asks for streamed usage on behalf of clients of other protocols, n and parallel calls carried", () => {
    const { value } = encode(foreign({ stream: true, generation: { n: 3 }, parallelToolCalls: false }));
    expect(value).toEqual({ model: "gpt-5", messages: [], stream: true, stream_options: { include_usage: true }, n: 3, parallel_tool_calls: false });
  });

  it("writes tools, a custom tool choice, response format, and drops what Chat cannot carry", () => {
    const { value, warnings } = encode(
      foreign({
        sourceProtocol: "openai-responses",
        tools: [
          { type: "function", name: "read", namespace: "fs", parameters: { type: "object" }, strict: true },
          { type: "custom", name: "apply_patch", description: "Patch files", format: { type: "grammar", grammar: { syntax: "lark", definition: "start: /.+/" } } },
          { type: "native", protocol: "openai-responses", name: "web_search", value: { type: "web_search" } },
        ],
        toolChoice: { type: "tool", name: "apply_patch" },
        responseFormat: { type: "json_schema", schema: { type: "object" }, strict: true },
        cacheControl: { type: "ephemeral" },
      }),
    );
    expect(value["tools"]).toEqual([
      { type: "function", function: { name: "fs__read", parameters: { type: "object" }, strict: true } },
      { type: "custom", custom: { name: "apply_patch", description: "Patch files", format: { type: "grammar", grammar: { syntax: "lark", definition: "start: /.+/" } } } },
    ]);
    expect(value["tool_choice"]).toEqual({ type: "custom", custom: { name: "apply_patch" } });
    expect(value["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "response", schema: { type: "object" }, strict: true } });
    expect(warnings.map((warning) => warning.code)).toEqual(["native-tool-dropped", "cache-control-dropped"]);
  });

  it("drops cache_control from another protocol but keeps a Chat client's own", () => {
    const part = { type: "text" as const, text: "Long prefix", cacheControl: { type: "ephemeral" as const } };
    const fromAnthropic = encode(foreign({ messages: [{ role: "user", content: [part] }] }));
    expect(fromAnthropic.value["messages"]).toEqual([{ role: "user", content: "Long prefix" }]);
    expect(fromAnthropic.warnings.map((warning) => warning.code)).toEqual(["cache-control-dropped"]);
    const fromChat = encode(foreign({ sourceProtocol: "openai-chat", messages: [{ role: "user", content: [part] }] }));
    expect(fromChat.value["messages"]).toEqual([{ role: "user", content: [{ type: "text", text: "Long prefix", cache_control: { type: "ephemeral" } }] }]);
  });
});
