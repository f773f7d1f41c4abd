import { describe, expect, it } from "vitest";
import { isModelGlob, matchModelPattern } from "./match-model-pattern.js";

describe("matchModelPattern", () => {
  it("matches literals exactly and globs across slashes, returning the captures", () => {
    expect(matchModelPattern("gpt-5", "gpt-5")).toEqual([]);
    expect(matchModelPattern("gpt-5", "gpt-5-mini")).toBeUndefined();
    expect(matchModelPattern("claude-*", "claude-sonnet-4-5")).toEqual(["sonnet-4-5"]);
    expect(matchModelPattern("*/claude-*", "openrouter/anthropic/claude-x")).toEqual(["openrouter/anthropic", "x"]);
    expect(matchModelPattern("o?-mini", "o4-mini")).toEqual(["4"]);
    expect(matchModelPattern("gpt-4.1*", "gpt-401")).toBeUndefined();
    expect(matchModelPattern("a+b*", "a+bc")).toEqual(["c"]);
    expect(isModelGlob("claude-*")).toBe(true);
    expect(isModelGlob("claude")).toBe(false);
  });
});
