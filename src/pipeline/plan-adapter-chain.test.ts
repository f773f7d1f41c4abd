import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { createProviderRegistry, readProviderEnvironment, type ConfiguredProvider } from "../providers/index.js";
import { mayAdaptPassthroughText } from "./apply-adapter-chain.js";
import { createAdapterPlanner, emptyAdapterPlan } from "./plan-adapter-chain.js";

const registry = createProviderRegistry({ settings: readProviderEnvironment({ ANTHROPIC_API_KEY: "sk-ant-test", OPENAI_API_KEY: "sk-test" }).settings });

function provider(id: string): ConfiguredProvider {
  const found = registry.get(id);
  if (found === undefined) throw new Error(`no provider ${id}`);
  return found;
}

describe("createAdapterPlanner", () => {
  it("gives providers with nothing declared or configured the shared empty plan", () => {
    const planner = createAdapterPlanner();
    expect(planner(provider("openai"), "gpt-x")).toBe(emptyAdapterPlan);
  });

  it("resolves declared defaults, config and model rules once per target", () => {
    const planner = createAdapterPlanner({
      config: { providers: { openai: ["drop-empty-assistant"] }, models: [{ match: "openai/gpt-4*", adapters: [{ name: "model-override", options: { model: "m" } }] }] },
    });
    const plan = planner(provider("openai"), "gpt-4o");
    expect(plan.adapters.map((adapter) => adapter.name)).toEqual(["drop-empty-assistant", "model-override"]);
    expect(planner(provider("openai"), "gpt-4o")).toBe(plan);
    expect(planner(provider("openai"), "o3").adapters.map((adapter) => adapter.name)).toEqual(["drop-empty-assistant"]);
    expect(planner(provider("anthropic"), "claude").adapters.map((adapter) => adapter.name)).toEqual(["json-mode", "param-policy"]);
  });

  it("lets config remove a declared default", () => {
    const planner = createAdapterPlanner({ config: { providers: { anthropic: [{ name: "param-policy", enabled: false }] } } });
    expect(planner(provider("anthropic"), "claude").adapters.map((adapter) => adapter.name)).toEqual(["json-mode"]);
  });

  it("rejects unknown adapters and bad options when it is built", () => {
    expect(() => createAdapterPlanner({ config: { models: [{ match: "*", adapters: ["nope"] }] } })).toThrow(/unknown adapter "nope"/);
    expect(() => createAdapterPlanner({ config: { providers: { openai: [{ name: "cache-control", options: { maxBreakpoints: 9 } }] } } })).toThrow(/cache-control/);
  });

  it("skips parsing a passthrough body that names none of the chain's triggers", () => {
    const plan = createAdapterPlanner()(provider("anthropic"), "claude");
    expect(plan.passthroughTriggers).toEqual(['"json_object"', '"stream_options"']);
    expect(mayAdaptPassthroughText(plan, '{"model":"claude","messages":[]}')).toBe(false);
    expect(mayAdaptPassthroughText(plan, '{"model":"claude","stream_options":{"include_usage":true}}')).toBe(true);
    expect(mayAdaptPassthroughText(emptyAdapterPlan, '{"stream_options":{}}')).toBe(false);
    const anyBody = createAdapterPlanner({ config: { providers: { openai: ["drop-empty-assistant"] } } })(provider("openai"), "m");
    expect(mayAdaptPassthroughText(anyBody, "{}")).toBe(true);
    const roles = createAdapterPlanner({ config: { providers: { openai: ["json-mode", "suppress-developer-role"] } } })(provider("openai"), "m");
    expect(mayAdaptPassthroughText(roles, '{"model":"m","messages":[{"role":"user","content":"hi"}]}')).toBe(false);
    expect(mayAdaptPassthroughText(roles, '{"model":"m","messages":[{"role": "developer","content":"be brief"}]}')).toBe(true);
    expect(mayAdaptPassthroughText(roles, '{"model":"m","response_format":{"type":"json_object"},"messages":[]}')).toBe(true);
  });

  it("keeps what tool-emulation learnt when the target's chain is evicted and rebuilt", () => {
    const planner = createAdapterPlanner({ maxChains: 1 });
    const openrouter = createProviderRegistry({ settings: readProviderEnvironment({ OPENROUTER_API_KEY: "sk-or-test" }).settings }).get("openrouter");
    if (openrouter === undefined) throw new Error("no openrouter provider");
    const context = (model: string) => ({ protocol: "openai-chat" as const, provider: "openrouter", model, stream: false, now: () => 1_000 });
    const body = { model: "liquid/lfm", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f", parameters: {} } }] };
    const first = planner(openrouter, "liquid/lfm");
    const emulation = first.adapters.find((adapter) => adapter.name === "tool-emulation");
    expect(emulation?.recover?.(new GatewayError("not_found", "No endpoints found that support tool use."), context("liquid/lfm"))).toBe(true);
    // Another model fills the one-chain cache, so the first target's chain is rebuilt: a new adapter instance.
    planner(openrouter, "other/model");
    const rebuilt = planner(openrouter, "liquid/lfm").adapters.find((adapter) => adapter.name === "tool-emulation");
    expect(rebuilt).not.toBe(emulation);
    expect(rebuilt?.request?.(body, context("liquid/lfm")).value["tools"]).toBeUndefined();
    // The memory is per target: the other model still gets its native tools.
    const other = planner(openrouter, "other/model").adapters.find((adapter) => adapter.name === "tool-emulation");
    expect(other?.request?.(body, context("other/model")).value).toBe(body);
  });
});
