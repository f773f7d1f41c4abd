import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError, type UnifiedRequest } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/** Edge cases of request decoding and encoding, written from the Responses API reference (create a response). */

function readFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;
}

function decodeError(body: unknown): GatewayError {
  try {
    codec.decodeRequest(body);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw new Error(`not a GatewayError: ${String(error)}`, { cause: error });
  }
  throw new Error("decoded without error");
}

describe("decodeRequest: a Codex tool turn (additional_tools, namespaces, custom tools, hosted items)", () => {
  const body = readFixture("codex-lite-tool-turn.request.json");
  const { value: request, warnings } = codec.decodeRequest(body);

  it("re-encodes to the identical body", () => {
    expect(codec.encodeRequest(request).value).toEqual(body);
    expect(warnings).toEqual([]);
  });

  it("keeps system and developer items in position and merges assistant-side items into turns", () => {
    expect(request.system).toEqual([]);
    expect(request.messages.map((message) => [message.role, message.content.map((part) => part.type)])).toEqual([
      ["developer", ["native"]],
      ["developer", ["text"]],
      ["user", ["text", "image"]],
      ["assistant", ["reasoning", "text", "tool-call", "tool-call"]],
      ["tool", ["tool-result", "tool-result"]],
      ["assistant", ["tool-call"]],
      ["tool", ["tool-result"]],
      ["assistant", ["native", "native"]],
      ["user", ["native"]],
      ["user", ["text"]],
    ]);
    expect(request.messages[1]?.id).toBe("msg_dev_0001");
    expect(request.messages[2]?.content[1]).toEqual({ type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, detail: "auto" });
  });

  it("decodes reasoning, custom and namespaced calls and tool outputs", () => {
    const assistant = request.messages[3]?.content ?? [];
    expect(assistant[0]).toMatchObject({
      type: "reasoning",
      id: "rs_0001",
      text: "",
      summary: ["**Planning**\n\nRead the test first."],
      encryptedContent: "gAAAAABencryptedreasoningpayload",
      origin: { protocol: "openai-responses" },
    });
    expect(assistant[3]).toMatchObject({ type: "tool-call", id: "call_patch_1", name: "apply_patch", kind: "custom" });
    expect(request.messages[5]?.content[0]).toMatchObject({ type: "tool-call", id: "call_msg_1", name: "collab__send_message", kind: "function" });
    expect(request.messages[4]?.content[1]).toMatchObject({ type: "tool-result", toolCallId: "call_patch_1", kind: "custom", content: [{ type: "text", text: "Done!" }] });
  });

  it("puts additional_tools members into the tool list with their namespace, hosted ones stay in the item", () => {
    expect(request.tools?.map((tool) => [tool.type, tool.name, tool.type === "function" ? tool.namespace : undefined])).toEqual([
      ["function", "shell", undefined],
      ["custom", "apply_patch", undefined],
      ["native", "tool_search", undefined],
      ["native", "web_search", undefined],
      ["function", "send_message", "collab"],
      ["custom", "collab__exec", undefined],
    ]);
  });

  it("maps settings to their unified homes and keeps the rest in extensions", () => {
    expect(request.toolChoice).toEqual({ type: "auto" });
    expect(request.parallelToolCalls).toBe(true);
    expect(request.reasoning).toEqual({ effort: "medium", summary: "auto", includeThoughts: true });
    expect(request.promptCacheKey).toBe("019a-thread-uuid");
    expect(request.metadata).toEqual({ sessionId: "019a-thread-uuid" });
    expect(request.stream).toBe(true);
    expect(request.extensions?.["openai-responses"]).toEqual({
      store: false,
      include: ["reasoning.encrypted_content"],
      client_metadata: { "x-codex-turn": "3" },
      text: { verbosity: "low" },
      reasoning: { context: "all_turns" },
    });
  });
});

describe("decodeRequest: forms and fidelity", () => {
  it("takes input as a string and instructions as system, and writes both back", () => {
    const body = { model: "gpt-4.1", instructions: "Be brief.", input: "Hello" };
    const request = codec.decodeRequest(body).value;
    expect(request.system).toEqual([{ role: "system", parts: [{ type: "text", text: "Be brief." }] }]);
    expect(request.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hello" }] }]);
    expect(request.stream).toBe(false);
    expect(codec.encodeRequest(request).value).toEqual(body);
  });

  it("keeps unknown fields on the body, items, parts and tools", () => {
    const body = {
      model: "gpt-5",
      future_flag: { on: true },
      input: [{ type: "message", role: "user", flavour: "x", content: [{ type: "input_text", text: "hi", weight: 2 }] }],
      tools: [{ type: "function", name: "f", parameters: { type: "object" }, defer_loading: true }],
    };
    const request = codec.decodeRequest(body).value;
    expect(request.extensions?.["openai-responses"]?.["future_flag"]).toEqual({ on: true });
    expect(request.messages[0]?.extensions?.["openai-responses"]?.["flavour"]).toBe("x");
    expect(request.messages[0]?.content[0]?.type === "text" && request.messages[0].content[0].extensions?.["openai-responses"]?.["weight"]).toBe(2);
    expect(request.tools?.[0]?.type === "function" && request.tools[0].extensions?.["openai-responses"]?.["defer_loading"]).toBe(true);
    expect(codec.encodeRequest(request).value).toEqual(body);
  });

  it("keeps null-valued known fields as null", () => {
    const body = { model: "gpt-5", input: "x", previous_response_id: null, reasoning: { effort: "low", summary: null }, max_output_tokens: null };
    expect(codec.encodeRequest(codec.decodeRequest(body).value).value).toEqual(body);
  });

  it("keeps an empty instructions string, an assistant message with empty content and input_file forms", () => {
    const body = {
      model: "gpt-4o",
      instructions: "",
      input: [
        { role: "assistant", content: "" },
        {
          role: "user",
          content: [
            { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" },
            { type: "input_file", file_id: "file-abc" },
            { type: "input_file", file_url: "https://example.com/b.pdf" },
            { type: "input_image", file_id: "file-img", detail: "low" },
          ],
        },
      ],
    };
    const request = codec.decodeRequest(body).value;
    expect(request.system).toEqual([]);
    expect(request.messages[0]?.content[0]?.type).toBe("native");
    expect(request.messages[1]?.content[0]).toEqual({ type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" }, filename: "a.pdf" });
    expect(codec.encodeRequest(request).value).toEqual(body);
  });

  it("decodes text.format json_schema into the response format", () => {
    const body = {
      model: "gpt-4o",
      input: "x",
      text: { format: { type: "json_schema", name: "City", schema: { type: "object" }, strict: true, description: null }, verbosity: "high" },
    };
    const request = codec.decodeRequest(body).value;
    expect(request.responseFormat).toEqual({ type: "json_schema", name: "City", schema: { type: "object" }, strict: true });
    expect(codec.encodeRequest(request).value).toEqual(body);
  });

  it("decodes every tool_choice form and writes each back as sent", () => {
    const forms: Array<[unknown, unknown]> = [
      ["auto", { type: "auto" }],
      ["none", { type: "none" }],
      ["required", { type: "required" }],
      [{ type: "function", name: "shell" }, { type: "tool", name: "shell" }],
      [{ type: "custom", name: "apply_patch" }, { type: "tool", name: "apply_patch" }],
      [{ type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "shell" }] }, { type: "required" }],
      [{ type: "web_search_preview" }, undefined],
    ];
    for (const [wire, unified] of forms) {
      const body = { model: "gpt-5", input: "x", tool_choice: wire };
      const request = codec.decodeRequest(body).value;
      expect(request.toolChoice).toEqual(unified);
      expect(codec.encodeRequest(request).value).toEqual(body);
    }
  });
});

describe("decodeRequest: structural errors name the path", () => {
  const cases: Array<[string, unknown, string]> = [
    ["a body that is not an object", [], ""],
    ["a missing model", { input: "x" }, "model"],
    ["input of the wrong type", { model: "m", input: 3 }, "input"],
    ["a null item", { model: "m", input: [null] }, "input[0]"],
    ["an item with neither type nor role", { model: "m", input: [{ content: "x" }] }, "input[0].type"],
    ["an unknown role", { model: "m", input: [{ role: "robot", content: "x" }] }, "input[0].role"],
    ["an unknown content part type", { model: "m", input: [{ role: "user", content: [{ type: "input_text", text: "a" }, { type: "input_video" }] }] }, "input[0].content[1].type"],
    ["a part without text", { model: "m", input: [{ role: "user", content: [{ type: "input_text" }] }] }, "input[0].content[0].text"],
    ["a function_call without call_id", { model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] }, "input[0].call_id"],
    ["a tool output that is an object", { model: "m", input: [{ type: "function_call_output", call_id: "c", output: { a: 1 } }] }, "input[0].output"],
    ["a tool without a name", { model: "m", input: "x", tools: [{ type: "function" }] }, "tools[0].name"],
    ["a json_schema format without schema", { model: "m", input: "x", text: { format: { type: "json_schema", name: "n" } } }, "text.format.schema"],
    ["a numeric tool_choice", { model: "m", input: "x", tool_choice: 1 }, "tool_choice"],
    ["a non-boolean stream", { model: "m", input: "x", stream: "yes" }, "stream"],
  ];
  for (const [label, body, path] of cases) {
    it(`rejects ${label} at "${path}"`, () => {
      const error = decodeError(body);
      expect(error.code).toBe("invalid_request");
      expect(error.httpStatus).toBe(400);
      expect(error.path).toBe(path);
    });
  }

  it("never rejects an unknown item type", () => {
    const body = { model: "m", input: [{ type: "brand_new_item", id: "bn_1", data: [1, 2] }] };
    const request = codec.decodeRequest(body).value;
    expect(request.messages).toEqual([{ role: "user", content: [{ type: "native", protocol: "openai-responses", value: body.input[0] }] }]);
    expect(codec.encodeRequest(request).value).toEqual(body);
  });
});

describe("encodeRequest: from other protocols", () => {
  const base: UnifiedRequest = {
    model: "gpt-5",
    system: [
      { role: "system", parts: [{ type: "text", text: "Identity.", cacheControl: { type: "ephemeral" } }] },
      { role: "system", parts: [{ type: "text", text: "Main prompt." }] },
    ],
    messages: [],
    generation: {},
    stream: false,
  };

  it("joins system blocks into instructions and reports the dropped cache hint", () => {
    const { value, warnings } = codec.encodeRequest({ ...base, messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
    expect(value).toEqual({
      model: "gpt-5",
      instructions: "Identity.\n\nMain prompt.",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] }],
      stream: false,
    });
    expect(warnings.map((warning) => warning.code)).toEqual(["cache-control-dropped"]);
  });

  it("embeds Gemini signatures in call ids, drops foreign reasoning and maps custom and namespaced calls back", () => {
    const request: UnifiedRequest = {
      ...base,
      system: [],
      tools: [
        { type: "custom", name: "apply_patch", description: "Patch", format: { type: "text" } },
        { type: "function", name: "send", namespace: "collab", parameters: { type: "object" } },
      ],
      messages: [
        { role: "user", content: [{ type: "text", text: "Go" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "thinking…", signature: "sig-anthropic", origin: { protocol: "anthropic-messages" } },
            { type: "text", text: "Patching." },
            { type: "tool-call", id: "call_1", name: "apply_patch", arguments: '{"input":"*** Begin Patch"}', kind: "function" },
            { type: "tool-call", id: "call_2", name: "collab__send", arguments: "{}", kind: "function", signature: "ts-gemini", signatureOrigin: { protocol: "gemini" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool-result", toolCallId: "call_1", content: [{ type: "text", text: "ok" }] },
            { type: "tool-result", toolCallId: "call_2", content: [{ type: "text", text: "sent" }], isError: true },
            { type: "text", text: "Next?" },
          ],
        },
      ],
    };
    const { value, warnings } = codec.encodeRequest(request);
    const embedded = `call_2__ts__${Buffer.from("ts-gemini").toString("base64url")}`;
    expect(value["tools"]).toEqual([
      { type: "custom", name: "apply_patch", description: "Patch", format: { type: "text" } },
      { type: "namespace", name: "collab", tools: [{ type: "function", name: "send", parameters: { type: "object" } }] },
    ]);
    expect(value["input"]).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Go" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Patching." }] },
      { type: "custom_tool_call", call_id: "call_1", name: "apply_patch", input: "*** Begin Patch" },
      { type: "function_call", call_id: embedded, name: "send", namespace: "collab", arguments: "{}" },
      { type: "custom_tool_call_output", call_id: "call_1", output: "ok" },
      { type: "function_call_output", call_id: embedded, output: "sent" },
      { type: "message", role: "user", content: [{ type: "input_text", text: "Next?" }] },
    ]);
    expect(warnings.map((warning) => warning.code)).toEqual(["reasoning-artefact-dropped", "tool-error-flag-dropped"]);
  });

  it("maps generation settings, reports unsupported ones and maps a thinking budget to an effort", () => {
    const { value, warnings } = codec.encodeRequest({
      ...base,
      system: [],
      messages: [{ role: "user", content: [{ type: "text", text: "x" }] }],
      generation: { maxOutputTokens: 512, temperature: 0.2, topP: 0.9, stop: ["END"], topK: 40, logprobs: true, topLogprobs: 3 },
      reasoning: { budgetTokens: 10000, includeThoughts: true },
      responseFormat: { type: "json_schema", name: "Out", schema: { type: "object" }, strict: true },
      toolChoice: { type: "required" },
      parallelToolCalls: false,
      metadata: { user: "u-1", sessionId: "session-9" },
      stream: true,
    });
    expect(value).toEqual({
      model: "gpt-5",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "x" }] }],
      max_output_tokens: 512,
      temperature: 0.2,
      top_p: 0.9,
      top_logprobs: 3,
      include: ["message.output_text.logprobs"],
      reasoning: { effort: "medium", summary: "auto" },
      text: { format: { type: "json_schema", name: "Out", schema: { type: "object" }, strict: true } },
      tool_choice: "required",
      parallel_tool_calls: false,
      prompt_cache_key: "session-9",
      user: "u-1",
      stream: true,
    });
    expect(warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ["parameter-dropped", "generation.stop"],
      ["parameter-dropped", "generation.topK"],
      ["reasoning-effort-mapped", "reasoning.effort"],
    ]);
  });

  it("names a custom tool in tool_choice as custom", () => {
    const { value } = codec.encodeRequest({ ...base, system: [], tools: [{ type: "custom", name: "apply_patch" }], toolChoice: { type: "tool", name: "apply_patch" } });
    expect(value["tool_choice"]).toEqual({ type: "custom", name: "apply_patch" });
  });

  it("replays a client's reasoning item without id as sent, but not reasoning text of another origin", () => {
    const body = { model: "gpt-oss", input: [{ type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "hm" }] }] };
    expect(codec.encodeRequest(codec.decodeRequest(body).value).value).toEqual(body);
    const { value, warnings } = codec.encodeRequest({
      ...base,
      system: [],
      messages: [
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "deepseek thoughts" },
            { type: "reasoning", text: "signed", signature: "c2ln" },
            { type: "text", text: "answer" },
          ],
        },
      ],
    });
    expect(value["input"]).toEqual([{ type: "message", role: "assistant", content: [{ type: "output_text", text: "answer" }] }]);
    expect(warnings.map((warning) => warning.code)).toEqual(["reasoning-dropped-other-origin", "reasoning-artefact-dropped"]);
  });

  it("refuses n > 1 with unsupported_feature", () => {
    let thrown: unknown;
    try {
      codec.encodeRequest({ ...base, generation: { n: 2 } });
    } catch (error) {
      thrown = error;
    }
    expect(GatewayError.isInstance(thrown) && thrown.code).toBe("unsupported_feature");
  });

  it("reads back a foreign reasoning artefact it tagged for a client, and does not replay it to OpenAI", () => {
    const body = {
      model: "gpt-5",
      input: [
        { type: "reasoning", id: "rs_x", summary: [], encrypted_content: "swy1.anthropic-messages.c2lnbmF0dXJl" },
        { type: "reasoning", id: "rs_y", summary: [], encrypted_content: "swy1.anthropic-messages.redacted:b3BhcXVl" },
      ],
    };
    const request = codec.decodeRequest(body).value;
    const marker = { "openai-responses": { wireShape: { reasoningItem: true } } };
    expect(request.messages[0]?.content).toEqual([
      { type: "reasoning", text: "", summary: [], id: "rs_x", signature: "c2lnbmF0dXJl", origin: { protocol: "anthropic-messages" }, extensions: marker },
      { type: "reasoning", text: "", summary: [], id: "rs_y", redactedData: "b3BhcXVl", origin: { protocol: "anthropic-messages" }, extensions: marker },
    ]);
    const { value, warnings } = codec.encodeRequest(request);
    expect(value["input"]).toEqual([]);
    expect(warnings.map((warning) => warning.code)).toEqual(["reasoning-artefact-dropped", "reasoning-artefact-dropped"]);
  });
});
