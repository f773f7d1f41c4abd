import { describe, expect, it } from "vitest";
import { parseDuration, parseResetHint, parseRetryAfter } from "./parse-retry-after.js";

const now = Date.parse("2026-11-02T10:00:00Z");

describe("parseRetryAfter", () => {
  it("prefers retry-after-ms, then retry-after seconds or HTTP date, then Gemini RetryInfo", () => {
    expect(parseRetryAfter({ "retry-after-ms": "250.4", "retry-after": "9" }, undefined, now)).toBe(251);
    expect(parseRetryAfter({ "retry-after": "9" }, undefined, now)).toBe(9000);
    expect(parseRetryAfter({ "retry-after": "0.5" }, undefined, now)).toBe(500);
    expect(parseRetryAfter({ "retry-after": "Mon, 02 Nov 2026 10:01:00 GMT" }, undefined, now)).toBe(60_000);
    expect(parseRetryAfter({ "retry-after": "Mon, 02 Nov 2026 09:00:00 GMT" }, undefined, now)).toBe(0);
    const gemini = { error: { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "3.25s" }] } };
    expect(parseRetryAfter({}, gemini, now)).toBe(3250);
    expect(parseRetryAfter({ "retry-after": "2" }, gemini, now)).toBe(2000);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter({ "retry-after": "soon", "retry-after-ms": "-1" }, { error: { details: [{ "@type": "x.RetryInfo", retryDelay: "3m" }] } }, now)).toBeUndefined();
    expect(parseRetryAfter({}, "text", now)).toBeUndefined();
  });

  it("reads protobuf durations in both JSON forms", () => {
    expect(parseDuration("12s")).toBe(12_000);
    expect(parseDuration({ seconds: "1", nanos: 500_000_000 })).toBe(1500);
    expect(parseDuration(12)).toBeUndefined();
  });
});

describe("parseResetHint (when no retry-after was given)", () => {
  it("reads the reset of the exhausted rate-limit window, the latest when several are", () => {
    expect(parseResetHint({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1.5s", "x-ratelimit-remaining-tokens": "900", "x-ratelimit-reset-tokens": "6m0s" }, undefined, "", now)).toBe(1500);
    expect(parseResetHint({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1.5s", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s" }, undefined, "", now)).toBe(360_000);
    expect(parseResetHint({ "anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": "2026-11-02T10:00:30Z" }, undefined, "", now)).toBe(30_000);
    // A window with quota left says nothing about this failure.
    expect(parseResetHint({ "x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "1s" }, undefined, "", now)).toBeUndefined();
  });

  it("reads Gemini's quotaResetDelay and quotaResetTimeStamp", () => {
    const delay = { error: { details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", metadata: { quotaResetDelay: "1h2m3s" } }] } };
    expect(parseResetHint({}, delay, "", now)).toBe(3_723_000);
    const stamp = [{ error: { details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", metadata: { quotaResetTimeStamp: "2026-11-03T00:00:00Z" } }] } }];
    expect(parseResetHint({}, stamp, "", now)).toBe(14 * 3_600_000);
  });

  it("reads a wait named in the message", () => {
    expect(parseResetHint({}, undefined, "Rate limit reached. Please try again in 20s.", now)).toBe(20_000);
    expect(parseResetHint({}, undefined, "Your quota will reset after 1h2m3s.", now)).toBe(3_723_000);
    expect(parseResetHint({}, undefined, "please retry in 1.5 seconds", now)).toBe(1500);
    expect(parseResetHint({}, undefined, "try again in 2 minutes", now)).toBe(120_000);
    expect(parseResetHint({}, undefined, "try again later", now)).toBeUndefined();
  });
});
