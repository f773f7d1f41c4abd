import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError, type UnifiedRequest } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

const claudeCodeRequest = JSON.parse(
  readFileSync(new URL("./__fixtures__/claude-code-tool-turn.request.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

function decode(body: unknown): UnifiedRequest {
  return anthropicMessagesCodec.decodeRequest(body).value;
}

function roundTrip(body: Record<string, unknown>): Record<string, unknown> {
  return anthropicMessagesCodec.encodeRequest(decode(body)).value;
}

function decodeError(body: unknown): GatewayError {
  try {
    anthropicMessagesCodec.decodeRequest(body);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw new Error(`expected a GatewayError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected decodeRequest to throw");
}

const base = { model: "claude-sonnet-4-5", max_tokens: 1024 };

describe("decodeRequest: structural errors name the path", () => {
  const cases: Array<[string, unknown, string]> = [
    ["body is null", null, ""],
    ["body is an array", [], ""],
    ["model missing", { max_tokens: 1, messages: [] }, "model"],
    ["max_tokens missing", { model: "m", messages: [] }, "max_tokens"],
    ["max_tokens a string", { model: "m", max_tokens: "8", messages: [] }, "max_tokens"],
    ["messages missing", { ...base }, "messages"],
    ["messages an object", { ...base, messages: {} }, "messages"],
    ["message not an object", { ...base, messages: [null] }, "messages[0]"],
    ["unknown role", { ...base, messages: [{ role: "tool", content: "x" }] }, "messages[0].role"],
    ["content missing", { ...base, messages: [{ role: "user" }] }, "messages[0].content"],
    ["content a number", { ...base, messages: [{ role: "user", content: 3 }] }, "messages[0].content"],
    ["block without type", { ...base, messages: [{ role: "user", content: [{ type: "text", text: "a" }, { text: "b" }] }] }, "messages[0].content[1].type"],
    ["block type not a string", { ...base, messages: [{ role: "user", content: [{ type: 7 }] }] }, "messages[0].content[0].type"],
    ["text not a string", { ...base, messages: [{ role: "user", content: [{ type: "text", text: null }] }] }, "messages[0].content[0].text"],
    ["image without source", { ...base, messages: [{ role: "user", content: [{ type: "image" }] }] }, "messages[0].content[0].source"],
    ["base64 image without data", { ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png" } }] }] }, "messages[0].content[0].source.data"],
    ["tool_use without input", { ...base, messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "n" }] }] }, "messages[0].content[0].input"],
    ["tool_result content a number", { ...base, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: 1 }] }] }, "messages[0].content[0].content"],
    ["tool_result inner block bad", { ...base, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text" }] }] }] }, "messages[0].content[0].content[0].text"],
    ["is_error not a boolean", { ...base, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: "yes" }] }] }, "messages[0].content[0].is_error"],
    ["cache_control a string", { ...base, messages: [{ role: "user", content: [{ type: "text", text: "a", cache_control: "ephemeral" }] }] }, "messages[0].content[0].cache_control"],
    ["system a number", { ...base, messages: [], system: 1 }, "system"],
    ["system block not text", { ...base, messages: [], system: [{ type: "image" }] }, "system[0].type"],
    ["tools not an array", { ...base, messages: [], tools: {} }, "tools"],
    ["custom tool without schema", { ...base, messages: [], tools: [{ name: "a" }] }, "tools[0].input_schema"],
    ["tool schema not an object", { ...base, messages: [], tools: [{ name: "a", input_schema: "object" }] }, "tools[0].input_schema"],
    ["tool_choice unknown type", { ...base, messages: [], tool_choice: { type: "required" } }, "tool_choice.type"],
    ["tool_choice tool without name", { ...base, messages: [], tool_choice: { type: "tool" } }, "tool_choice.name"],
    ["thinking without type", { ...base, messages: [], thinking: {} }, "thinking.type"],
    ["budget_tokens a string", { ...base, messages: [], thinking: { type: "enabled", budget_tokens: "2k" } }, "thinking.budget_tokens"],
    ["stop_sequences entry", { ...base, messages: [], stop_sequences: ["a", 2] }, "stop_sequences[1]"],
    ["stream not a boolean", { ...base, messages: [], stream: "true" }, "stream"],
    ["metadata.user_id a number", { ...base, messages: [], metadata: { user_id: 1 } }, "metadata.user_id"],
  ];
  for (const [name, body, path] of cases) {
    it(name, () => {
      const error = decodeError(body);
      expect(error.code).toBe("invalid_request");
      expect(error.httpStatus).toBe(400);
      expect(error.path).toBe(path);
    });
  }

  it("puts the path in the message", () => {
    expect(decodeError({ ...base, messages: [{ role: "user", content: [{ type: 1 }] }] }).message).toBe(
      "messages[0].content[0].type: expected a string, got a number",
    );
  });
});

describe("decodeRequest: Claude Code's tool turn", () => {
  const request = decode(claudeCodeRequest);

  it("re-encodes byte-for-byte equal (parsed JSON)", () => {
    const encoded = anthropicMessagesCodec.encodeRequest(request);
    expect(encoded.value).toEqual(claudeCodeRequest);
    expect(encoded.warnings).toEqual([]);
  });

  it("keeps the in-conversation system message in place", () => {
    expect(request.messages.map((message) => message.role)).toEqual(["user", "system", "assistant", "user"]);
    expect(request.messages[1]?.content).toEqual([
      { type: "text", text: "<system-reminder>The ToolSearch tool can load deferred tools.</system-reminder>" },
    ]);
  });

  it("keeps the three system blocks with their cache breakpoints", () => {
    expect(request.system).toEqual([
      {
        role: "system",
        parts: [
          { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.0; cc_entrypoint=cli" },
          { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude.", cacheControl: { type: "ephemeral" } },
          { type: "text", text: "You are an interactive CLI tool that helps users with software engineering tasks.", cacheControl: { type: "ephemeral", ttl: "1h" } },
        ],
      },
    ]);
  });

  it("decodes thinking with its signature and origin, and tool calls with JSON arguments", () => {
    expect(request.messages[2]?.content).toEqual([
      { type: "reasoning", text: "", signature: "EqQBCkYIBxgCKkAsignature0001", origin: { protocol: "anthropic-messages" } },
      { type: "text", text: "I'll look at both." },
      { type: "tool-call", id: "toolu_01A", name: "Bash", arguments: '{"command":"ls src","description":"List src"}', kind: "function" },
      { type: "tool-call", id: "toolu_01B", name: "Read", arguments: '{"file_path":"/repo/README.md"}', kind: "function", cacheControl: { type: "ephemeral" } },
    ]);
  });

  it("decodes tool results: string content, media as parts, is_error, cache_control, unknown inner blocks kept in place", () => {
    expect(request.messages[3]?.content).toEqual([
      {
        type: "tool-result",
        toolCallId: "toolu_01A",
        name: "Bash",
        content: [{ type: "text", text: "index.ts\nprotocols" }],
        isError: false,
        extensions: { "anthropic-messages": { $contentForm: "string" } },
      },
      {
        type: "tool-result",
        toolCallId: "toolu_01B",
        name: "Read",
        content: [
          { type: "text", text: "# Switchyard" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
        ],
        isError: true,
        cacheControl: { type: "ephemeral" },
        extensions: {
          "anthropic-messages": { $contentForm: "blocks", $nativeContent: [{ index: 2, value: { type: "tool_reference", tool_name: "WebFetch" } }] },
        },
      },
      { type: "text", text: "<system-reminder>Files changed.</system-reminder>" },
    ]);
  });

  it("decodes tools: schemas as written, defer_loading kept, server tools native", () => {
    expect(request.tools?.[1]).toEqual({
      type: "function",
      name: "Read",
      description: "Reads a file.",
      parameters: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: { file_path: { type: "string" } },
        required: ["file_path"],
        additionalProperties: false,
      },
      cacheControl: { type: "ephemeral" },
    });
    expect(request.tools?.[2]?.type === "function" && request.tools[2].extensions).toEqual({ "anthropic-messages": { defer_loading: true } });
    expect(request.tools?.[3]).toEqual({
      type: "native",
      protocol: "anthropic-messages",
      name: "web_search",
      value: { type: "web_search_20250305", name: "web_search", max_uses: 5 },
    });
  });

  it("maps tool choice, parallel flag, reasoning, metadata and keeps unknown top-level fields", () => {
    expect(request.toolChoice).toEqual({ type: "auto" });
    expect(request.parallelToolCalls).toBe(true);
    expect(request.reasoning).toEqual({ enabled: true, adaptive: true, includeThoughts: false, effort: "high" });
    expect(request.metadata).toEqual({
      user: '{"device_id":"4f1c0d","account_uuid":"","session_id":"7d2b8f3e-1c5a-4f7e-9a61-2b0c9e4d5f11"}',
      sessionId: "7d2b8f3e-1c5a-4f7e-9a61-2b0c9e4d5f11",
    });
    expect(request.generation).toEqual({ maxOutputTokens: 64000, temperature: 1 });
    expect(request.stream).toBe(true);
    expect(request.sourceProtocol).toBe("anthropic-messages");
    const own = request.extensions?.["anthropic-messages"] ?? {};
    expect(own["context_management"]).toEqual({ edits: [{ type: "clear_thinking_20251015", keep: "all" }] });
    expect(own["safeguards"]).toEqual({ mode: "standard" });
  });
});

describe("decodeRequest: forms and fields", () => {
  it("string system and string content round-trip as strings", () => {
    const body = { ...base, system: "Be brief.", messages: [{ role: "user", content: "Hi" }] };
    const request = decode(body);
    expect(request.system).toEqual([{ role: "system", parts: [{ type: "text", text: "Be brief." }] }]);
    expect(request.messages[0]?.content).toEqual([{ type: "text", text: "Hi" }]);
    expect(roundTrip(body)).toEqual(body);
  });

  it("empty system array, stream false vs absent, and null fields survive", () => {
    const bodies = [
      { ...base, system: [], messages: [], stream: false },
      { ...base, messages: [{ role: "user", content: [{ type: "text", text: "a", citations: null, cache_control: null }] }] },
      { ...base, messages: [], metadata: {}, stop_sequences: [], top_k: 5, top_p: 0.9, container: null },
    ];
    for (const body of bodies) expect(roundTrip(body)).toEqual(body);
  });

  it("unknown fields on messages, blocks and tools survive", () => {
    const body = {
      ...base,
      messages: [
        { role: "user", content: [{ type: "text", text: "a", future_flag: 1 }], message_meta: { x: 1 } },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {}, caller: { type: "direct" } }] },
      ],
      tools: [{ type: "custom", name: "f", input_schema: { type: "object" }, input_examples: [{}], eager_input_streaming: true }],
      speed: "fast",
    };
    expect(roundTrip(body)).toEqual(body);
    const request = decode(body);
    expect(request.messages[0]?.extensions).toEqual({ "anthropic-messages": { message_meta: { x: 1 } } });
    expect(request.messages[0]?.content[0]).toEqual({ type: "text", text: "a", extensions: { "anthropic-messages": { future_flag: 1 } } });
  });

  it("unknown block types are kept verbatim as native parts, never rejected", () => {
    const serverToolUse = { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } };
    const result = { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] };
    const future = { type: "hologram", frames: [1, 2] };
    const body = { ...base, messages: [{ role: "assistant", content: [serverToolUse, result, future] }] };
    expect(decode(body).messages[0]?.content).toEqual([
      { type: "native", protocol: "anthropic-messages", value: serverToolUse },
      { type: "native", protocol: "anthropic-messages", value: result },
      { type: "native", protocol: "anthropic-messages", value: future },
    ]);
    expect(roundTrip(body)).toEqual(body);
  });

  it("images by url and file id, documents as base64 PDF, text, url and content sources", () => {
    const content = [
      { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
      { type: "image", source: { type: "file", file_id: "file_011" } },
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "Spec", context: "c", citations: { enabled: true } },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" }, cache_control: { type: "ephemeral" } },
      { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } },
      { type: "document", source: { type: "content", content: [{ type: "text", text: "chunk" }] } },
      { type: "image", source: { type: "future_source", ref: "x" } },
    ];
    const body = { ...base, messages: [{ role: "user", content }] };
    const parts = decode(body).messages[0]?.content ?? [];
    expect(parts[0]).toEqual({ type: "image", source: { kind: "url", url: "https://example.com/a.png" } });
    expect(parts[1]).toEqual({ type: "image", source: { kind: "file-id", fileId: "file_011" } });
    expect(parts[2]).toEqual({
      type: "file",
      source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
      title: "Spec",
      extensions: { "anthropic-messages": { context: "c", citations: { enabled: true } } },
    });
    expect(parts[3]).toEqual({
      type: "file",
      source: { kind: "base64", mediaType: "text/plain", data: Buffer.from("héllo").toString("base64") },
      cacheControl: { type: "ephemeral" },
      extensions: { "anthropic-messages": { $textSource: true } },
    });
    expect(parts[5]).toEqual({ type: "native", protocol: "anthropic-messages", value: content[5] });
    expect(parts[6]).toEqual({ type: "native", protocol: "anthropic-messages", value: content[6] });
    expect(roundTrip(body)).toEqual(body);
  });

  it("redacted thinking and thinking carry their artefacts with origin; an empty signature counts as none", () => {
    const body = {
      ...base,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "redacted_thinking", data: "EmwKAhgBEgy" },
            { type: "thinking", thinking: "hmm", signature: "" },
            { type: "thinking", thinking: "tagged", signature: "swy1.gemini.c2lnbmF0dXJl" },
          ],
        },
      ],
    };
    expect(decode(body).messages[0]?.content).toEqual([
      { type: "reasoning", text: "", redactedData: "EmwKAhgBEgy", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning", text: "hmm" },
      { type: "reasoning", text: "tagged", signature: "c2lnbmF0dXJl", origin: { protocol: "gemini" } },
    ]);
  });

  it("splits a Gemini thought signature out of tool-call and tool-result ids", () => {
    const id = "call_1__ts__" + Buffer.from("sig-bytes").toString("base64url");
    const body = {
      ...base,
      messages: [
        { role: "assistant", content: [{ type: "tool_use", id, name: "f", input: { a: 1 } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "ok" }] },
      ],
    };
    const request = decode(body);
    expect(request.messages[0]?.content[0]).toEqual({
      type: "tool-call",
      id: "call_1",
      name: "f",
      arguments: '{"a":1}',
      kind: "function",
      signature: "sig-bytes",
      signatureOrigin: { protocol: "gemini" },
    });
    expect(request.messages[1]?.content[0]).toMatchObject({ type: "tool-result", toolCallId: "call_1", name: "f" });
    // The embedded id is rebuilt identically for both the call and its result.
    expect(roundTrip(body)).toEqual(body);
  });

  it("tool_choice forms and disable_parallel_tool_use both ways", () => {
    const forms: Array<[unknown, unknown, boolean | undefined]> = [
      [{ type: "auto" }, { type: "auto" }, undefined],
      [{ type: "any" }, { type: "required" }, undefined],
      [{ type: "none" }, { type: "none" }, undefined],
      [{ type: "tool", name: "f" }, { type: "tool", name: "f" }, undefined],
      [{ type: "any", disable_parallel_tool_use: true }, { type: "required" }, false],
      [{ type: "tool", name: "f", disable_parallel_tool_use: false }, { type: "tool", name: "f" }, true],
    ];
    for (const [wire, toolChoice, parallel] of forms) {
      const body = { ...base, messages: [], tools: [{ name: "f", input_schema: { type: "object" } }], tool_choice: wire };
      const request = decode(body);
      expect(request.toolChoice).toEqual(toolChoice);
      expect(request.parallelToolCalls).toBe(parallel);
      expect(roundTrip(body)).toEqual(body);
    }
  });

  it("thinking modes, effort and output formats", () => {
    const bodies: Array<[Record<string, unknown>, unknown, unknown]> = [
      [{ thinking: { type: "enabled", budget_tokens: 2048 } }, { enabled: true, budgetTokens: 2048 }, undefined],
      [{ thinking: { type: "disabled" } }, { enabled: false }, undefined],
      [{ thinking: { type: "adaptive" }, output_config: { effort: "max" } }, { enabled: true, adaptive: true, effort: "max" }, undefined],
      [{ thinking: { type: "adaptive", display: "summarized" } }, { enabled: true, adaptive: true, includeThoughts: true }, undefined],
      [{ thinking: { type: "quantum", depth: 3 } }, undefined, undefined],
      [{ output_config: { effort: "ultra" } }, undefined, undefined],
      [
        { output_config: { format: { type: "json_schema", schema: { type: "object" } } } },
        undefined,
        { type: "json_schema", schema: { type: "object" } },
      ],
      [{ output_format: { type: "json_schema", schema: { type: "object" }, name: "x" } }, undefined, { type: "json_schema", schema: { type: "object" } }],
    ];
    for (const [fields, reasoning, responseFormat] of bodies) {
      const body = { ...base, messages: [], ...fields };
      const request = decode(body);
      expect(request.reasoning).toEqual(reasoning);
      expect(request.responseFormat).toEqual(responseFormat);
      expect(roundTrip(body)).toEqual(body);
    }
  });

  it("legacy Claude Code user_id gives the session id", () => {
    const userId = "user_0f3a_account_2c6b5a3e-0000-4000-8000-000000000001_session_9b1e4c2d-1111-4222-8333-444455556666";
    expect(decode({ ...base, messages: [], metadata: { user_id: userId } }).metadata).toEqual({
      user: userId,
      sessionId: "9b1e4c2d-1111-4222-8333-444455556666",
    });
  });

  it("top-level cache_control (automatic caching) maps to the request cache hint", () => {
    const body = { ...base, messages: [], cache_control: { type: "ephemeral", ttl: "5m" } };
    expect(decode(body).cacheControl).toEqual({ type: "ephemeral", ttl: "5m" });
    expect(roundTrip(body)).toEqual(body);
  });

  it("never throws anything but invalid_request on mutated bodies", () => {
    const mutations: unknown[] = [
      undefined,
      "text",
      42,
      { ...claudeCodeRequest, messages: [{ role: "user", content: [null] }] },
      { ...claudeCodeRequest, tools: [null] },
      { ...claudeCodeRequest, system: [null] },
      { ...claudeCodeRequest, thinking: "adaptive" },
      { ...claudeCodeRequest, output_config: [] },
      { ...claudeCodeRequest, tool_choice: "auto" },
      { ...claudeCodeRequest, metadata: "x" },
      { ...claudeCodeRequest, messages: [{ role: "assistant", content: [{ type: "thinking", thinking: "a", signature: 5 }] }] },
      { ...claudeCodeRequest, messages: [{ role: "user", content: [{ type: "document", source: null }] }] },
    ];
    for (const body of mutations) expect(decodeError(body).code).toBe("invalid_request");
  });
});
