import { z } from "zod";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../unified/index.js";
import { unchanged, type Adapter } from "./adapter.js";
import { adapterChainConfigSchema, resolveAdapterChain } from "./adapter-chain-config.js";
import { createAdapterRegistry, defineAdapterFactory } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";
import { openStreamAdapters, runRequestAdapters } from "./run-adapter-chain.js";


const registry = createAdapterRegistry(builtinAdapterFactories);
const codex = { protocol: "openai-responses", provider: "codex", model: "gpt-5-codex", stream: true } as const;

describe("adapter chains", () => {
  it("resolves provider defaults, provider config and model rules in order, with param-policy last", () => {
    const config = adapterChainConfigSchema.parse({
      providers: { codex: [{ name: "param-policy", options: { preset: "codex" } }, "drop-empty-assistant"] },
      models: [
        { match: "codex/gpt-5*", adapters: [{ name: "model-override", options: { model: "gpt-5.1-codex" } }] },
        { match: "other-*", adapters: ["json-mode"] },
      ],
    });
    const chain = resolveAdapterChain(registry, config, { provider: "codex", model: "gpt-5-codex", declared: ["suppress-developer-role"] });
    expect(chain.map((adapter) => adapter.name)).toEqual(["suppress-developer-role", "drop-empty-assistant", "model-override", "param-policy"]);
  });

  it("lets config disable a provider default with enabled: false", () => {
    const config = adapterChainConfigSchema.parse({ providers: { codex: [{ name: "suppress-developer-role", enabled: false }] } });
    expect(resolveAdapterChain(registry, config, { provider: "codex", model: "m", declared: ["suppress-developer-role", "tool-args-repair"] }).map((adapter) => adapter.name)).toEqual(["tool-args-repair"]);
  });

  it("rejects unknown adapter names and unknown config keys", () => {
    expect(() => registry.create("nope")).toThrow('unknown adapter "nope"');
    expect(adapterChainConfigSchema.safeParse({ provider: {} }).success).toBe(false);
  });

  it("runs every pass in order over the previous output and records each for the trace", () => {
    const chain = resolveAdapterChain(registry, undefined, {
      provider: "codex",
      model: "gpt-5-codex",
      declared: [{ name: "param-policy", options: { preset: "codex" } }, { name: "suppress-developer-role", options: { to: "system" } }, { name: "field-rename", options: { renames: [{ from: "max_tokens", to: "max_output_tokens" }] } }],
    });
    const body = { model: "gpt-5-codex", input: [{ role: "developer", content: "d" }], max_tokens: 5 };
    const result = runRequestAdapters(chain, body, codex);
    expect(result.value).toEqual({ model: "gpt-5-codex", input: [{ role: "system", content: "d" }] });
    expect(result.passes.map((pass) => [pass.adapter, pass.changes.map((change) => `${change.action} ${change.path}`)])).toEqual([
      ["suppress-developer-role", ["set input[0].role"]],
      ["field-rename", ["moved max_output_tokens"]],
      ["param-policy", ["removed max_output_tokens"]],
    ]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(["param-dropped"]);
  });

  it("records unchanged passes without a value and wraps adapter bugs as internal errors naming the adapter", () => {
    const broken: Adapter = { name: "broken", phase: "normal", request: () => { throw new TypeError("boom"); } };
    const idle: Adapter = { name: "idle", phase: "normal", request: (body) => unchanged(body) };
    expect(runRequestAdapters([idle], { a: 1 }, codex).passes).toEqual([{ adapter: "idle", side: "request", changes: [], warnings: [] }]);
    expect(() => runRequestAdapters([broken], { a: 1 }, codex)).toThrow('adapter "broken" failed on the request side: boom');
  });

  it("feeds stream events through adapters in order and drains held events at end", () => {
    const holdFactory = defineAdapterFactory({
      name: "hold-text",
      description: "test: holds text deltas until the stream ends",
      options: z.strictObject({ suffix: z.string() }),
      create: ({ suffix }) => ({
        name: "hold-text",
        phase: "normal",
        openStream() {
          const held: StreamEvent[] = [];
          return {
            push: (event) => (event.type === "text-delta" ? (held.push({ ...event, text: event.text + suffix }), { value: [], changes: [], warnings: [] }) : unchanged([event])),
            end: () => ({ value: held.splice(0), changes: [{ path: "text", action: "set" }], warnings: [] }),
          };
        },
      }),
    });
    const local = createAdapterRegistry([holdFactory]);
    const stream = openStreamAdapters([local.create({ name: "hold-text", options: { suffix: "1" } }), local.create({ name: "hold-text", options: { suffix: "2" } })], codex);
    expect(stream.push({ type: "text-delta", index: 0, text: "a" }).value).toEqual([]);
    const ended = stream.end();
    expect(ended.value).toEqual([{ type: "text-delta", index: 0, text: "a12" }]);
    expect(ended.passes.map((pass) => pass.adapter)).toEqual(["hold-text", "hold-text"]);
  });
});
