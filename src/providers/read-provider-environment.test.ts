import { describe, expect, it } from "vitest";
import { readProviderEnvironment } from "./read-provider-environment.js";

describe("readProviderEnvironment", () => {
  it("keeps every key of a provider, unnumbered first, then _1…_N in numeric order, without duplicates", () => {
    const { settings } = readProviderEnvironment({
      OPENAI_API_KEY_10: "sk-key-ten-aaaaaaaaaaaaaaaa",
      OPENAI_API_KEY_2: "sk-key-two-aaaaaaaaaaaaaaaa",
      OPENAI_API_KEY: "sk-key-main-aaaaaaaaaaaaaaa",
      OPENAI_API_KEY_1: "sk-key-one-aaaaaaaaaaaaaaaa",
      OPENAI_API_KEY_3: "sk-key-two-aaaaaaaaaaaaaaaa",
    });
    expect(settings).toHaveLength(1);
    expect(settings[0]?.id).toBe("openai");
    expect(settings[0]?.credentials?.map((credential) => credential.secret)).toEqual([
      "sk-key-main-aaaaaaaaaaaaaaa",
      "sk-key-one-aaaaaaaaaaaaaaaa",
      "sk-key-two-aaaaaaaaaaaaaaaa",
      "sk-key-ten-aaaaaaaaaaaaaaaa",
    ]);
    expect(settings[0]?.credentials?.every((credential) => credential.id.startsWith("openai:"))).toBe(true);
  });

  it("overrides a known provider's base URL and reads _PROTOCOL and _MODELS", () => {
    const { settings } = readProviderEnvironment({
      ANTHROPIC_API_KEY: "anthropic-test-key",
      ANTHROPIC_API_BASE: "http://127.0.0.1:4010",
      OPENAI_PROTOCOL: "openai-responses",
      OPENAI_MODELS: " gpt-a, ,gpt-b ",
    });
    expect(settings.map(({ credentials: _credentials, ...rest }) => rest)).toEqual([
      { id: "anthropic", origin: { kind: "environment" }, baseUrl: "http://127.0.0.1:4010" },
      { id: "openai", origin: { kind: "environment" }, protocol: "openai-responses", models: ["gpt-a", "gpt-b"] },
    ]);
  });

  it("defines a new provider from an unknown NAME with _API_BASE (lower case, underscores to hyphens)", () => {
    const { settings, ignored } = readProviderEnvironment({
      MY_LLM_API_BASE: "http://127.0.0.1:9000/v1",
      MY_LLM_API_KEY: "my-llm-secret-value",
      MY_LLM_PROTOCOL: "anthropic-messages",
      MY_LLM_MODELS: "alpha",
    });
    expect(ignored).toEqual([]);
    expect(settings).toHaveLength(1);
    expect(settings[0]).toMatchObject({ id: "my-llm", baseUrl: "http://127.0.0.1:9000/v1", protocol: "anthropic-messages", models: ["alpha"] });
    expect(settings[0]?.credentials?.[0]?.id).toMatch(/^my-llm:[0-9a-f]{10}$/);
  });

  it("ignores SWITCHYARD_*, unrelated variables, empty values and keys of unknown names without a base", () => {
    const result = readProviderEnvironment({
      SWITCHYARD_API_KEY: "x",
      SWITCHYARD_PROXY_KEYS: "y",
      LANGSMITH_API_KEY: "unrelated-key",
      HOME: "/root",
      PATH: "/usr/bin",
      GROQ_API_KEY: "   ",
      MISTRAL_API_BASE: "",
      SOMETHING_PROTOCOL: "gemini",
    });
    expect(result).toEqual({ settings: [], ignored: ["LANGSMITH_API_KEY"] });
  });

  it("rejects an unknown protocol and a base URL that is not a URL, naming the variable (never echoing a base value)", () => {
    expect(() => readProviderEnvironment({ OPENAI_API_KEY: "k", OPENAI_PROTOCOL: "grpc" })).toThrow(
      'OPENAI_PROTOCOL: "grpc" is not a protocol; use one of openai-chat, openai-responses, anthropic-messages, gemini',
    );
    expect(() => readProviderEnvironment({ OPENAI_API_BASE: "sk-pasted-by-mistake" })).toThrow("OPENAI_API_BASE: not an absolute http(s) URL");
    expect(() => readProviderEnvironment({ MY__X_API_BASE: "http://127.0.0.1:1" })).toThrow('MY__X_API_BASE: "MY__X" does not make a provider id');
  });
});
