import { describe, expect, it } from "vitest";
import type { ProtocolId, UnifiedRequest } from "../unified/index.js";
import type { AdapterContext, WireBody } from "./adapter.js";
import { createAdapterRegistry, type AdapterReference } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";

const registry = createAdapterRegistry(builtinAdapterFactories);

function context(protocol: ProtocolId, request?: UnifiedRequest): AdapterContext {
  return { protocol, provider: "p", model: "m", stream: false, ...(request === undefined ? {} : { request }) };
}

/** Runs one adapter's request side and checks the input was not mutated. */
function adaptRequest(reference: AdapterReference, protocol: ProtocolId, body: WireBody, request?: UnifiedRequest) {
  const before = structuredClone(body);
  const adapter = registry.create(reference);
  if (adapter.request === undefined) throw new Error("no request side");
  const pass = adapter.request(body, context(protocol, request));
  expect(body).toEqual(before);
  return pass;
}

describe("model-override", () => {
  it("sets a fixed model and reports it", () => {
    expect(adaptRequest({ name: "model-override", options: { model: "gpt-x" } }, "openai-chat", { model: "a", messages: [] })).toEqual({
      value: { model: "gpt-x", messages: [] },
      changes: [{ path: "model", action: "set", detail: "a → gpt-x" }],
      warnings: [],
    });
  });
  it("maps by glob and leaves unmatched models alone", () => {
    const reference = { name: "model-override", options: { map: { "claude-*": "claude-proxy" } } };
    expect(adaptRequest(reference, "anthropic-messages", { model: "claude-x" }).value).toEqual({ model: "claude-proxy" });
    const body = { model: "gpt" };
    expect(adaptRequest(reference, "anthropic-messages", body).value).toBe(body);
  });
  it("warns on Gemini, whose model is in the URL", () => {
    expect(adaptRequest({ name: "model-override", options: { model: "x" } }, "gemini", { contents: [] }).warnings.map((w) => w.code)).toEqual(["model-override-unsupported"]);
  });
});

describe("field-rename", () => {
  it("moves a field", () => {
    const pass = adaptRequest({ name: "field-rename", options: { renames: [{ from: "max_completion_tokens", to: "max_tokens" }] } }, "openai-chat", { model: "m", max_completion_tokens: 10 });
    expect(pass).toEqual({ value: { model: "m", max_tokens: 10 }, changes: [{ path: "max_tokens", action: "moved", detail: "from max_completion_tokens" }], warnings: [] });
  });
  it("copies through wildcards, binding each match into the destination", () => {
    const pass = adaptRequest(
      { name: "field-rename", options: { renames: [{ from: "messages[*].reasoning", to: "messages[*].reasoning_content", mode: "copy" }] } },
      "openai-chat",
      { messages: [{ role: "user" }, { role: "assistant", reasoning: "r" }] },
    );
    expect(pass.value).toEqual({ messages: [{ role: "user" }, { role: "assistant", reasoning: "r", reasoning_content: "r" }] });
    expect(pass.changes).toEqual([{ path: "messages[1].reasoning_content", action: "copied", detail: "from messages[1].reasoning" }]);
  });
  it("reads -1 and keeps an existing destination when asked", () => {
    const options = { renames: [{ from: "messages[-1].name", to: "user", keepExisting: true }] };
    expect(adaptRequest({ name: "field-rename", options }, "openai-chat", { messages: [{ name: "a" }, { name: "b" }] }).value).toEqual({ messages: [{ name: "a" }, {}], user: "b" });
    const body = { user: "kept", messages: [{ name: "b" }] };
    expect(adaptRequest({ name: "field-rename", options }, "openai-chat", body).value).toBe(body);
  });
  it("writes to -1 as the last item of the destination array, never turning the array into an object", () => {
    const options = { renames: [{ from: "messages[-1].reasoning", to: "messages[-1].reasoning_content" }] };
    const pass = adaptRequest({ name: "field-rename", options }, "openai-chat", { messages: [{ role: "user" }, { role: "assistant", reasoning: "r" }] });
    expect(pass.value).toEqual({ messages: [{ role: "user" }, { role: "assistant", reasoning_content: "r" }] });
    expect(pass.changes).toEqual([{ path: "messages[1].reasoning_content", action: "moved", detail: "from messages[1].reasoning" }]);
    // A destination array that is absent or empty has no last item: the value stays where it was, with a warning.
    const nowhere = { renames: [{ from: "hint", to: "messages[-1].hint" }] };
    const skipped = adaptRequest({ name: "field-rename", options: nowhere }, "openai-chat", { hint: "h", messages: [] });
    expect(skipped.value).toEqual({ hint: "h", messages: [] });
    expect(skipped.warnings.map((warning) => warning.code)).toEqual(["field-rename-skipped"]);
  });
});

describe("param-policy", () => {
  it("drops what the Codex backend rejects and reports each field", () => {
    const pass = adaptRequest({ name: "param-policy", options: { preset: "codex" } }, "openai-responses", {
      model: "gpt-5-codex",
      input: [],
      max_output_tokens: 100,
      temperature: 0.2,
      top_p: 1,
      metadata: { a: "b" },
      stream_options: { include_usage: true },
      stream: true,
    });
    expect(pass.value).toEqual({ model: "gpt-5-codex", input: [], stream: true });
    expect(pass.warnings.map((warning) => warning.path)).toEqual(["max_output_tokens", "temperature", "top_p", "metadata", "stream_options"]);
    expect(pass.warnings[0]).toEqual({ code: "param-dropped", message: "max_output_tokens dropped: rejected by the target", path: "max_output_tokens" });
  });
  it("drops stream_options for Anthropic, nested deny paths, and anything outside an allow list", () => {
    expect(adaptRequest({ name: "param-policy", options: { preset: "anthropic-messages" } }, "anthropic-messages", { model: "c", stream_options: {} }).value).toEqual({ model: "c" });
    expect(adaptRequest({ name: "param-policy", options: { deny: ["tools[*].strict"] } }, "openai-chat", { tools: [{ name: "a", strict: true }, { name: "b" }] }).value).toEqual({ tools: [{ name: "a" }, { name: "b" }] });
    const pass = adaptRequest({ name: "param-policy", options: { allow: ["model", "messages"] } }, "openai-chat", { model: "m", messages: [], seed: 1 });
    expect(pass.value).toEqual({ model: "m", messages: [] });
    expect(pass.changes).toEqual([{ path: "seed", action: "removed", detail: "not in the target's allow list" }]);
  });
  it("rejects options without a rule", () => {
    expect(() => registry.create({ name: "param-policy", options: {} })).toThrow('adapter "param-policy" options: set preset, allow or deny');
  });
});

describe("suppress-developer-role", () => {
  const body = { messages: [{ role: "developer", content: "rules" }, { role: "user", content: "hi" }] };
  it("turns developer into system by default", () => {
    expect(adaptRequest("suppress-developer-role", "openai-chat", body)).toEqual({
      value: { messages: [{ role: "system", content: "rules" }, { role: "user", content: "hi" }] },
      changes: [{ path: "messages[0].role", action: "set", detail: "developer → system" }],
      warnings: [],
    });
  });
  it("turns developer into user, or drops it with a warning", () => {
    expect(adaptRequest({ name: "suppress-developer-role", options: { to: "user" } }, "openai-responses", { input: [{ type: "message", role: "developer", content: "r" }] }).value).toEqual({
      input: [{ type: "message", role: "user", content: "r" }],
    });
    const dropped = adaptRequest({ name: "suppress-developer-role", options: { to: "drop" } }, "openai-chat", body);
    expect(dropped.value).toEqual({ messages: [{ role: "user", content: "hi" }] });
    expect(dropped.warnings.map((warning) => warning.code)).toEqual(["developer-message-dropped"]);
  });
});

describe("system-to-user", () => {
  it("merges Chat system messages into the next user message", () => {
    const pass = adaptRequest("system-to-user", "openai-chat", {
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }, { role: "assistant", content: "yo" }, { role: "user", content: [{ type: "text", text: "more" }] }],
    });
    expect(pass.value).toEqual({
      messages: [{ role: "user", content: "Be brief.\n\nhi" }, { role: "assistant", content: "yo" }, { role: "user", content: [{ type: "text", text: "more" }] }],
    });
    expect(pass.changes).toEqual([
      { path: "messages[0]", action: "removed", detail: "system message merged into a user message" },
      { path: "messages[1].content", action: "set", detail: "instructions prepended" },
    ]);
  });
  it("moves Anthropic system blocks and Gemini systemInstruction into the first user turn", () => {
    expect(adaptRequest("system-to-user", "anthropic-messages", { system: [{ type: "text", text: "S" }], messages: [{ role: "user", content: [{ type: "text", text: "q" }] }] }).value).toEqual({
      messages: [{ role: "user", content: [{ type: "text", text: "S" }, { type: "text", text: "q" }] }],
    });
    expect(adaptRequest("system-to-user", "gemini", { systemInstruction: { parts: [{ text: "S" }] }, contents: [{ role: "user", parts: [{ text: "q" }] }] }).value).toEqual({
      contents: [{ role: "user", parts: [{ text: "S" }, { text: "q" }] }],
    });
  });
  it("turns a trailing system message into a user message", () => {
    expect(adaptRequest("system-to-user", "openai-chat", { messages: [{ role: "user", content: "q" }, { role: "system", content: "late" }] }).value).toEqual({
      messages: [{ role: "user", content: "q" }, { role: "user", content: "late" }],
    });
  });
});

describe("drop-empty-assistant", () => {
  it("removes assistant turns with no content and no tool calls, in every protocol", () => {
    const chat = adaptRequest("drop-empty-assistant", "openai-chat", {
      messages: [{ role: "user", content: "q" }, { role: "assistant", content: "" }, { role: "assistant", content: null, tool_calls: [{ id: "c" }] }, { role: "assistant", content: null, tool_calls: [] }],
    });
    expect(chat.value).toEqual({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: null, tool_calls: [{ id: "c" }] }] });
    expect(chat.changes.map((change) => change.path)).toEqual(["messages[1]", "messages[3]"]);
    expect(adaptRequest("drop-empty-assistant", "gemini", { contents: [{ role: "model", parts: [] }, { role: "user", parts: [{ text: "q" }] }] }).value).toEqual({ contents: [{ role: "user", parts: [{ text: "q" }] }] });
    expect(adaptRequest("drop-empty-assistant", "openai-responses", { input: [{ type: "message", role: "assistant", content: [] }, { type: "function_call", call_id: "c" }] }).value).toEqual({ input: [{ type: "function_call", call_id: "c" }] });
  });
});

describe("json-mode", () => {
  it("replaces Chat json_object with an instruction appended to the system message", () => {
    const pass = adaptRequest({ name: "json-mode", options: { instruction: "JSON only." } }, "openai-chat", {
      messages: [{ role: "system", content: "Be kind." }, { role: "user", content: "q" }],
      response_format: { type: "json_object" },
    });
    expect(pass.value).toEqual({ messages: [{ role: "system", content: "Be kind.\n\nJSON only." }, { role: "user", content: "q" }] });
    expect(pass.changes).toEqual([
      { path: "response_format", action: "removed", detail: "json_object emulated by instruction" },
      { path: "messages[0].content", action: "set", detail: "instruction appended" },
    ]);
    expect(pass.warnings.map((warning) => warning.code)).toEqual(["json-mode-emulated"]);
  });
  it("emulates for Anthropic from the decoded request's intent", () => {
    const request = { model: "m", system: [], messages: [], generation: {}, stream: false, responseFormat: { type: "json_object" } } satisfies UnifiedRequest;
    expect(adaptRequest({ name: "json-mode", options: { instruction: "JSON only." } }, "anthropic-messages", { model: "c", messages: [] }, request).value).toEqual({ model: "c", messages: [], system: "JSON only." });
  });
  it("leaves other requests alone", () => {
    const body = { messages: [], response_format: { type: "text" } };
    expect(adaptRequest("json-mode", "openai-chat", body).value).toBe(body);
  });
});
