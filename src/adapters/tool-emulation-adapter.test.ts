import { describe, expect, it } from "vitest";
import { GatewayError, type StreamEvent } from "../unified/index.js";
import type { Adapter, AdapterContext, WireBody } from "./adapter.js";
import { createAdapterRegistry } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";
import { openStreamAdapters } from "./run-adapter-chain.js";

const registry = createAdapterRegistry(builtinAdapterFactories);

function context(now: number, protocol: AdapterContext["protocol"] = "openai-chat"): AdapterContext {
  return { protocol, provider: "openrouter", model: "liquid/lfm", stream: false, now: () => now };
}

const rejection = new GatewayError("not_found", "No endpoints found that support tool use. To learn more about provider routing, visit: https://openrouter.ai/docs/provider-routing", {
  upstreamStatus: 404,
});

const weather = { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

const requestBody: WireBody = {
  model: "liquid/lfm",
  tools: [weather],
  tool_choice: "auto",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Paris?" },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
    { role: "tool", tool_call_id: "call_1", content: "sunny" },
  ],
};

function request(adapter: Adapter, body: WireBody, at: AdapterContext) {
  if (adapter.request === undefined) throw new Error("no request side");
  const before = structuredClone(body);
  const pass = adapter.request(body, at);
  expect(body).toEqual(before);
  return pass;
}

describe("tool-emulation", () => {
  it("passes tools through until the provider rejects them, then emulates for the TTL", () => {
    const adapter = registry.create({ name: "tool-emulation", options: { ttlMs: 1_000 } });
    expect(request(adapter, requestBody, context(0)).value).toBe(requestBody);
    expect(adapter.recover?.(new GatewayError("not_found", "model not found"), context(0))).toBe(false);
    expect(adapter.recover?.(rejection, context(0))).toBe(true);
    expect(request(adapter, requestBody, context(500)).value).not.toBe(requestBody);
    expect(request(adapter, requestBody, context(1_000)).value).toBe(requestBody);
  });

  it("renders tools as instructions and the tool history as text (golden)", () => {
    const adapter = registry.create({ name: "tool-emulation", options: { always: true, preamble: "Tools:" } });
    const at = context(0);
    const pass = request(adapter, requestBody, at);
    expect(pass.value).toEqual({
      model: "liquid/lfm",
      messages: [
        {
          role: "system",
          content:
            "Be brief.\n\nTools:\n" +
            'To call tools, reply with only this JSON and nothing else: {"tool_calls":[{"name":"<tool name>","arguments":{<arguments>}}]}\n' +
            "The arguments must follow the tool's JSON schema. When no tool is needed, reply normally in plain text.\n" +
            'Results of your tool calls come back in user messages that start with "Tool result".\n' +
            'Tools:\n[{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]',
        },
        { role: "user", content: "Paris?" },
        { role: "assistant", content: '{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}' },
        { role: "user", content: "Tool result (get_weather, call call_1):\nsunny" },
      ],
    });
    expect(pass.warnings.map((warning) => warning.code)).toEqual(["tools-emulated"]);
    expect(adapter.engaged?.(at)).toBe(true);
    expect(adapter.engaged?.(context(0))).toBe(false);
  });

  it("turns a textual call in the response into a real tool call", () => {
    const adapter = registry.create({ name: "tool-emulation", options: { always: true } });
    const at = context(0);
    request(adapter, requestBody, at);
    const response = { id: "x", choices: [{ index: 0, message: { role: "assistant", content: 'get_weather(city="Lyon")' }, finish_reason: "stop" }] };
    const pass = adapter.response?.(response, at);
    const choice = (pass?.value["choices"] as Array<Record<string, unknown>>)[0];
    expect(choice?.["finish_reason"]).toBe("tool_calls");
    expect(choice?.["message"]).toMatchObject({ role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Lyon"}' } }] });
  });

  it("holds streamed text that may be a call and emits tool-call events instead", () => {
    const adapter = registry.create({ name: "tool-emulation", options: { always: true } });
    const at = context(0);
    request(adapter, requestBody, at);
    const chain = openStreamAdapters([adapter], at);
    const input: StreamEvent[] = [
      { type: "start", id: "r" },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: '{"tool":"get_' },
      { type: "text-delta", index: 0, text: 'weather","arguments":{"city":"Nice"}}' },
      { type: "text-end", index: 0 },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
    ];
    const out = [...input.flatMap((event) => chain.push(event).value), ...chain.end().value];
    expect(out.map((event) => (event.type === "tool-call-start" ? { ...event, id: "id" } : event))).toEqual([
      { type: "start", id: "r" },
      { type: "tool-call-start", index: 0, id: "id", name: "get_weather", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":"Nice"}' },
      { type: "tool-call-end", index: 0 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
    ]);
  });

  it("holds a JSON line after streamed prose until it is known to be a call", () => {
    const adapter = registry.create({ name: "tool-emulation", options: { always: true } });
    const at = context(0);
    request(adapter, requestBody, at);
    const chain = openStreamAdapters([adapter], at);
    chain.push({ type: "text-start", index: 0 });
    expect(chain.push({ type: "text-delta", index: 0, text: "Let me see.\n" }).value).toEqual([
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Let me see." },
    ]);
    expect(chain.push({ type: "text-delta", index: 0, text: '{"name":"get_weather","arguments":{"city":"Metz"}}' }).value).toEqual([]);
    const ended = chain.push({ type: "text-end", index: 0 }).value;
    expect(ended.map((event) => event.type)).toEqual(["text-end", "tool-call-start", "tool-call-delta", "tool-call-end"]);
    expect(ended[2]).toEqual({ type: "tool-call-delta", index: 1, argumentsDelta: '{"city":"Metz"}' });
  });

  it("lets prose stream out as soon as it cannot be a call, holding only a possible special token", () => {
    const adapter = registry.create({ name: "tool-emulation", options: { always: true } });
    const at = context(0);
    request(adapter, requestBody, at);
    const chain = openStreamAdapters([adapter], at);
    expect(chain.push({ type: "text-start", index: 0 }).value).toEqual([]);
    expect(chain.push({ type: "text-delta", index: 0, text: "Sure" }).value).toEqual([
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Sure" },
    ]);
    expect(chain.push({ type: "text-delta", index: 0, text: ", checking <|tool" }).value).toEqual([{ type: "text-delta", index: 0, text: ", checking " }]);
    expect(chain.push({ type: "text-delta", index: 0, text: '_call_start|>get_weather(city="Oslo")<|tool_call_end|>' }).value).toEqual([]);
    const ended = chain.push({ type: "text-end", index: 0 }).value;
    expect(ended.map((event) => event.type)).toEqual(["text-end", "tool-call-start", "tool-call-delta", "tool-call-end"]);
    expect(ended[1]).toMatchObject({ index: 1, name: "get_weather" });
  });
});
