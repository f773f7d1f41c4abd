import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createCredential } from "./create-credential.js";
import { createProviderRegistry } from "./create-provider-registry.js";
import { readProviderEnvironment } from "./read-provider-environment.js";

const plantedSecret = "sk-planted-secret-0123456789abcdef";

function fromEnvironment(env: Record<string, string>, demo?: { enabled?: boolean }) {
  return createProviderRegistry({ settings: readProviderEnvironment(env).settings, ...(demo === undefined ? {} : { demo }) });
}

describe("createProviderRegistry", () => {
  it("serves the demo provider alone when nothing is configured", () => {
    const registry = createProviderRegistry();
    expect(registry.demoActive).toBe(true);
    expect(registry.providers.map((provider) => provider.id)).toEqual(["demo"]);
    expect(registry.get("demo")?.credentials.map((credential) => credential.id)).toEqual(["demo:keyless"]);
    expect(registry.inactiveReason("openai")).toBe("no key: set OPENAI_API_KEY");
    expect(registry.inactiveReason("ollama")).toBe("not enabled: set OLLAMA_API_BASE (default http://127.0.0.1:11434/v1) or enable it in config");
    expect(registry.known("anthropic")?.displayName).toBe("Anthropic");
  });

  it("activates keyed providers, drops the demo, and keeps keys in order", () => {
    const registry = fromEnvironment({ OPENAI_API_KEY: plantedSecret, OPENAI_API_KEY_1: "sk-second-key-abcdefghijklmnop" });
    expect(registry.demoActive).toBe(false);
    expect(registry.inactiveReason("demo")).toBe("other providers are configured");
    const openai = registry.get("openai");
    expect(openai).toMatchObject({ protocol: "openai-chat", protocols: ["openai-chat", "openai-responses"], baseUrl: "https://api.openai.com/v1", custom: false });
    expect(openai?.credentials.map((credential) => credential.id)).toEqual([createCredential("openai", plantedSecret).id, "openai:ba3b291f43"]);
  });

  it("picks another supported protocol, and refuses one the provider does not speak (naming the variable)", () => {
    expect(fromEnvironment({ OPENAI_API_KEY: "k", OPENAI_PROTOCOL: "openai-responses" }).get("openai")?.protocol).toBe("openai-responses");
    expect(() => fromEnvironment({ OPENAI_API_KEY: "k", OPENAI_PROTOCOL: "gemini" })).toThrow(
      "OPENAI_PROTOCOL: openai speaks openai-chat, openai-responses, not gemini (to use another protocol, also set its base URL to an endpoint that speaks it)",
    );
  });

  it("lets a base URL override take any protocol (how tests point providers at mock upstreams)", () => {
    const anthropic = fromEnvironment({ ANTHROPIC_API_KEY: "k", ANTHROPIC_API_BASE: "http://127.0.0.1:4010/", ANTHROPIC_PROTOCOL: "openai-chat" }).get("anthropic");
    expect(anthropic).toMatchObject({ protocol: "openai-chat", protocols: ["openai-chat"], baseUrl: "http://127.0.0.1:4010", baseUrls: { "openai-chat": "http://127.0.0.1:4010" } });
    expect(anthropic?.headers).toEqual({ "anthropic-version": "2023-06-01" });
  });

  it("activates local servers only with a base URL or enabled in config, keyless", () => {
    const registry = fromEnvironment({ OLLAMA_API_BASE: "http://127.0.0.1:11434/v1", VLLM_API_KEY: "vllm-key" });
    expect(registry.get("ollama")?.credentials.map((credential) => credential.id)).toEqual(["ollama:keyless"]);
    expect(registry.get("vllm")).toBeUndefined();
    expect(registry.warnings).toEqual(["VLLM_API_KEY is set but vllm is local and stays inactive until VLLM_API_BASE is set"]);
    const enabled = createProviderRegistry({ settings: [{ id: "lmstudio", origin: { kind: "file", path: "/etc/switchyard.json" }, enabled: true }] });
    expect(enabled.get("lmstudio")?.baseUrl).toBe("http://127.0.0.1:1234/v1");
  });

  it("defines custom providers with their protocol's auth and discovery, keyless allowed", () => {
    const registry = fromEnvironment({ CLAUDE_PROXY_API_BASE: "http://127.0.0.1:7000", CLAUDE_PROXY_PROTOCOL: "anthropic-messages" });
    const custom = registry.get("claude-proxy");
    expect(custom).toMatchObject({ custom: true, protocol: "anthropic-messages", baseUrl: "http://127.0.0.1:7000", discovery: { shape: "anthropic" } });
    expect(custom?.definition.auth).toEqual({ type: "header", name: "x-api-key" });
    expect(custom?.headers).toEqual({ "anthropic-version": "2023-06-01" });
    expect(custom?.credentials[0]?.id).toBe("claude-proxy:keyless");
  });

  it("turns discovery off when the model list is given", () => {
    const openai = fromEnvironment({ OPENAI_API_KEY: "k", OPENAI_MODELS: "gpt-x,gpt-y" }).get("openai");
    expect(openai?.models).toEqual([{ id: "gpt-x" }, { id: "gpt-y" }]);
    expect(openai?.discovery).toBeUndefined();
  });

  it("names the file field for impossible settings and warns about settings that do nothing", () => {
    const file = { kind: "file", path: "/srv/switchyard.json" } as const;
    expect(() => createProviderRegistry({ settings: [{ id: "openai", origin: file, enabled: true }] })).toThrow(
      "/srv/switchyard.json: providers.openai.enabled: openai needs a key: set OPENAI_API_KEY",
    );
    expect(() => createProviderRegistry({ settings: [{ id: "mystery", origin: file, protocol: "gemini" }] })).toThrow(
      '/srv/switchyard.json: providers.mystery.baseUrl: "mystery" is not a known provider, so it needs a base URL',
    );
    expect(() => createProviderRegistry({ settings: [{ id: "demo", origin: file, baseUrl: "http://127.0.0.1:1" }] })).toThrow(
      '/srv/switchyard.json: providers.demo.baseUrl: "demo" is the built-in demo provider',
    );
    const registry = createProviderRegistry({ settings: [{ id: "groq", origin: { kind: "environment" }, baseUrl: "http://127.0.0.1:1" }] });
    expect(registry.warnings).toEqual(["groq has settings but no key, so it stays inactive (set GROQ_API_KEY)"]);
  });

  it("merges settings per field, later origins winning, and honours enabled: false", () => {
    const file = { kind: "file", path: "/srv/switchyard.json" } as const;
    const registry = createProviderRegistry({
      settings: [
        { id: "openai", origin: file, headers: { "OpenAI-Organization": "org-1" }, displayName: "OpenAI (work)" },
        ...readProviderEnvironment({ OPENAI_API_KEY: "k", GROQ_API_KEY: "g" }).settings,
        { id: "groq", origin: file, enabled: false },
      ],
    });
    expect(registry.get("openai")).toMatchObject({ displayName: "OpenAI (work)", headers: { "openai-organization": "org-1" } });
    expect(registry.get("groq")).toBeUndefined();
    expect(registry.inactiveReason("groq")).toBe("disabled by config");
  });

  it("never serializes or inspects a secret", () => {
    const registry = fromEnvironment({ OPENAI_API_KEY: plantedSecret, CUSTOM_API_BASE: "http://127.0.0.1:1", CUSTOM_API_KEY: plantedSecret });
    expect(JSON.stringify(registry.providers)).not.toContain(plantedSecret);
    expect(JSON.stringify(registry)).not.toContain(plantedSecret);
    expect(inspect(registry.providers, { depth: 20 })).not.toContain(plantedSecret);
  });

  it("can force the demo on beside other providers, or off", () => {
    expect(fromEnvironment({ OPENAI_API_KEY: "k" }, { enabled: true }).providers.map((provider) => provider.id)).toEqual(["openai", "demo"]);
    const off = createProviderRegistry({ demo: { enabled: false } });
    expect(off.providers).toEqual([]);
    expect(off.inactiveReason("demo")).toBe("disabled by config");
  });
});
