import { describe, expect, it } from "vitest";
import { createProviderRegistry, type ConfiguredProvider } from "./create-provider-registry.js";
import { readProviderEnvironment } from "./read-provider-environment.js";
import { resolveModelCapabilities } from "./resolve-model-capabilities.js";

const openai = createProviderRegistry({ settings: readProviderEnvironment({ OPENAI_API_KEY: "k" }).settings }).get("openai") as ConfiguredProvider;

describe("resolveModelCapabilities", () => {
  it("layers defaults, matching rules, and discovered details", () => {
    expect(resolveModelCapabilities(openai, "gpt-5")).toEqual({ tools: true, vision: true, reasoning: true, streaming: true });
    expect(resolveModelCapabilities(openai, "gpt-4o")).toEqual({ tools: true, vision: true, reasoning: false, streaming: true });
    expect(resolveModelCapabilities(openai, "text-embedding-3-small")).toEqual({ tools: false, vision: false, reasoning: false, streaming: false });
    expect(resolveModelCapabilities(openai, "gpt-4o", { id: "gpt-4o", capabilities: { maxOutputTokens: 16384 } })).toEqual({
      tools: true,
      vision: true,
      reasoning: false,
      streaming: true,
      maxOutputTokens: 16384,
    });
  });
});
