import { describe, expect, it } from "vitest";
import { parseResetDuration, readRateLimitHeaders } from "./read-rate-limit-headers.js";

const now = Date.parse("2026-11-02T10:00:00Z");

describe("readRateLimitHeaders", () => {
  it("reads OpenAI-style headers with Go durations", () => {
    expect(
      readRateLimitHeaders(
        {
          "x-ratelimit-limit-requests": "500",
          "x-ratelimit-remaining-requests": "499",
          "x-ratelimit-reset-requests": "120ms",
          "x-ratelimit-limit-tokens": "30000",
          "x-ratelimit-remaining-tokens": "29000",
          "x-ratelimit-reset-tokens": "6m0.5s",
        },
        now,
      ),
    ).toEqual({ requests: { limit: 500, remaining: 499, resetAfterMs: 120 }, tokens: { limit: 30000, remaining: 29000, resetAfterMs: 360_500 } });
  });

  it("reads Anthropic headers with RFC 3339 resets", () => {
    expect(
      readRateLimitHeaders(
        {
          "anthropic-ratelimit-requests-limit": "50",
          "anthropic-ratelimit-requests-remaining": "0",
          "anthropic-ratelimit-requests-reset": "2026-11-02T10:00:12Z",
          "anthropic-ratelimit-input-tokens-remaining": "1000",
        },
        now,
      ),
    ).toEqual({ requests: { limit: 50, remaining: 0, resetAfterMs: 12_000 }, inputTokens: { remaining: 1000 } });
  });

  it("returns undefined without rate-limit headers", () => {
    expect(readRateLimitHeaders({ "content-type": "application/json" }, now)).toBeUndefined();
    expect(parseResetDuration("1h2m3s")).toBe(3_723_000);
    expect(parseResetDuration("soon")).toBeUndefined();
  });
});
