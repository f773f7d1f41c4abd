import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { builtinProviders } from "./builtin-providers.js";
import { defineProvider } from "./define-provider.js";
import type { ProviderDeclaration } from "./provider-declaration.js";

const minimal: ProviderDeclaration = {
  id: "acme-ai",
  displayName: "Acme AI",
  protocol: "openai-chat",
  baseUrl: "https://api.acme.test/v1/",
  auth: { type: "bearer" },
  keyRequired: true,
};

function configErrorOf(declaration: unknown): GatewayError {
  try {
    defineProvider(declaration as ProviderDeclaration);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("defineProvider", () => {
  it("normalizes a declaration: defaults, trailing slash, lower-case header names, discovery from the protocol", () => {
    const definition = defineProvider({ ...minimal, headers: { "X-Custom": "1" }, forwardHeaders: ["Anthropic-Beta"], auth: { type: "header", name: "X-Api-Key" } });
    expect(definition).toMatchObject({
      id: "acme-ai",
      protocols: ["openai-chat"],
      baseUrl: "https://api.acme.test/v1",
      auth: { type: "header", name: "x-api-key" },
      headers: { "x-custom": "1" },
      forwardHeaders: ["anthropic-beta"],
      local: false,
      envName: "ACME_AI",
      models: { static: [], discovery: { shape: "openai" } },
      capabilities: { tools: true, vision: true, reasoning: true, streaming: true },
    });
    expect(Object.isFrozen(definition)).toBe(true);
  });

  it("names the offending field in a config error", () => {
    expect(configErrorOf({ ...minimal, id: "Acme_AI" }).message).toBe('provider "Acme_AI": id: expected a kebab-case id (e.g. my-provider)');
    expect(configErrorOf({ ...minimal, baseUrl: "api.acme.test" }).message).toBe('provider "acme-ai": baseUrl: expected an absolute http(s) URL');
    expect(configErrorOf({ ...minimal, auth: { type: "header" } }).message).toContain("auth.name:");
    expect(configErrorOf({ ...minimal, protocol: "soap" }).message).toContain("protocol: Invalid option");
    expect(configErrorOf({ ...minimal, colour: "blue" }).message).toBe('provider "acme-ai": colour: unknown field');
    expect(configErrorOf({ ...minimal, hooks: { adjustRequest: "no" } }).message).toBe('provider "acme-ai": hooks.adjustRequest: expected a function');
    expect(configErrorOf({ ...minimal, models: { static: ["ok", ""] } }).message).toContain("models.static[1]");
    expect(configErrorOf({ ...minimal, protocols: ["openai-responses"] }).message).toBe(
      'provider "acme-ai": protocols: must include the default protocol "openai-chat"',
    );
    expect(configErrorOf({ ...minimal, id: "1x" }).code).toBe("config");
  });

  it("validates every built-in declaration", () => {
    expect(builtinProviders.map((provider) => [provider.id, provider.envName, provider.baseUrl, provider.auth.type])).toEqual([
      ["openai", "OPENAI", "https://api.openai.com/v1", "bearer"],
      ["anthropic", "ANTHROPIC", "https://api.anthropic.com", "header"],
      ["gemini", "GEMINI", "https://generativelanguage.googleapis.com", "header"],
      ["openrouter", "OPENROUTER", "https://openrouter.ai/api/v1", "bearer"],
      ["groq", "GROQ", "https://api.groq.com/openai/v1", "bearer"],
      ["mistral", "MISTRAL", "https://api.mistral.ai/v1", "bearer"],
      ["deepseek", "DEEPSEEK", "https://api.deepseek.com", "bearer"],
      ["xai", "XAI", "https://api.x.ai/v1", "bearer"],
      ["nvidia", "NVIDIA", "https://integrate.api.nvidia.com/v1", "bearer"],
      ["together", "TOGETHER", "https://api.together.xyz/v1", "bearer"],
      ["fireworks", "FIREWORKS", "https://api.fireworks.ai/inference/v1", "bearer"],
      ["cerebras", "CEREBRAS", "https://api.cerebras.ai/v1", "bearer"],
      ["chutes", "CHUTES", "https://llm.chutes.ai/v1", "bearer"],
      ["ollama", "OLLAMA", "http://127.0.0.1:11434/v1", "bearer"],
      ["llamacpp", "LLAMACPP", "http://127.0.0.1:8080/v1", "bearer"],
      ["vllm", "VLLM", "http://127.0.0.1:8000/v1", "bearer"],
      ["lmstudio", "LMSTUDIO", "http://127.0.0.1:1234/v1", "bearer"],
    ]);
    const local = builtinProviders.filter((provider) => provider.local).map((provider) => provider.id);
    expect(local).toEqual(["ollama", "llamacpp", "vllm", "lmstudio"]);
    expect(builtinProviders.every((provider) => provider.keyRequired !== provider.local)).toBe(true);
  });
});
