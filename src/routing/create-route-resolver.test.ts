import { describe, expect, it } from "vitest";
import { createProviderRegistry, readProviderEnvironment, type ModelInfo } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { createRouteResolver } from "./create-route-resolver.js";
import { parseModelAliases } from "./parse-model-aliases.js";

const providers = createProviderRegistry({
  settings: readProviderEnvironment({ OPENAI_API_KEY: "k1", ANTHROPIC_API_KEY: "k2" }).settings,
});

/** A discovered model list that can change between requests, as discovery refreshes it. */
function changingLists(initial: Record<string, string[]>) {
  const lists = { ...initial };
  return {
    lists,
    lookup: { peek: (providerId: string): readonly ModelInfo[] => (lists[providerId] ?? []).map((id) => ({ id })) },
  };
}

const describeTarget = (route: ReturnType<ReturnType<typeof createRouteResolver>>) => route.targets.map((target) => `${target.provider.id}/${target.upstreamModel} ${target.via}`);

describe("createRouteResolver", () => {
  it("answers provider/model and aliases to provider/model as resolveRoute does, the same each time", () => {
    const resolve = createRouteResolver({ providers, aliases: parseModelAliases("claude-*=openai/gpt-*") });
    expect(describeTarget(resolve("anthropic/claude-x"))).toEqual(["anthropic/claude-x provider-prefix"]);
    expect(describeTarget(resolve("claude-mini"))).toEqual(["openai/gpt-mini glob-alias"]);
    expect(describeTarget(resolve("claude-mini"))).toEqual(["openai/gpt-mini glob-alias"]);
    expect(describeTarget(resolve("anthropic/claude-x"))).toEqual(["anthropic/claude-x provider-prefix"]);
  });

  it("follows the discovered model lists when they decided a bare name", () => {
    const { lists, lookup } = changingLists({ openai: ["shared-model"] });
    const resolve = createRouteResolver({ providers, models: lookup });
    expect(describeTarget(resolve("shared-model"))).toEqual(["openai/shared-model model-list"]);
    lists["openai"] = [];
    lists["anthropic"] = ["shared-model"];
    expect(describeTarget(resolve("shared-model"))).toEqual(["anthropic/shared-model model-list"]);
  });

  it("keeps failing for a model nothing resolves, and resolves it once a list has it", () => {
    const { lists, lookup } = changingLists({});
    const resolve = createRouteResolver({ providers, models: lookup });
    expect(() => resolve("new-model")).toThrow(GatewayError);
    expect(() => resolve("new-model")).toThrow(/not found/);
    lists["anthropic"] = ["new-model"];
    expect(describeTarget(resolve("new-model"))).toEqual(["anthropic/new-model model-list"]);
  });
});
