import { describe, expect, it } from "vitest";
import { GatewayError, type StreamEvent } from "../unified/index.js";
import { createAdapterRegistry } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";
import { repairToolArguments } from "./repair-truncated-json.js";
import { openStreamAdapters } from "./run-adapter-chain.js";

const adapter = createAdapterRegistry(builtinAdapterFactories).create("tool-args-repair");
const chat = { protocol: "openai-chat", provider: "minimax", model: "MiniMax-M2", stream: true } as const;

describe("repairToolArguments", () => {
  it("closes strings, objects and arrays, trimming a dangling key or separator", () => {
    expect(repairToolArguments('{"path": "src/a.ts", "content": "line1\\nli')).toEqual({ status: "repaired", text: '{"path":"src/a.ts","content":"line1\\nli"}' });
    expect(repairToolArguments('{"items": [1, 2, {"a": ')).toEqual({ status: "repaired", text: '{"items":[1,2]}' });
    expect(repairToolArguments('{"a": 1, "b": tru')).toEqual({ status: "repaired", text: '{"a":1}' });
    expect(repairToolArguments('{"a": "x\\')).toEqual({ status: "repaired", text: '{"a":"x"}' });
  });
  it("accepts valid and empty arguments and gives up on non-objects", () => {
    expect(repairToolArguments('{"a":1}')).toEqual({ status: "valid" });
    expect(repairToolArguments("")).toEqual({ status: "valid" });
    expect(repairToolArguments("not json")).toEqual({ status: "unrepairable" });
    expect(repairToolArguments("[1, 2")).toEqual({ status: "unrepairable" });
  });
});

describe("tool-args-repair adapter", () => {
  it("repairs Chat response tool calls and warns", () => {
    const body = { choices: [{ message: { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "write", arguments: '{"path": "a.ts", "text": "hel' } }] } }] };
    const before = structuredClone(body);
    const pass = adapter.response?.(body, chat);
    expect(body).toEqual(before);
    expect(pass).toEqual({
      value: { choices: [{ message: { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "write", arguments: '{"path":"a.ts","text":"hel"}' } }] } }] },
      changes: [{ path: "choices[0].message.tool_calls[0].function.arguments", action: "repaired", detail: "truncated JSON closed" }],
      warnings: [{ code: "tool-arguments-repaired", message: "choices[0].message.tool_calls[0].function.arguments: truncated tool-call arguments were closed", path: "choices[0].message.tool_calls[0].function.arguments" }],
    });
  });
  it("answers unrepairable arguments with a clear upstream_server error naming the tool, by default", () => {
    const body = { output: [{ type: "function_call", call_id: "c", name: "write_file", arguments: "oops" }] };
    let thrown: unknown;
    try {
      adapter.response?.(body, { ...chat, protocol: "openai-responses" });
    } catch (error) {
      thrown = error;
    }
    expect(GatewayError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: "upstream_server", httpStatus: 502, provider: "minimax" });
    expect((thrown as Error).message).toBe(
      'minimax/MiniMax-M2 answered tool call "write_file" whose arguments are not a JSON object and could not be repaired (output[0].arguments); tool-args-repair option onUnrepairable: "pass" forwards them as they are',
    );
  });
  it("passes unrepairable arguments on unchanged with a warning when onUnrepairable is pass, and on the request side", () => {
    const lenient = createAdapterRegistry(builtinAdapterFactories).create({ name: "tool-args-repair", options: { onUnrepairable: "pass" } });
    const body = { output: [{ type: "function_call", call_id: "c", name: "f", arguments: "oops" }] };
    const pass = lenient.response?.(body, { ...chat, protocol: "openai-responses" });
    expect(pass?.value).toBe(body);
    expect(pass?.warnings.map((warning) => warning.code)).toEqual(["tool-arguments-unrepairable"]);
    const history = { input: [{ type: "function_call", call_id: "c", name: "f", arguments: "oops" }] };
    expect(adapter.request?.(history, { ...chat, protocol: "openai-responses" }).warnings.map((warning) => warning.code)).toEqual(["tool-arguments-unrepairable"]);
  });
  it("ends a stream whose tool arguments cannot be repaired with one error event and nothing after it", () => {
    const stream = openStreamAdapters([adapter], chat);
    const events: StreamEvent[] = [
      { type: "start" },
      { type: "tool-call-start", index: 0, id: "a", name: "write_file", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: "not json" },
      { type: "tool-call-end", index: 0 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
    ];
    const out = [...events.flatMap((event) => stream.push(event).value), ...stream.end().value];
    expect(out.slice(0, 2)).toEqual(events.slice(0, 2));
    expect(out.slice(2)).toEqual([{ type: "error", error: { code: "upstream_server", httpStatus: 502, provider: "minimax", message: expect.stringContaining('tool call "write_file" whose arguments are not a JSON object') as unknown } }]);
  });
  it("repairs replayed history on the request side", () => {
    const body = { messages: [{ role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: '{"q": "x' } }] }] };
    expect(adapter.request?.(body, chat).value).toEqual({ messages: [{ role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: '{"q":"x"}' } }] }] });
  });
  it("holds stream deltas per call and emits the repaired arguments before tool-call-end", () => {
    const stream = openStreamAdapters([adapter], chat);
    const events: StreamEvent[] = [
      { type: "start" },
      { type: "tool-call-start", index: 0, id: "a", name: "f", kind: "function" },
      { type: "tool-call-start", index: 1, id: "b", name: "g", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"x":' },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"y": 1}' },
      { type: "tool-call-delta", index: 0, argumentsDelta: ' "abc' },
      { type: "tool-call-end", index: 1 },
      { type: "tool-call-end", index: 0 },
      { type: "finish", finishReason: { unified: "length", raw: "length" } },
    ];
    const out = events.flatMap((event) => stream.push(event).value);
    expect(out).toEqual([
      { type: "start" },
      { type: "tool-call-start", index: 0, id: "a", name: "f", kind: "function" },
      { type: "tool-call-start", index: 1, id: "b", name: "g", kind: "function" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"y": 1}' },
      { type: "tool-call-end", index: 1 },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"x":"abc"}' },
      { type: "tool-call-end", index: 0 },
      events[8],
    ]);
    expect(stream.end().value).toEqual([]);
  });
});
