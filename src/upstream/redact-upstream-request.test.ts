import { describe, expect, it } from "vitest";
import { redactUpstreamRequest } from "./redact-upstream-request.js";

describe("redactUpstreamRequest", () => {
  it("drops credentials from headers and the query, and leaves out the body", () => {
    expect(
      redactUpstreamRequest({
        url: "https://query.example.test/v1beta/models/m:streamGenerateContent?alt=sse&key=AIzaSecretValue",
        method: "POST",
        headers: { authorization: "Bearer sk-x", "x-goog-api-key": "AIza", "x-custom-token": "t", "anthropic-version": "2023-06-01" },
        body: '{"secret":"prompt"}',
        providerId: "gemini",
        credentialId: "gemini:0123456789",
      }),
    ).toEqual({
      url: "https://query.example.test/v1beta/models/m:streamGenerateContent?alt=sse&key=[redacted]",
      method: "POST",
      headers: { authorization: "[redacted]", "x-goog-api-key": "[redacted]", "x-custom-token": "[redacted]", "anthropic-version": "2023-06-01" },
      providerId: "gemini",
      credentialId: "gemini:0123456789",
    });
  });
});
