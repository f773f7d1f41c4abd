import { describe, expect, it } from "vitest";
import { matchRoute } from "./match-route.js";

describe("matchRoute", () => {
  it("routes by suffix whatever the prefix", () => {
    expect(matchRoute("POST", "/v1/messages", {})).toEqual({ kind: "call", protocol: "anthropic-messages", operation: "generate" });
    expect(matchRoute("POST", "/anthropic/v1/messages", {})).toEqual({ kind: "call", protocol: "anthropic-messages", operation: "generate" });
    expect(matchRoute("POST", "/v1/messages/count_tokens", {})).toEqual({
      kind: "call",
      protocol: "anthropic-messages",
      operation: "count-tokens",
    });
    expect(matchRoute("POST", "/openai/v1/chat/completions", {})).toEqual({ kind: "call", protocol: "openai-chat", operation: "generate" });
    expect(matchRoute("POST", "/v1/responses", {})).toEqual({ kind: "call", protocol: "openai-responses", operation: "generate" });
    expect(matchRoute("GET", "/v1/responses/resp_1", {})).toEqual({ kind: "responses-store", responseId: "resp_1", action: "retrieve" });
    expect(matchRoute("DELETE", "/v1/responses/resp_1", {})).toEqual({ kind: "responses-store", responseId: "resp_1", action: "delete" });
    expect(matchRoute("GET", "/v1/responses/resp_1/input_items", {})).toEqual({ kind: "responses-store", responseId: "resp_1", action: "input-items" });
    expect(matchRoute("POST", "/openai/v1/responses/resp_1/cancel", {})).toEqual({ kind: "responses-store", responseId: "resp_1", action: "cancel" });
    expect(matchRoute("POST", "/v1/responses/resp_1", {})).toBeUndefined();
    expect(matchRoute("DELETE", "/v1/responses/resp_1/input_items", {})).toBeUndefined();
    expect(matchRoute("POST", "/v1/embeddings", {})).toEqual({ kind: "call", protocol: "openai-chat", operation: "embed" });
  });

  it("reads the Gemini model and streaming from the URL under /v1 and /v1beta", () => {
    expect(matchRoute("POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent", {})).toEqual({
      kind: "call",
      protocol: "gemini",
      operation: "generate",
      model: "gemini-2.5-pro",
      stream: true,
    });
    expect(matchRoute("POST", "/v1/models/openai/gpt-5:generateContent", {})).toEqual({
      kind: "call",
      protocol: "gemini",
      operation: "generate",
      model: "openai/gpt-5",
      stream: false,
    });
    expect(matchRoute("POST", "/v1beta/models/g:countTokens", {})).toMatchObject({ operation: "count-tokens" });
  });

  it("answers HEAD / and HEAD /api/hello, and picks the model-list shape from the client", () => {
    expect(matchRoute("HEAD", "/", {})).toEqual({ kind: "hello" });
    expect(matchRoute("HEAD", "/api/hello", {})).toEqual({ kind: "hello" });
    expect(matchRoute("GET", "/v1/models", {})).toEqual({ kind: "list-models", shape: "openai" });
    expect(matchRoute("GET", "/v1/models", { "anthropic-version": "2023-06-01" })).toEqual({ kind: "list-models", shape: "anthropic" });
    expect(matchRoute("GET", "/v1beta/models", {})).toEqual({ kind: "list-models", shape: "gemini" });
    expect(matchRoute("GET", "/v1/models", { "x-goog-api-key": "k" })).toEqual({ kind: "list-models", shape: "gemini" });
  });

  it("returns undefined for unknown paths", () => {
    expect(matchRoute("POST", "/v1/unknown", {})).toBeUndefined();
  });
});
