import { describe, expect, it } from "vitest";
import { embedSignatureInToolCallId, GatewayError, tagReasoningArtefact } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/** Bodies written from the Chat Completions reference: https://platform.openai.com/docs/api-reference/chat/create */
function decode(body: unknown) {
  return openAiChatCodec.decodeRequest(body).value;
}

function roundTrip(body: Record<string, unknown>): void {
  expect(openAiChatCodec.encodeRequest(decode(structuredClone(body))).value).toEqual(body);
}

function decodeError(body: unknown): GatewayError {
  try {
    openAiChatCodec.decodeRequest(body);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw new Error(`not a GatewayError: ${String(error)}`, { cause: error });
  }
  throw new Error("no error thrown");
}

describe("decodeOpenAiChatRequest: structural errors name the path", () => {
  it.each([
    [null, "", "expected an object, got null"],
    [{ messages: [] }, "model", "is required"],
    [{ model: "m" }, "messages", "is required"],
    [{ model: "m", messages: null }, "messages", "expected an array, got null"],
    [{ model: "m", messages: [null] }, "messages[0]", "expected an object, got null"],
    [{ model: "m", messages: [{ content: "x" }] }, "messages[0].role", "is required"],
    [{ model: "m", messages: [{ role: "robot", content: "x" }] }, "messages[0].role", 'unknown role "robot"'],
    [{ model: "m", messages: [{ role: "user" }] }, "messages[0].content", "is required"],
    [{ model: "m", messages: [{ role: "user", content: 5 }] }, "messages[0].content", "expected a string or an array of content parts, got a number"],
    [{ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "video", url: "x" }] }] }, "messages[0].content[1].type", 'unknown content part type "video"'],
    [{ model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] }, "messages[0].content[0].image_url.url", "is required"],
    [{ model: "m", messages: [{ role: "user", content: [{ type: "file", file: {} }] }] }, "messages[0].content[0].file", "needs file_data or file_id"],
    [{ model: "m", messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id", "is required"],
    [{ model: "m", messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f" } }] }] }, "messages[0].tool_calls[0].function.arguments", "is required"],
    [{ model: "m", messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "mcp" }] }] }, "messages[0].tool_calls[0].type", 'unknown tool call type "mcp"'],
    [{ model: "m", messages: [], temperature: "hot" }, "temperature", "expected a number, got a string"],
    [{ model: "m", messages: [], stop: [1] }, "stop[0]", "expected a string"],
    [{ model: "m", messages: [], tools: [{ function: { name: "f" } }] }, "tools[0].type", "is required"],
    [{ model: "m", messages: [], tools: [{ type: "function", function: { parameters: {} } }] }, "tools[0].function.name", "is required"],
    [{ model: "m", messages: [], stream: "yes" }, "stream", "expected a boolean, got a string"],
  ])("%j → %s", (body, path, message) => {
    const error = decodeError(body);
    expect(error.code).toBe("invalid_request");
    expect(error.httpStatus).toBe(400);
    expect(error.path).toBe(path);
    expect(error.message).toBe(path === "" ? message : `${path}: ${message}`);
  });
});

describe("decodeOpenAiChatRequest: fields", () => {
  it("keeps system and developer messages in position, Chat has no top-level instructions", () => {
    const request = decode({
      model: "gpt-5",
      messages: [
        { role: "developer", content: "Be brief." },
        { role: "user", content: "Hi", name: "ada" },
        { role: "system", content: [{ type: "text", text: "Mid-conversation rule." }] },
      ],
    });
    expect(request.system).toEqual([]);
    expect(request.messages).toEqual([
      { role: "developer", content: [{ type: "text", text: "Be brief." }] },
      { role: "user", content: [{ type: "text", text: "Hi" }], name: "ada" },
      { role: "system", content: [{ type: "text", text: "Mid-conversation rule." }], extensions: { "openai-chat": { contentForm: "parts" } } },
    ]);
    expect(request.stream).toBe(false);
    expect(request.extensions).toEqual({ "openai-chat": { streamAbsent: true } });
  });

  it("reads every content part type", () => {
    const request = decode({
      model: "gpt-4o",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "high" } },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
            { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
            { type: "file", file: { file_id: "file-abc123" } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: "text", text: "Look" },
      { type: "image", source: { kind: "url", url: "https://example.com/a.png" }, detail: "high" },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
      { type: "audio", data: "UklGRg==", format: "wav" },
      { type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" }, filename: "a.pdf" },
      { type: "file", source: { kind: "file-id", fileId: "file-abc123" } },
    ]);
  });

  it("maps generation fields, stop, token limit and reasoning effort", () => {
    const request = decode({
      model: "o3",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      n: 2,
      logprobs: true,
      top_logprobs: 5,
      stop: "END",
      reasoning_effort: "high",
      prompt_cache_key: "conv-1",
      user: "user-9",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(request.generation).toEqual({
      maxOutputTokens: 50,
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
      n: 2,
      logprobs: true,
      topLogprobs: 5,
      stop: ["END"],
    });
    expect(request.reasoning).toEqual({ effort: "high" });
    expect(request.promptCacheKey).toBe("conv-1");
    expect(request.metadata).toEqual({ sessionId: "conv-1", user: "user-9" });
    expect(request.stream).toBe(true);
    expect(request.includeUsage).toBe(true);
    expect(request.extensions).toEqual({ "openai-chat": { maxTokensField: "max_tokens", stopAsString: true } });
  });

  it("keeps unknown fields at every level in extensions and writes them back", () => {
    const body = {
      model: "gpt-4o-search-preview",
      messages: [
        { role: "user", content: [{ type: "text", text: "Q", prompt_cache_breakpoint: { mode: "explicit" } }], x_note: 1 },
        { role: "assistant", content: null, refusal: null, audio: { id: "audio_1" } },
      ],
      web_search_options: { search_context_size: "low" },
      metadata: { team: "a" },
      store: false,
      verbosity: "low",
      logit_bias: { "50256": -100 },
      temperature: null,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" }, x_inner: true }, x_outer: 2 }],
    };
    const request = decode(structuredClone(body));
    expect(request.extensions?.["openai-chat"]).toEqual({
      web_search_options: { search_context_size: "low" },
      metadata: { team: "a" },
      store: false,
      verbosity: "low",
      logit_bias: { "50256": -100 },
      temperature: null,
      streamAbsent: true,
    });
    expect(request.messages[0]?.extensions).toEqual({ "openai-chat": { x_note: 1, contentForm: "parts" } });
    const part = request.messages[0]?.content[0];
    expect(part !== undefined && "extensions" in part ? part.extensions : undefined).toEqual({ "openai-chat": { prompt_cache_breakpoint: { mode: "explicit" } } });
    expect(request.messages[1]).toEqual({
      role: "assistant",
      content: [],
      extensions: { "openai-chat": { refusal: null, audio: { id: "audio_1" }, contentForm: "null" } },
    });
    const tool = request.tools?.[0];
    expect(tool !== undefined && "extensions" in tool ? tool.extensions : undefined).toEqual({ "openai-chat": { x_outer: 2, innerFields: { x_inner: true } } });
    roundTrip(body);
  });

  it("round-trips empty arrays, null values and odd content forms verbatim", () => {
    roundTrip({
      model: "m",
      messages: [
        { role: "user", content: "" },
        { role: "assistant", content: "", tool_calls: [], reasoning_content: "" },
        { role: "assistant", content: [{ type: "text", text: "a" }, { type: "refusal", refusal: "no" }], refusal: "no" },
        { role: "assistant", reasoning_content: null, function_call: null },
        { role: "tool", tool_call_id: "c", content: "" },
      ],
      tools: [],
      stop: null,
      stream: false,
      stream_options: { include_usage: false, include_obfuscation: false },
      max_completion_tokens: 10,
      max_tokens: 20,
      reasoning_effort: "ultra",
      response_format: { type: "json_schema", json_schema: { name: "x" } },
    });
  });

  it("reads tool choice forms", () => {
    const tools = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
      { type: "custom", custom: { name: "apply_patch", format: { type: "grammar", grammar: { syntax: "lark", definition: "start: /.+/" } } } },
    ];
    const choice = (tool_choice: unknown) => decode({ model: "m", messages: [], tools, tool_choice });
    expect(choice("auto").toolChoice).toEqual({ type: "auto" });
    expect(choice("none").toolChoice).toEqual({ type: "none" });
    expect(choice("required").toolChoice).toEqual({ type: "required" });
    expect(choice({ type: "function", function: { name: "get_weather" } }).toolChoice).toEqual({ type: "tool", name: "get_weather" });
    expect(choice({ type: "custom", custom: { name: "apply_patch" } }).toolChoice).toEqual({ type: "tool", name: "apply_patch" });
    const allowed = { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_weather" } }] } };
    const decoded = choice(allowed);
    expect(decoded.toolChoice).toEqual({ type: "required" });
    expect(decoded.extensions?.["openai-chat"]?.["toolChoiceRaw"]).toEqual(allowed);
    expect(decoded.tools).toEqual([
      { type: "function", name: "get_weather", parameters: { type: "object" } },
      { type: "custom", name: "apply_patch", format: { type: "grammar", grammar: { syntax: "lark", definition: "start: /.+/" } } },
    ]);
    for (const toolChoice of ["auto", "none", "required", { type: "function", function: { name: "get_weather" } }, { type: "custom", custom: { name: "apply_patch" } }, allowed]) {
      roundTrip({ model: "m", messages: [], tools, tool_choice: toolChoice, parallel_tool_calls: false });
    }
  });

  it("reads assistant tool calls (function and custom), tool results, and splits Gemini signatures off ids", () => {
    const embedded = embedSignatureInToolCallId("call_1", "gemini-sig");
    const body = {
      model: "m",
      messages: [
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: embedded, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "custom", custom: { name: "apply_patch", input: "*** Begin Patch" } },
          ],
        },
        { role: "tool", tool_call_id: embedded, content: "18 C" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "ok" }] },
      ],
    };
    const request = decode(structuredClone(body));
    expect(request.messages[0]?.content).toEqual([
      { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function", signature: "gemini-sig", signatureOrigin: { protocol: "gemini" } },
      { type: "tool-call", id: "call_2", name: "apply_patch", arguments: "*** Begin Patch", kind: "custom" },
    ]);
    expect(request.messages[1]).toEqual({ role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", content: [{ type: "text", text: "18 C" }] }] });
    expect(request.messages[2]?.content).toEqual([{ type: "tool-result", toolCallId: "call_2", content: [{ type: "text", text: "ok" }] }]);
    // The embedded id goes back the same for the call and its result.
    roundTrip(body);
  });

  it("reads reasoning_content (DeepSeek) and reasoning_details (OpenRouter) with origins", () => {
    const request = decode({
      model: "m",
      messages: [
        { role: "assistant", content: "A", reasoning_content: "think" },
        {
          role: "assistant",
          content: "B",
          reasoning_details: [
            { type: "reasoning.text", text: "deep", signature: tagReasoningArtefact("sig-1", "anthropic-messages"), format: "anthropic-claude-v1", index: 0 },
            { type: "reasoning.encrypted", data: "redacted-bytes", format: "anthropic-claude-v1", index: 1 },
            { type: "reasoning.summary", summary: "Plan", id: "rs_1", format: "openai-responses-v1", index: 2 },
            { type: "reasoning.encrypted", data: "gAAA", id: "rs_1", format: "openai-responses-v1", index: 3 },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: "reasoning", text: "think" },
      { type: "text", text: "A" },
    ]);
    const parts = request.messages[1]?.content ?? [];
    expect(parts.map((part) => (part.type === "reasoning" ? { ...part, extensions: undefined } : part))).toEqual([
      { type: "reasoning", text: "deep", signature: "sig-1", origin: { protocol: "anthropic-messages" }, extensions: undefined },
      { type: "reasoning", text: "", redactedData: "redacted-bytes", origin: { protocol: "openai-chat" }, extensions: undefined },
      { type: "reasoning", text: "", id: "rs_1", summary: ["Plan"], encryptedContent: "gAAA", origin: { protocol: "openai-chat" }, extensions: undefined },
      { type: "text", text: "B" },
    ]);
  });

  it("round-trips reasoning_details and legacy function calling exactly", () => {
    roundTrip({
      model: "m",
      messages: [
        {
          role: "assistant",
          content: "B",
          reasoning: "deep",
          reasoning_details: [
            { type: "reasoning.text", text: "deep", signature: null, format: "unknown", index: 0 },
            { type: "reasoning.summary", summary: "Plan", id: "rs_1", format: "openai-responses-v1", index: 1 },
            { type: "reasoning.encrypted", data: "gAAA", id: "rs_1", format: "openai-responses-v1", index: 2 },
          ],
        },
      ],
    });
    const legacy = {
      model: "gpt-3.5-turbo",
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, function_call: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
        { role: "function", name: "get_weather", content: "4 C" },
      ],
      functions: [{ name: "get_weather", parameters: { type: "object" } }],
      function_call: "auto",
    };
    const request = decode(structuredClone(legacy));
    const call = request.messages[1]?.content[0];
    const result = request.messages[2]?.content[0];
    expect(call?.type === "tool-call" && result?.type === "tool-result" && call.id === result.toolCallId).toBe(true);
    expect(request.toolChoice).toEqual({ type: "auto" });
    roundTrip(legacy);
  });
});
