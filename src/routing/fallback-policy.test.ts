import { describe, expect, it } from "vitest";
import { GatewayError, type GatewayErrorCode } from "../unified/index.js";
import { decideFallback, isCredentialProblem, isHardStop, mayFailOver, type FallbackDecision } from "./index.js";

const upstream = (code: GatewayErrorCode, status?: number, retryAfterMs?: number): GatewayError =>
  new GatewayError(code, `openai: ${code}`, { provider: "openai", ...(status === undefined ? {} : { upstreamStatus: status }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

const neutralStop: FallbackDecision = { kind: "stop", outcome: { kind: "neutral" } };

/** CONVENTIONS.md "Error taxonomy", row by row. */
const table: ReadonlyArray<[string, GatewayError, number, FallbackDecision]> = [
  ["429 with a short retry-after: same credential after it", upstream("rate_limited", 429, 800), 0, { kind: "retry-same", delayMs: 800 }],
  ["429 short, already retried: cool the credential for that model", upstream("rate_limited", 429, 800), 1, { kind: "rotate", outcome: { kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs: 800 } }],
  ["429 with a long retry-after: rotate with that cooldown", upstream("rate_limited", 429, 30_000), 0, { kind: "rotate", outcome: { kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs: 30_000 } }],
  ["429 without retry-after: rotate, the pool's backoff decides", upstream("rate_limited", 429), 0, { kind: "rotate", outcome: { kind: "failure", scope: "credential-model", code: "rate_limited" } }],
  ["quota exhausted: the credential's quota for the model cools (its group, else the whole credential)", upstream("quota_exhausted", 429, 3_600_000), 0, { kind: "rotate", outcome: { kind: "failure", scope: "credential-group", code: "quota_exhausted", cooldownMs: 3_600_000 } }],
  ["upstream 401: credential disabled", upstream("authentication", 401), 0, { kind: "rotate", outcome: { kind: "disable", code: "authentication" } }],
  ["upstream 403: credential disabled", upstream("permission", 403), 0, { kind: "rotate", outcome: { kind: "disable", code: "permission" } }],
  ["the client's own proxy key: stop", new GatewayError("authentication", "missing or invalid proxy key"), 0, neutralStop],
  ["500: bounded backoff on the same credential", upstream("upstream_server", 500), 0, { kind: "retry-same", delayMs: 250 }],
  ["500 again: next target, credential not cooled", upstream("upstream_server", 500), 1, { kind: "next-target", outcome: { kind: "neutral" } }],
  ["529 overloaded with retry-after: waits that long", upstream("overloaded", 529, 1_200), 0, { kind: "retry-same", delayMs: 1_200 }],
  ["503 retried at most once", upstream("overloaded", 503), 1, { kind: "next-target", outcome: { kind: "neutral" } }],
  ["timeout: once", upstream("upstream_timeout"), 0, { kind: "retry-same", delayMs: 250 }],
  ["connection reset: once", upstream("upstream_server"), 0, { kind: "retry-same", delayMs: 250 }],
  ["no capacity: next target", upstream("no_capacity"), 0, { kind: "next-target", outcome: { kind: "neutral" } }],
  ["invalid request: stop", upstream("invalid_request", 400), 0, neutralStop],
  ["context length: stop", upstream("context_length", 400), 0, neutralStop],
  ["content filter: stop", upstream("content_filter", 400), 0, neutralStop],
  ["model not found: stop", upstream("not_found", 404), 0, neutralStop],
  ["client went away: stop", new GatewayError("client_closed", "client disconnected"), 0, neutralStop],
  ["unsupported feature: stop", new GatewayError("unsupported_feature", "x"), 0, neutralStop],
];

describe("decideFallback", () => {
  it.each(table)("%s", (_name, error, retriesOnCredential, expected) => {
    expect(decideFallback({ error, retriesOnCredential })).toEqual(expected);
  });

  it("honours its knobs: no same-credential retries, a longer short retry-after, backoff capped", () => {
    expect(decideFallback({ error: upstream("upstream_server", 500), retriesOnCredential: 0 }, { maxRetriesOnCredential: 0 })).toEqual({ kind: "next-target", outcome: { kind: "neutral" } });
    // Retries used up on the target's first failing credential: one other credential of the target is tried, uncooled.
    expect(decideFallback({ error: upstream("upstream_server", 502), retriesOnCredential: 1, mayRotateTransient: true })).toEqual({ kind: "rotate", outcome: { kind: "neutral" } });
    expect(decideFallback({ error: upstream("overloaded", 529), retriesOnCredential: 0, mayRotateTransient: true }).kind).toBe("retry-same");
    expect(decideFallback({ error: upstream("rate_limited", 429, 4_000), retriesOnCredential: 0 }, { shortRetryAfterMs: 5_000 })).toEqual({ kind: "retry-same", delayMs: 4_000 });
    expect(decideFallback({ error: upstream("overloaded", 529), retriesOnCredential: 3 }, { maxRetriesOnCredential: 9, retryMaxMs: 1_000 })).toEqual({ kind: "retry-same", delayMs: 1_000 });
  });

  it("tells credential problems from capacity problems", () => {
    expect(["authentication", "permission", "rate_limited", "quota_exhausted"].map((code) => isCredentialProblem(code as GatewayErrorCode))).toEqual([true, true, false, false]);
  });
});

describe("decideFallback with a fallback group's failoverOn / stopOn", () => {
  it("stopOn stops at once, keeping the credential's cooldown", () => {
    expect(decideFallback({ error: upstream("rate_limited", 429, 30_000), retriesOnCredential: 0 }, { stopOn: ["rate_limited"] })).toEqual({
      kind: "stop",
      outcome: { kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs: 30_000 },
    });
    expect(decideFallback({ error: upstream("overloaded", 503), retriesOnCredential: 0 }, { stopOn: ["overloaded"] })).toEqual(neutralStop);
  });

  it("failoverOn widens (a stop becomes next-target) and narrows (next-target becomes stop)", () => {
    expect(decideFallback({ error: upstream("not_found", 404), retriesOnCredential: 0 }, { failoverOn: ["not_found"] })).toEqual({ kind: "next-target", outcome: { kind: "neutral" } });
    expect(decideFallback({ error: upstream("upstream_server", 500), retriesOnCredential: 1 }, { failoverOn: ["rate_limited"] })).toEqual(neutralStop);
    // Rotation between credentials of one target is not a fallback: it stays.
    expect(decideFallback({ error: upstream("rate_limited", 429), retriesOnCredential: 0 }, { failoverOn: ["overloaded"] }).kind).toBe("rotate");
  });

  it("hard stops are never overridden", () => {
    const everything = { failoverOn: ["invalid_request", "context_length", "content_filter", "authentication"], stopOn: [] } as const;
    for (const code of ["invalid_request", "context_length", "content_filter"] as const) {
      expect(decideFallback({ error: upstream(code, 400), retriesOnCredential: 0 }, everything)).toEqual(neutralStop);
      expect(isHardStop(upstream(code, 400))).toBe(true);
    }
    expect(decideFallback({ error: new GatewayError("authentication", "missing or invalid proxy key"), retriesOnCredential: 0 }, everything)).toEqual(neutralStop);
    expect(decideFallback({ error: upstream("authentication", 401), retriesOnCredential: 0 }, everything)).toEqual({ kind: "rotate", outcome: { kind: "disable", code: "authentication" } });
  });

  it("mayFailOver: stopOn wins, failoverOn lists exactly what moves on, no settings move on", () => {
    expect(mayFailOver("rate_limited")).toBe(true);
    expect(mayFailOver("rate_limited", { stopOn: ["rate_limited"] })).toBe(false);
    expect(mayFailOver("rate_limited", { failoverOn: ["overloaded"] })).toBe(false);
    expect(mayFailOver("overloaded", { failoverOn: ["overloaded"] })).toBe(true);
  });
});
