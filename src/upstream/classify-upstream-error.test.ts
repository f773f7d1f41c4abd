import { describe, expect, it } from "vitest";
import { createCredential, createProviderRegistry, defineProvider, readProviderEnvironment, type ConfiguredProvider } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { classifyUpstreamError } from "./classify-upstream-error.js";

const now = () => Date.parse("2026-11-02T10:00:00Z");

function classify(status: number, body: unknown, headers: Record<string, string> = {}, provider = "openai") {
  const bodyText = typeof body === "string" ? body : JSON.stringify(body);
  return classifyUpstreamError({ status, headers, bodyText, provider, now });
}

function summary(error: GatewayError) {
  return { code: error.code, httpStatus: error.httpStatus, message: error.message, retryAfterMs: error.retryAfterMs };
}

const openAiError = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });

describe("classifyUpstreamError", () => {
  it.each([
    [429, openAiError("Rate limit reached for gpt-5", "requests", "rate_limit_exceeded"), { "retry-after-ms": "1500" }, "rate_limited", 429, 1500],
    [429, openAiError("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"), {}, "quota_exhausted", 429, undefined],
    [429, { type: "error", error: { type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit" } }, { "retry-after": "7" }, "rate_limited", 429, 7000],
    [401, openAiError("Incorrect API key provided: sk-abc*****wxyz.", "invalid_request_error", "invalid_api_key"), {}, "authentication", 502, undefined],
    [403, { type: "error", error: { type: "permission_error", message: "Your API key does not have permission to use the specified resource." } }, {}, "permission", 502, undefined],
    [400, openAiError("Invalid value for 'temperature': must be at most 2.", "invalid_request_error"), {}, "invalid_request", 400, undefined],
    [422, { detail: "Unprocessable: messages[0].role must be one of user, assistant" }, {}, "invalid_request", 400, undefined],
    [400, openAiError("This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", "invalid_request_error", "context_length_exceeded"), {}, "context_length", 400, undefined],
    [400, { type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" } }, {}, "context_length", 400, undefined],
    [400, { type: "error", error: { type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API." } }, {}, "quota_exhausted", 429, undefined],
    [400, openAiError("The response was filtered due to the prompt triggering content management policy.", "invalid_request_error", "content_filter"), {}, "content_filter", 400, undefined],
    [402, { error: { message: "Insufficient credits", code: 402 } }, {}, "quota_exhausted", 429, undefined],
    [404, openAiError("The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"), {}, "not_found", 404, undefined],
    [408, "", {}, "upstream_timeout", 504, undefined],
    [413, { type: "error", error: { type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." } }, {}, "invalid_request", 413, undefined],
    [500, openAiError("The server had an error while processing your request.", "server_error"), {}, "upstream_server", 503, undefined],
    [502, "<html><body>Bad Gateway</body></html>", {}, "upstream_server", 503, undefined],
    [503, openAiError("The engine is currently overloaded, please try again later", "server_error"), { "retry-after": "Mon, 02 Nov 2026 10:00:30 GMT" }, "overloaded", 503, 30_000],
    [529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, {}, "overloaded", 503, undefined],
    // No retry-after: the exhausted window's reset header, or the wait the message names, sets the cooldown.
    [429, openAiError("Rate limit reached for gpt-5 on tokens per min.", "tokens", "rate_limit_exceeded"), { "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s" }, "rate_limited", 429, 360_000],
    [429, openAiError("Rate limit reached for gpt-5. Please try again in 20s.", "requests", "rate_limit_exceeded"), {}, "rate_limited", 429, 20_000],
    [503, openAiError("The engine is overloaded, please try again in 20s", "server_error"), {}, "overloaded", 503, undefined],
    [504, "", {}, "upstream_timeout", 504, undefined],
  ])("%i %j → %s", (status, body, headers, code, httpStatus, retryAfterMs) => {
    const error = classify(status, body, headers);
    expect({ code: error.code, httpStatus: error.httpStatus, retryAfterMs: error.retryAfterMs, upstreamStatus: error.upstreamStatus, provider: error.provider }).toEqual({
      code,
      httpStatus,
      retryAfterMs,
      upstreamStatus: status,
      provider: "openai",
    });
  });

  it("relays the provider's message, prefixed by the provider", () => {
    expect(summary(classify(400, openAiError("Invalid value for 'temperature': must be at most 2.", "invalid_request_error")))).toEqual({
      code: "invalid_request",
      httpStatus: 400,
      message: "openai: Invalid value for 'temperature': must be at most 2.",
      retryAfterMs: undefined,
    });
    expect(classify(502, "<html><body>Bad Gateway</body></html>").message).toBe("openai: <html><body>Bad Gateway</body></html>");
    expect(classify(500, "").message).toBe("openai: HTTP 500");
  });

  it("tells Gemini per-minute rate limits (RetryInfo) from daily quotas", () => {
    const perMinute = {
      error: {
        code: 429,
        message: "You exceeded your current quota, please check your plan and billing details.",
        status: "RESOURCE_EXHAUSTED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaMetric: "generate_content_free_tier_requests", quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "42.5s" },
        ],
      },
    };
    expect(summary(classify(429, perMinute, {}, "gemini"))).toMatchObject({ code: "rate_limited", retryAfterMs: 42_500 });
    const daily = structuredClone(perMinute);
    (daily.error.details[0] as { violations: { quotaId: string }[] }).violations[0]!.quotaId = "GenerateRequestsPerDayPerProjectPerModel-FreeTier";
    expect(summary(classify(429, daily, {}, "gemini"))).toMatchObject({ code: "quota_exhausted", retryAfterMs: 42_500 });
    const bare = { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } };
    expect(classify(429, [bare], {}, "gemini").code).toBe("quota_exhausted");
    // A quota reset delay is not a "retry after": still an exhausted quota, cooled until that reset.
    const withReset = { error: { ...bare.error, details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "RATE_LIMIT_EXCEEDED", metadata: { quotaResetDelay: "5h30m0s" } }] } };
    expect(summary(classify(429, withReset, {}, "gemini"))).toMatchObject({ code: "quota_exhausted", retryAfterMs: 19_800_000 });
  });

  it("reads a Gemini bad key (400 API_KEY_INVALID) as the gateway's authentication failure", () => {
    const body = {
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
        details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }],
      },
    };
    expect(summary(classify(400, body, {}, "gemini"))).toMatchObject({ code: "authentication", httpStatus: 502 });
  });

  it("redacts secrets from the message and excerpt, and names the credential by id", () => {
    const secret = "sk-proj-plantedSecretValue0123456789";
    const credential = createCredential("openai", secret);
    const error = classifyUpstreamError({
      status: 401,
      headers: { "x-request-id": "req_1" },
      bodyText: JSON.stringify(openAiError(`Incorrect API key provided: ${secret}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key")),
      provider: "openai",
      credential,
    });
    expect(error.message).toBe(
      "openai: Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys.",
    );
    expect(error.bodyExcerpt).toContain("[redacted]");
    expect(JSON.stringify({ ...error, message: error.message, serialized: error.serialize() })).not.toContain("plantedSecret");
    expect(error).toMatchObject({ credentialId: credential.id, upstreamRequestId: "req_1" });
  });

  it("bounds the excerpt", () => {
    const error = classify(500, "x ".repeat(2000));
    expect(error.bodyExcerpt).toHaveLength(512);
  });

  it("lets the provider's classifyError hook override the table", () => {
    const declaration = defineProvider({
      id: "quirky",
      displayName: "Quirky",
      protocol: "openai-chat",
      baseUrl: "https://quirky.test/v1",
      auth: { type: "bearer" },
      keyRequired: true,
      hooks: {
        classifyError: (response) =>
          response.status === 400 && typeof response.body === "object" && JSON.stringify(response.body).includes("busy")
            ? new GatewayError("overloaded", "quirky: busy", { provider: "quirky", upstreamStatus: 400 })
            : undefined,
      },
    });
    const provider = createProviderRegistry({
      declarations: [declaration],
      settings: readProviderEnvironment({ QUIRKY_API_KEY: "k" }, [declaration]).settings,
    }).get("quirky") as ConfiguredProvider;
    expect(classifyUpstreamError({ status: 400, headers: {}, bodyText: '{"error":"busy"}', provider }).code).toBe("overloaded");
    expect(classifyUpstreamError({ status: 400, headers: {}, bodyText: '{"error":"bad"}', provider }).code).toBe("invalid_request");
  });
});
