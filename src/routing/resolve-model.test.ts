import { describe, expect, it } from "vitest";
import { createProviderRegistry, readProviderEnvironment, type ModelInfo } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { parseModelAliases } from "./parse-model-aliases.js";
import { resolveModel, type ResolveModelOptions } from "./resolve-model.js";

function registryFor(env: Record<string, string>) {
  return createProviderRegistry({ settings: readProviderEnvironment(env).settings });
}

const providers = registryFor({
  OPENAI_API_KEY: "k1",
  OPENROUTER_API_KEY: "k2",
  OPENROUTER_MODELS: "anthropic/claude-x,meta/llama-4",
  GROQ_API_KEY: "k3",
  GROQ_MODELS: "llama-4,gpt-5",
});

function resolved(model: string, options: Partial<ResolveModelOptions> = {}) {
  const result = resolveModel(model, { providers, ...options });
  return { provider: result.provider.id, upstreamModel: result.upstreamModel, via: result.via, alias: result.alias?.pattern };
}

function notFound(model: string, options: Partial<ResolveModelOptions> = {}): GatewayError {
  try {
    resolveModel(model, { providers, ...options });
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected not_found");
}

describe("resolveModel", () => {
  it("routes provider/model by the first segment, keeping slashes in the model", () => {
    expect(resolved("openai/gpt-5")).toEqual({ provider: "openai", upstreamModel: "gpt-5", via: "provider-prefix", alias: undefined });
    expect(resolved("openrouter/anthropic/claude-x")).toEqual({ provider: "openrouter", upstreamModel: "anthropic/claude-x", via: "provider-prefix", alias: undefined });
  });

  it("resolves bare names: exact alias, then glob alias, then model lists, then the default provider", () => {
    const aliases = parseModelAliases("claude-*=openai/gpt-5.5, fast=groq/llama-4, claude-opus=openrouter/anthropic/claude-x, big=llama-4");
    expect(resolved("claude-opus", { aliases })).toEqual({ provider: "openrouter", upstreamModel: "anthropic/claude-x", via: "alias", alias: "claude-opus" });
    expect(resolved("claude-sonnet-4-5", { aliases })).toEqual({ provider: "openai", upstreamModel: "gpt-5.5", via: "glob-alias", alias: "claude-*" });
    expect(resolved("fast", { aliases })).toEqual({ provider: "groq", upstreamModel: "llama-4", via: "alias", alias: "fast" });
    expect(resolved("big", { aliases })).toEqual({ provider: "groq", upstreamModel: "llama-4", via: "alias", alias: "big" });
    // The first active provider (registry order) whose list has the name.
    expect(resolved("gpt-5")).toEqual({ provider: "openai", upstreamModel: "gpt-5", via: "model-list", alias: undefined });
    expect(resolved("meta/llama-4")).toEqual({ provider: "openrouter", upstreamModel: "meta/llama-4", via: "model-list", alias: undefined });
    expect(resolved("mystery-model", { defaultProvider: "groq" })).toEqual({ provider: "groq", upstreamModel: "mystery-model", via: "default-provider", alias: undefined });
  });

  it("substitutes glob captures into the target", () => {
    const aliases = parseModelAliases("claude-*=openrouter/anthropic/claude-*");
    expect(resolved("claude-opus-5", { aliases })).toMatchObject({ provider: "openrouter", upstreamModel: "anthropic/claude-opus-5" });
  });

  it("consults discovered model lists instead of the static ones when given", () => {
    const models = { peek: (id: string): readonly ModelInfo[] => (id === "groq" ? [{ id: "kimi-k2" }, { id: "gpt-5" }] : []) };
    expect(resolved("kimi-k2", { models })).toMatchObject({ provider: "groq", via: "model-list" });
    expect(resolved("gpt-5", { models })).toMatchObject({ provider: "groq", via: "model-list" });
  });

  it("serves any name from the demo provider when nothing is configured", () => {
    const demo = createProviderRegistry();
    const result = resolveModel("claude-sonnet-4-5", { providers: demo });
    expect({ provider: result.provider.id, upstreamModel: result.upstreamModel, via: result.via }).toEqual({
      provider: "demo",
      upstreamModel: "claude-sonnet-4-5",
      via: "demo",
    });
    expect(resolveModel("demo/anything", { providers: demo }).via).toBe("provider-prefix");
  });

  it("says what was tried when nothing matches", () => {
    const error = notFound("anthropic/claude-y", { aliases: parseModelAliases("a=b") });
    expect(error.code).toBe("not_found");
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe(
      'model "anthropic/claude-y" not found: provider "anthropic" is not active (no key: set ANTHROPIC_API_KEY); none of 1 aliases match; ' +
        "no configured provider lists it (checked openai, openrouter, groq); no default provider is set (SWITCHYARD_DEFAULT_PROVIDER)",
    );
    expect(notFound("nothing-here").message).toBe(
      'model "nothing-here" not found: no aliases are configured; no configured provider lists it (checked openai, openrouter, groq); ' +
        "no default provider is set (SWITCHYARD_DEFAULT_PROVIDER)",
    );
    expect(notFound("acme/x").message).toContain('"acme" is not a configured provider');
    expect(notFound("x", { defaultProvider: "mistral" }).message).toContain('the default provider "mistral" is not active');
    expect(notFound("claude-3", { aliases: parseModelAliases("claude-*=anthropic/claude-3") }).message).toBe(
      'model "claude-3" matches alias "claude-*" → "anthropic/claude-3", but provider "anthropic" is not active (no key: set ANTHROPIC_API_KEY); ' +
        "no configured provider lists it (checked openai, openrouter, groq); no default provider is set (SWITCHYARD_DEFAULT_PROVIDER)",
    );
  });

  it("rejects an empty model", () => {
    expect(() => resolveModel("  ", { providers })).toThrow("model: is required");
  });
});
