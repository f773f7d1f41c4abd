import { describe, expect, it } from "vitest";
import { createProviderRegistry, readProviderEnvironment } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { parseFallbackGroups } from "./parse-fallback-groups.js";
import { parseModelAliases } from "./parse-model-aliases.js";
import { resolveRoute } from "./resolve-route.js";

const providers = createProviderRegistry({
  settings: readProviderEnvironment({ OPENAI_API_KEY: "k1", ANTHROPIC_API_KEY: "k2", GEMINI_API_KEY: "k3", GROQ_API_KEY: "k4" }).settings,
});
const groups = parseFallbackGroups("coding=anthropic/claude-x|openai/gpt-y|gemini/gemini-z;fast=groq/a|cerebras/b|openai/gpt-y");

function route(model: string, aliases = "") {
  const resolved = resolveRoute(model, { providers, groups, aliases: parseModelAliases(aliases) });
  return { group: resolved.group?.name, targets: resolved.targets.map((target) => `${target.provider.id}/${target.upstreamModel} ${target.via}`) };
}

function notFound(model: string, aliases = ""): string {
  try {
    resolveRoute(model, { providers, groups, aliases: parseModelAliases(aliases) });
  } catch (error) {
    if (GatewayError.isInstance(error) && error.code === "not_found") return error.message;
    throw error;
  }
  throw new Error("expected not_found");
}

describe("resolveRoute", () => {
  it("resolves group/<name> to the group's targets in order", () => {
    expect(route("group/coding")).toEqual({ group: "coding", targets: ["anthropic/claude-x group", "openai/gpt-y group", "gemini/gemini-z group"] });
  });

  it("resolves an alias pointing at a group (exact and glob), keeping the alias", () => {
    expect(route("claude-sonnet", "claude-*=group/coding")).toEqual({ group: "coding", targets: ["anthropic/claude-x group", "openai/gpt-y group", "gemini/gemini-z group"] });
    const resolved = resolveRoute("quick", { providers, groups, aliases: parseModelAliases("quick=group/fast") });
    expect(resolved.targets.map((target) => target.alias?.pattern)).toEqual(["quick", "quick"]);
  });

  it("promotes a requested provider/model that is a member (first group listing it) to first", () => {
    expect(route("openai/gpt-y")).toEqual({ group: "coding", targets: ["openai/gpt-y group", "anthropic/claude-x group", "gemini/gemini-z group"] });
    expect(route("gemini/gemini-z")).toEqual({ group: "coding", targets: ["gemini/gemini-z group", "anthropic/claude-x group", "openai/gpt-y group"] });
  });

  it("skips members whose provider is not active (cerebras has no key)", () => {
    expect(route("group/fast")).toEqual({ group: "fast", targets: ["groq/a group", "openai/gpt-y group"] });
  });

  it("leaves everything else to resolveModel: one target, no group", () => {
    expect(route("openai/gpt-other")).toEqual({ group: undefined, targets: ["openai/gpt-other provider-prefix"] });
    expect(route("claude-sonnet", "claude-*=openai/gpt-y")).toEqual({ group: undefined, targets: ["openai/gpt-y glob-alias"] });
  });

  it("an unknown group is not_found naming the configured ones", () => {
    expect(notFound("group/nope")).toBe('fallback group "nope" does not exist; configured: coding, fast');
    expect(notFound("claude-x", "claude-*=group/nope")).toBe('model "claude-x" matches alias "claude-*" → "group/nope", but fallback group "nope" does not exist; configured: coding, fast');
  });
});
