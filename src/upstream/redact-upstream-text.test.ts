import { describe, expect, it } from "vitest";
import { excerptUpstreamText, redactUpstreamText } from "./redact-upstream-text.js";

describe("redactUpstreamText", () => {
  it("removes known key shapes, auth forms and exact secrets", () => {
    expect(redactUpstreamText("key sk-ant-api03-abcdefghijklmnop and AIzaSyA1234567890abcdefghij")).toBe("key [redacted] and [redacted]");
    expect(redactUpstreamText("Authorization: Bearer abc.def-ghi")).toBe("Authorization: Bearer [redacted]");
    expect(redactUpstreamText("GET /v1beta/models?key=AIzaXYZ&alt=sse")).toBe("GET /v1beta/models?key=[redacted]&alt=sse");
    expect(redactUpstreamText('{"api_key":"plain","x":1}')).toBe('{"api_key":"[redacted]","x":1}');
    expect(redactUpstreamText("your key hunter2-custom was rejected", ["hunter2-custom"])).toBe("your key [redacted] was rejected");
    expect(redactUpstreamText("gsk_abcdefghijklmnopqrstu nvapi-abcdefghijklmnop")).toBe("[redacted] [redacted]");
    expect(redactUpstreamText("model gpt-4o-mini-2024-07-18 not found")).toBe("model gpt-4o-mini-2024-07-18 not found");
  });

  it("makes bounded, collapsed excerpts after redaction", () => {
    expect(excerptUpstreamText("a\n\n  b", [], 10)).toBe("a b");
    expect(excerptUpstreamText("x".repeat(20), [], 10)).toBe(`${"x".repeat(9)}…`);
  });
});
