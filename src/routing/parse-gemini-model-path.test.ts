import { describe, expect, it } from "vitest";
import { parseGeminiModelPath } from "./parse-gemini-model-path.js";

describe("parseGeminiModelPath", () => {
  it("reads the model and method from Gemini paths under any prefix", () => {
    expect(parseGeminiModelPath("/v1beta/models/gemini-2.5-pro:generateContent")).toEqual({ model: "gemini-2.5-pro", method: "generateContent" });
    expect(parseGeminiModelPath("/v1/models/gemini-2.5-flash:streamGenerateContent")).toEqual({ model: "gemini-2.5-flash", method: "streamGenerateContent" });
    expect(parseGeminiModelPath("/proxy/v1beta/models/models/gemini-2.5-pro:countTokens")).toEqual({ model: "gemini-2.5-pro", method: "countTokens" });
    expect(parseGeminiModelPath("/v1beta/models/gemini-2.5-pro")).toEqual({ model: "gemini-2.5-pro" });
  });

  it("keeps provider/model, whether the slashes are raw or encoded", () => {
    expect(parseGeminiModelPath("/v1beta/models/openrouter/anthropic/claude-x:generateContent")).toEqual({
      model: "openrouter/anthropic/claude-x",
      method: "generateContent",
    });
    expect(parseGeminiModelPath("/v1beta/models/openai%2Fgpt-5:streamGenerateContent")).toEqual({ model: "openai/gpt-5", method: "streamGenerateContent" });
  });

  it("keeps colons of Ollama tags in the model", () => {
    expect(parseGeminiModelPath("/v1beta/models/ollama/llama3:8b:generateContent")).toEqual({ model: "ollama/llama3:8b", method: "generateContent" });
    expect(parseGeminiModelPath("/v1beta/models/ollama/qwen3:latest")).toEqual({ model: "ollama/qwen3:latest" });
  });

  it("returns undefined without a models segment and rejects bad encodings", () => {
    expect(parseGeminiModelPath("/v1/chat/completions")).toBeUndefined();
    expect(() => parseGeminiModelPath("/v1beta/models/%E0%A4%A:generateContent")).toThrow("not valid percent-encoding");
    expect(() => parseGeminiModelPath("/v1beta/models/:generateContent")).toThrow("the URL names no model");
  });
});
