import { describe, expect, it } from "vitest";
import { aliasesFromRecord, mergeModelAliases, parseModelAliases } from "./parse-model-aliases.js";

describe("parseModelAliases", () => {
  it("reads pattern=target lists, tolerating spaces and empty entries", () => {
    expect(parseModelAliases(" claude-*=openai/gpt-5.5 ,, sonnet = anthropic/claude-sonnet-4-5,")).toEqual([
      { pattern: "claude-*", target: "openai/gpt-5.5" },
      { pattern: "sonnet", target: "anthropic/claude-sonnet-4-5" },
    ]);
  });

  it("names the source and the entry when malformed", () => {
    expect(() => parseModelAliases("ok=a/b,broken")).toThrow('SWITCHYARD_ALIASES: "broken" is not pattern=target (e.g. claude-*=openai/gpt-5.5)');
    expect(() => parseModelAliases("=x", "aliases")).toThrow('aliases: "=x" is not pattern=target');
  });

  it("merges with the overriding list first and winning on equal patterns", () => {
    const fromFile = aliasesFromRecord({ fast: "groq/a", "claude-*": "openai/gpt-5" });
    expect(mergeModelAliases(parseModelAliases("fast=cerebras/b"), fromFile)).toEqual([
      { pattern: "fast", target: "cerebras/b" },
      { pattern: "claude-*", target: "openai/gpt-5" },
    ]);
  });
});
