import { describe, expect, it } from "vitest";
import { parseDuration, parseRetryAfter } from "./parse-retry-after.js";

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
