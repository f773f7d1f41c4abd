import { describe, expect, it } from "vitest";
import { passthroughBodyText, replaceModelInBody } from "./replace-model-in-body.js";

describe("replaceModelInBody", () => {
  it("changes only the model value and keeps the rest of the text byte for byte", () => {
    const raw = '{"model": "claude-x","messages":[{"role":"user","content":"model: claude-x"}],"n":1.0}';
    const out = replaceModelInBody(raw, JSON.parse(raw) as Record<string, unknown>, "gpt-5");
    expect(out).toBe('{"model":"gpt-5","messages":[{"role":"user","content":"model: claude-x"}],"n":1.0}');
  });

  it("returns the same text when the model does not change", () => {
    const raw = '{"model":"a", "x": 1}';
    expect(replaceModelInBody(raw, JSON.parse(raw) as Record<string, unknown>, "a")).toBe(raw);
  });

  it("re-serializes when the pair is ambiguous (a nested object has the same model pair)", () => {
    const raw = '{"model":"a","metadata":{"model":"a"}}';
    const out = replaceModelInBody(raw, JSON.parse(raw) as Record<string, unknown>, "b");
    expect(JSON.parse(out)).toEqual({ model: "b", metadata: { model: "a" } });
  });
});

describe("passthroughBodyText", () => {
  it("routes the model also when no body text was kept (library calls), and leaves Gemini bodies alone", () => {
    const body = { model: "openai/gpt-x", messages: [] };
    expect(passthroughBodyText("openai-chat", undefined, body, "gpt-x")).toBe('{"model":"gpt-x","messages":[]}');
    expect(passthroughBodyText("anthropic-messages", '{"model":"openai/gpt-x","messages":[]}', body, "gpt-x")).toBe('{"model":"gpt-x","messages":[]}');
    expect(passthroughBodyText("gemini", undefined, { contents: [] }, "gemini-x")).toBe('{"contents":[]}');
  });
});
