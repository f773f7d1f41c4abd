import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { mergeFallbackGroups, parseFallbackGroups } from "./parse-fallback-groups.js";

function parseError(text: string): string {
  try {
    parseFallbackGroups(text);
  } catch (error) {
    if (GatewayError.isInstance(error) && error.code === "config") return error.message;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("parseFallbackGroups", () => {
  it("parses name=target|target;… keeping order, ignoring whitespace and empty entries", () => {
    expect(parseFallbackGroups(" coding = anthropic/claude-x | openai/gpt-y|gemini/gemini-z ;; fast=groq/a|openrouter/meta/llama-4 ;")).toEqual([
      { name: "coding", targets: ["anthropic/claude-x", "openai/gpt-y", "gemini/gemini-z"] },
      { name: "fast", targets: ["groq/a", "openrouter/meta/llama-4"] },
    ]);
    expect(parseFallbackGroups("")).toEqual([]);
  });

  it("names the variable and the entry for malformed input", () => {
    expect(parseError("coding")).toBe('SWITCHYARD_FALLBACK_GROUPS: "coding" is not name=provider/model|provider/model (e.g. coding=anthropic/claude-x|openai/gpt-y)');
    expect(parseError("coding=")).toBe('SWITCHYARD_FALLBACK_GROUPS: "coding=" is not name=provider/model|provider/model (e.g. coding=anthropic/claude-x|openai/gpt-y)');
    expect(parseError("bad name=openai/x")).toBe('SWITCHYARD_FALLBACK_GROUPS: "bad name=openai/x" is not name=provider/model|provider/model (e.g. coding=anthropic/claude-x|openai/gpt-y)');
    expect(parseError("coding=gpt-y|openai/x")).toBe('SWITCHYARD_FALLBACK_GROUPS: group "coding": "gpt-y" is not provider/model');
    expect(parseError("coding=openai/x|openai/x")).toBe('SWITCHYARD_FALLBACK_GROUPS: group "coding": "openai/x" is listed twice');
    expect(parseError("a=openai/x;a=groq/y")).toBe('SWITCHYARD_FALLBACK_GROUPS: group "a" is defined twice');
  });

  it("merges: an overriding group replaces the base group of the same name", () => {
    const merged = mergeFallbackGroups([{ name: "coding", targets: ["openai/x"] }], [
      { name: "coding", targets: ["groq/y"], stopOn: ["rate_limited"] },
      { name: "fast", targets: ["groq/z"] },
    ]);
    expect(merged).toEqual([
      { name: "coding", targets: ["openai/x"] },
      { name: "fast", targets: ["groq/z"] },
    ]);
  });
});
