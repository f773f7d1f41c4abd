import { describe, expect, it } from "vitest";
import type { ProtocolId } from "../unified/index.js";
import type { WireBody } from "./adapter.js";
import { createAdapterRegistry, type AdapterReference } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";

const registry = createAdapterRegistry(builtinAdapterFactories);

function context(protocol: ProtocolId, model: string) {
  return { protocol, provider: "p", model, stream: false };
}

function request(reference: AdapterReference, protocol: ProtocolId, model: string, body: WireBody) {
  const before = structuredClone(body);
  const pass = registry.create(reference).request?.(body, context(protocol, model));
  expect(body).toEqual(before);
  return pass;
}

describe("reasoning-normalize, aliases", () => {
  it("moves reasoning / thinking on request messages to reasoning_content (golden)", () => {
    const pass = request("reasoning-normalize", "openai-chat", "deepseek-reasoner", {
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: "a", reasoning: "because" },
        { role: "assistant", content: "b", thinking: "hmm", reasoning_content: "kept" },
      ],
    });
    expect(pass?.value).toEqual({
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: "a", reasoning_content: "because" },
        { role: "assistant", content: "b", reasoning_content: "kept" },
      ],
    });
    expect(pass?.changes).toEqual([
      { path: "messages[1].reasoning_content", action: "moved", detail: "from reasoning" },
      { path: "messages[2].reasoning_content", action: "moved", detail: "from thinking" },
    ]);
  });

  it("moves response message reasoning to a configured target (golden)", () => {
    const adapter = registry.create({ name: "reasoning-normalize", options: { target: "reasoning" } });
    const pass = adapter.response?.({ choices: [{ index: 0, message: { role: "assistant", content: "x", reasoning_content: "r" } }] }, context("openai-chat", "m"));
    expect(pass?.value).toEqual({ choices: [{ index: 0, message: { role: "assistant", content: "x", reasoning: "r" } }] });
  });
});

describe("reasoning-normalize, effort ↔ budget", () => {
  it("gives Gemini 3 a level for a budget and Gemini 2.5 a budget for a level (auto)", () => {
    const three = request("reasoning-normalize", "gemini", "gemini-3-pro", { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } } });
    expect(three?.value).toEqual({ contents: [], generationConfig: { thinkingConfig: { includeThoughts: true, thinkingLevel: "medium" } } });
    expect(three?.warnings.map((warning) => warning.code)).toEqual(["reasoning-effort-mapped"]);
    const flash = request("reasoning-normalize", "gemini", "gemini-2.5-flash", { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: "high" } } });
    expect(flash?.value).toEqual({ contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 16384 } } });
    const dynamic = { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: -1 } } };
    expect(request("reasoning-normalize", "gemini", "gemini-3-pro", dynamic)?.value).toBe(dynamic);
  });

  it("turns a Chat reasoning_effort into a budget field and back", () => {
    const toBudget = request({ name: "reasoning-normalize", options: { effort: "budget" } }, "openai-chat", "qwen3", { messages: [], reasoning_effort: "low" });
    expect(toBudget?.value).toEqual({ messages: [], reasoning: { max_tokens: 2048 } });
    const toEffort = request({ name: "reasoning-normalize", options: { effort: "effort", budgetPath: "thinking_budget" } }, "openai-chat", "m", { messages: [], thinking_budget: 9000 });
    expect(toEffort?.value).toEqual({ messages: [], reasoning_effort: "medium" });
  });

  it("turns an Anthropic effort into a thinking budget", () => {
    const pass = request({ name: "reasoning-normalize", options: { effort: "budget" } }, "anthropic-messages", "claude-sonnet-4", { messages: [], output_config: { effort: "high" } });
    expect(pass?.value).toEqual({ messages: [], thinking: { type: "enabled", budget_tokens: 16384 } });
  });

  it("keeps Chat bodies as they are in auto mode", () => {
    const body = { messages: [], reasoning_effort: "high" };
    expect(request("reasoning-normalize", "openai-chat", "m", body)?.value).toBe(body);
  });
});

describe("reasoning-normalize, stream side (wire data of a passthrough stream)", () => {
  it("renames the delta's alias to the target in each chunk (golden)", () => {
    const adapter = registry.create("reasoning-normalize");
    const chunk = { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", reasoning: "step one", reasoning_details: [{ type: "reasoning.text", text: "step one" }] }, finish_reason: null }] };
    const pass = adapter.streamData?.(chunk, context("openai-chat", "m"));
    expect(pass?.value).toEqual({
      id: "c",
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta: { role: "assistant", reasoning_details: [{ type: "reasoning.text", text: "step one" }], reasoning_content: "step one" }, finish_reason: null }],
    });
    expect(pass?.changes).toEqual([{ path: "choices[0].delta.reasoning_content", action: "moved", detail: "from reasoning" }]);
    // Its triggers let the rewrite skip parsing chunks that carry no alias.
    expect(adapter.streamDataTriggers).toEqual(['"reasoning"', '"thinking"']);
  });

  it("renames to a configured target, and leaves chunks without aliases and other protocols alone", () => {
    const adapter = registry.create({ name: "reasoning-normalize", options: { target: "reasoning" } });
    const chunk = { choices: [{ index: 0, delta: { reasoning_content: "r" } }] };
    expect(adapter.streamData?.(chunk, context("openai-chat", "m")).value).toEqual({ choices: [{ index: 0, delta: { reasoning: "r" } }] });
    const plain = { choices: [{ index: 0, delta: { content: "text" } }] };
    expect(adapter.streamData?.(plain, context("openai-chat", "m")).value).toBe(plain);
    const anthropic = { type: "content_block_delta", delta: { type: "thinking_delta", thinking: "t" } };
    expect(adapter.streamData?.(anthropic, context("anthropic-messages", "m")).value).toBe(anthropic);
  });
});
