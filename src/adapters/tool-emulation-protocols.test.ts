import { describe, expect, it } from "vitest";
import { GatewayError, type ProtocolId, type StreamEvent } from "../unified/index.js";
import type { Adapter, AdapterContext, WireBody } from "./adapter.js";
import { createAdapterRegistry } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";
import { openStreamAdapters } from "./run-adapter-chain.js";

/** Golden request, response and stream passes of tool-emulation for Anthropic Messages and Gemini targets. */

function context(protocol: ProtocolId, now = 0): AdapterContext {
  return { protocol, provider: "acme", model: "tiny", stream: false, now: () => now };
}

function emulating(): Adapter {
  return createAdapterRegistry(builtinAdapterFactories).create({ name: "tool-emulation", options: { always: true, preamble: "Tools:" } });
}

function request(adapter: Adapter, body: WireBody, at: AdapterContext) {
  const before = structuredClone(body);
  const pass = adapter.request?.(body, at);
  if (pass === undefined) throw new Error("no request side");
  expect(body).toEqual(before);
  return pass;
}

const weatherSchema = { type: "object", properties: { city: { type: "string" } } };
const instruction = (extra = "") =>
  "Tools:\n" +
  'To call tools, reply with only this JSON and nothing else: {"tool_calls":[{"name":"<tool name>","arguments":{<arguments>}}]}\n' +
  "The arguments must follow the tool's JSON schema. When no tool is needed, reply normally in plain text.\n" +
  'Results of your tool calls come back in user messages that start with "Tool result".\n' +
  extra +
  `Tools:\n[{"name":"get_weather","description":"Weather","parameters":${JSON.stringify(weatherSchema)}}]`;

describe("tool-emulation, Anthropic Messages target", () => {
  const body: WireBody = {
    model: "tiny",
    max_tokens: 100,
    system: "Be brief.",
    tools: [{ name: "get_weather", description: "Weather", input_schema: weatherSchema }, { type: "web_search_20250305", name: "web_search" }],
    tool_choice: { type: "any" },
    messages: [
      { role: "user", content: "Paris?" },
      { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "sunny" }] }, { type: "text", text: "And now?" }] },
    ],
  };

  it("removes the tools and renders the tool history as text (golden)", () => {
    const pass = request(emulating(), body, context("anthropic-messages"));
    expect(pass.value).toEqual({
      model: "tiny",
      max_tokens: 100,
      system: `Be brief.\n\n${instruction("You must call at least one tool in this reply.\n")}`,
      messages: [
        { role: "user", content: "Paris?" },
        { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "text", text: '{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}' }] },
        { role: "user", content: [{ type: "text", text: "Tool result (get_weather, call toolu_1):\nsunny" }, { type: "text", text: "And now?" }] },
      ],
    });
    expect(pass.warnings.map((warning) => warning.code)).toEqual(["tools-emulated", "tools-dropped"]);
  });

  it("turns textual calls in the response into tool_use blocks with ids derived from the response id (golden)", () => {
    const adapter = emulating();
    const at = context("anthropic-messages");
    request(adapter, body, at);
    const response = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: 'Let me look.\n<|tool_call_start|>[get_weather(city="Oslo"), get_weather(city="Rome")]<|tool_call_end|>' }],
      stop_reason: "end_turn",
      stop_sequence: null,
    };
    const first = adapter.response?.(response, at).value;
    expect(first).toEqual({
      ...response,
      content: [
        { type: "text", text: "Let me look." },
        { type: "tool_use", id: expect.stringMatching(/^toolu_[0-9a-f]{24}$/), name: "get_weather", input: { city: "Oslo" } },
        { type: "tool_use", id: expect.stringMatching(/^toolu_[0-9a-f]{24}$/), name: "get_weather", input: { city: "Rome" } },
      ],
      stop_reason: "tool_use",
    });
    const ids = (first?.["content"] as Array<{ id?: string }>).map((block) => block.id);
    expect(new Set(ids).size).toBe(3);
    // Deterministic: the same answer gives the same ids (a replay, a retried request); another response id, others.
    const again = adapter.response?.(response, at).value;
    expect((again?.["content"] as Array<{ id?: string }>).map((block) => block.id)).toEqual(ids);
    const other = adapter.response?.({ ...response, id: "msg_2" }, at).value;
    expect((other?.["content"] as Array<{ id?: string }>)[1]?.id).not.toBe(ids[1]);
  });

  it("retries after a configured rejection and remembers the model on the registry's memory", () => {
    const registry = createAdapterRegistry(builtinAdapterFactories);
    const adapter = registry.create({ name: "tool-emulation", options: { rejections: ["does not support tools"], ttlMs: 100 } });
    expect(request(adapter, body, context("anthropic-messages", 0)).value).toBe(body);
    expect(adapter.recover?.(new GatewayError("invalid_request", "this model does not support tools"), context("anthropic-messages", 0))).toBe(true);
    expect(request(adapter, body, context("anthropic-messages", 50)).value["tools"]).toBeUndefined();
    // A second rejection while emulating does not retry again.
    expect(adapter.recover?.(new GatewayError("invalid_request", "this model does not support tools"), context("anthropic-messages", 50))).toBe(false);
    expect(request(adapter, body, context("anthropic-messages", 150)).value).toBe(body);
  });
});

describe("tool-emulation, Gemini target", () => {
  const body: WireBody = {
    systemInstruction: { parts: [{ text: "Be brief." }] },
    tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather", parametersJsonSchema: weatherSchema }] }, { googleSearch: {} }],
    toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } },
    contents: [
      { role: "user", parts: [{ text: "Paris?" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "c2ln" }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { output: "sunny" } } }] },
    ],
    generationConfig: { temperature: 0 },
  };

  it("removes the tools and renders function calls and responses as text (golden)", () => {
    const pass = request(emulating(), body, context("gemini"));
    expect(pass.value).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }, { text: instruction('You must call the tool "get_weather" in this reply.\n') }] },
      contents: [
        { role: "user", parts: [{ text: "Paris?" }] },
        { role: "model", parts: [{ text: '{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}' }] },
        { role: "user", parts: [{ text: "Tool result (get_weather):\nsunny" }] },
      ],
      generationConfig: { temperature: 0 },
    });
    expect(pass.warnings.map((warning) => warning.code)).toEqual(["tools-emulated", "tools-dropped"]);
  });

  it("turns a JSON call in the text into a functionCall part, keeping the STOP finish (golden)", () => {
    const adapter = emulating();
    const at = context("gemini");
    request(adapter, body, at);
    const response = {
      responseId: "resp-1",
      candidates: [{ index: 0, finishReason: "STOP", content: { role: "model", parts: [{ text: "thinking…", thought: true }, { text: '```json\n{"name":"get_weather","arguments":{"city":"Bern"}}\n```' }] } }],
    };
    expect(adapter.response?.(response, at).value).toEqual({
      responseId: "resp-1",
      candidates: [
        {
          index: 0,
          finishReason: "STOP",
          content: { role: "model", parts: [{ text: "thinking…", thought: true }, { functionCall: { id: expect.stringMatching(/^call_[0-9a-f]{24}$/), name: "get_weather", args: { city: "Bern" } } }] },
        },
      ],
    });
  });
});

describe("tool-emulation, stream side", () => {
  const events: StreamEvent[] = [
    { type: "start", id: "msg_stream" },
    { type: "text-start", index: 0 },
    { type: "text-delta", index: 0, text: '{"tool_calls":[{"name":"get_weather",' },
    { type: "text-delta", index: 0, text: '"arguments":{"city":"Nice"}}]}' },
    { type: "text-end", index: 0 },
    { type: "finish", finishReason: { unified: "stop", raw: "end_turn" } },
  ];

  const streamRequests: Record<"anthropic-messages" | "gemini" | "openai-chat", WireBody> = {
    "anthropic-messages": { messages: [], tools: [{ name: "get_weather", input_schema: weatherSchema }] },
    gemini: { contents: [], tools: [{ functionDeclarations: [{ name: "get_weather" }] }] },
    "openai-chat": { messages: [], tools: [{ type: "function", function: { name: "get_weather" } }] },
  };

  it.each([
    ["anthropic-messages", "tool_use", /^toolu_/],
    ["gemini", "STOP", /^call_/],
    ["openai-chat", "tool_calls", /^call_/],
  ] as const)("ends a %s stream with tool calls, deterministic ids and the protocol's raw finish", (protocol, raw, prefix) => {
    const run = (): StreamEvent[] => {
      const adapter = emulating();
      const at = context(protocol);
      request(adapter, streamRequests[protocol], at);
      const chain = openStreamAdapters([adapter], at);
      return [...events.flatMap((event) => chain.push(event).value), ...chain.end().value];
    };
    const out = run();
    expect(out.map((event) => event.type)).toEqual(["start", "tool-call-start", "tool-call-delta", "tool-call-end", "finish"]);
    const start = out[1];
    expect(start?.type === "tool-call-start" ? start.id : "").toMatch(prefix);
    expect(out.at(-1)).toEqual({ type: "finish", finishReason: { unified: "tool_calls", raw } });
    expect(run()).toEqual(out);
  });
});
