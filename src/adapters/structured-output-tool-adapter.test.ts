import { describe, expect, it } from "vitest";
import type { ProtocolId, StreamEvent, UnifiedRequest } from "../unified/index.js";
import type { AdapterContext, WireBody } from "./adapter.js";
import { createAdapterRegistry } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";
import { openStreamAdapters } from "./run-adapter-chain.js";

const registry = createAdapterRegistry(builtinAdapterFactories);
const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };

function context(protocol: ProtocolId, request?: UnifiedRequest): AdapterContext {
  return { protocol, provider: "p", model: "m", stream: false, ...(request === undefined ? {} : { request }) };
}

function run(protocol: ProtocolId, body: WireBody, request?: UnifiedRequest) {
  const adapter = registry.create("structured-output-tool");
  const at = context(protocol, request);
  const before = structuredClone(body);
  const pass = adapter.request?.(body, at);
  expect(body).toEqual(before);
  return { adapter, at, pass };
}

const description = "Give your final answer by calling this tool; its arguments are the answer and must follow the schema.";

describe("structured-output-tool, request side", () => {
  it("replaces Chat's json_schema response format with a forced tool (golden)", () => {
    const { pass } = run("openai-chat", { model: "m", messages: [], response_format: { type: "json_schema", json_schema: { name: "reply", schema } } });
    expect(pass?.value).toEqual({
      model: "m",
      messages: [],
      tools: [{ type: "function", function: { name: "structured_output", description, parameters: schema } }],
      tool_choice: { type: "function", function: { name: "structured_output" } },
    });
    expect(pass?.changes.map((change) => change.path)).toEqual(["response_format", "tools"]);
  });

  it("uses the decoded client request when the codec dropped the format (Anthropic target, golden)", () => {
    const request = { responseFormat: { type: "json_schema", schema } } as unknown as UnifiedRequest;
    const { pass } = run("anthropic-messages", { model: "m", max_tokens: 10, messages: [] }, request);
    expect(pass?.value).toEqual({
      model: "m",
      max_tokens: 10,
      messages: [],
      tools: [{ name: "structured_output", description, input_schema: schema }],
      tool_choice: { type: "tool", name: "structured_output" },
    });
  });

  it("removes Gemini's response schema and forces the function (golden)", () => {
    const { pass } = run("gemini", { contents: [], generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema, temperature: 0 } });
    expect(pass?.value).toEqual({
      contents: [],
      generationConfig: { temperature: 0 },
      tools: [{ functionDeclarations: [{ name: "structured_output", description, parametersJsonSchema: schema }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["structured_output"] } },
    });
  });

  it("does not force the tool when the client has tools, and tells the model instead", () => {
    const clientTool = { type: "function", name: "lookup", parameters: {} };
    const { pass } = run("openai-responses", { model: "m", input: [], tools: [clientTool], text: { format: { type: "json_schema", name: "r", schema } } });
    expect(pass?.value).toEqual({
      model: "m",
      input: [],
      tools: [clientTool, { type: "function", name: "structured_output", description, parameters: schema }],
      instructions: 'When you give your final answer, give it by calling the tool "structured_output".',
    });
  });

  it("forces the tool when the client's own tool choice is none: this turn's answer is the final one (Chat, golden)", () => {
    const clientTool = { type: "function", function: { name: "lookup", parameters: {} } };
    const { pass } = run("openai-chat", { model: "m", messages: [], tools: [clientTool], tool_choice: "none", response_format: { type: "json_schema", json_schema: { name: "r", schema } } });
    expect(pass?.value).toEqual({
      model: "m",
      messages: [],
      tools: [clientTool, { type: "function", function: { name: "structured_output", description, parameters: schema } }],
      tool_choice: { type: "function", function: { name: "structured_output" } },
    });
    expect(pass?.changes.map((change) => change.path)).toEqual(["response_format", "tools", "tool_choice"]);
  });

  it("keeps a client's named tool choice and instructs instead (Anthropic, golden)", () => {
    const clientTool = { name: "lookup", input_schema: { type: "object" } };
    const request = { responseFormat: { type: "json_schema", schema } } as unknown as UnifiedRequest;
    const { pass } = run("anthropic-messages", { model: "m", max_tokens: 5, messages: [], tools: [clientTool], tool_choice: { type: "tool", name: "lookup" } }, request);
    expect(pass?.value).toEqual({
      model: "m",
      max_tokens: 5,
      messages: [],
      tools: [clientTool, { name: "structured_output", description, input_schema: schema }],
      tool_choice: { type: "tool", name: "lookup" },
      system: 'When you give your final answer, give it by calling the tool "structured_output".',
    });
  });

  it("forces through Gemini's NONE mode, replacing a snake_case tool_config (golden)", () => {
    const clientTool = { function_declarations: [{ name: "lookup" }] };
    const { pass } = run("gemini", { contents: [], tools: [clientTool], tool_config: { function_calling_config: { mode: "NONE" } }, generationConfig: { responseJsonSchema: schema } });
    expect(pass?.value).toEqual({
      contents: [],
      generationConfig: {},
      tools: [clientTool, { functionDeclarations: [{ name: "structured_output", description, parametersJsonSchema: schema }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["structured_output"] } },
    });
  });

  it("leaves requests without a json_schema format unchanged", () => {
    const body = { model: "m", messages: [], response_format: { type: "json_object" } };
    const { adapter, at, pass } = run("openai-chat", body);
    expect(pass?.value).toBe(body);
    expect(adapter.engaged?.(at)).toBe(false);
  });
});

describe("structured-output-tool, response and stream side", () => {
  it("unwraps the tool call into text with a stop (Anthropic and Chat, golden)", () => {
    const anthropic = run("anthropic-messages", { messages: [] }, { responseFormat: { type: "json_schema", schema } } as unknown as UnifiedRequest);
    const unwrapped = anthropic.adapter.response?.(
      { id: "msg", type: "message", role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "structured_output", input: { answer: "42" } }], stop_reason: "tool_use" },
      anthropic.at,
    );
    expect(unwrapped?.value).toEqual({ id: "msg", type: "message", role: "assistant", content: [{ type: "text", text: '{"answer":"42"}' }], stop_reason: "end_turn" });

    const chat = run("openai-chat", { messages: [], response_format: { type: "json_schema", json_schema: { name: "r", schema } } });
    const message = { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "structured_output", arguments: '{"answer":"42"}' } }] };
    expect(chat.adapter.response?.({ choices: [{ index: 0, message, finish_reason: "tool_calls" }] }, chat.at).value).toEqual({
      choices: [{ index: 0, message: { role: "assistant", content: '{"answer":"42"}' }, finish_reason: "stop" }],
    });
  });

  it("turns the streamed tool call into a text block and the finish into stop", () => {
    const { adapter, at } = run("anthropic-messages", { messages: [] }, { responseFormat: { type: "json_schema", schema } } as unknown as UnifiedRequest);
    const chain = openStreamAdapters([adapter], at);
    const events: StreamEvent[] = [
      { type: "start" },
      { type: "tool-call-start", index: 0, id: "t", name: "structured_output", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"answer":' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '"42"}' },
      { type: "tool-call-end", index: 0 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" } },
    ];
    expect(events.flatMap((event) => chain.push(event).value)).toEqual([
      { type: "start" },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: '{"answer":' },
      { type: "text-delta", index: 0, text: '"42"}' },
      { type: "text-end", index: 0 },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
    ]);
  });
});
