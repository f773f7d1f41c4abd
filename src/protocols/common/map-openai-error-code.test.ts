import { describe, expect, it } from "vitest";
import { gatewayErrorCodes, type GatewayErrorCode } from "../../unified/index.js";
import { mapGatewayCodeToOpenAiChatError, mapOpenAiChatErrorToGatewayCode } from "../openai-chat/map-openai-chat-error-code.js";
import { decodeResponsesErrorCode, encodeResponsesErrorCode } from "../openai-responses/map-openai-responses-error-code.js";
import { mapOpenAiErrorNameToGatewayCode, openAiErrorNameCodes } from "./map-openai-error-code.js";

/** The names both OpenAI codecs read the same way, and what they mean. */
const sharedNames: Record<string, GatewayErrorCode> = {
  insufficient_quota: "quota_exhausted",
  rate_limit_exceeded: "rate_limited",
  rate_limit_error: "rate_limited",
  requests: "rate_limited",
  tokens: "rate_limited",
  server_is_overloaded: "overloaded",
  overloaded_error: "overloaded",
  overloaded: "overloaded",
  slow_down: "overloaded",
  context_length_exceeded: "context_length",
  content_policy_violation: "content_filter",
  content_filter: "content_filter",
};

describe("OpenAI error names → gateway codes (Chat and Responses)", () => {
  it.each(Object.entries(sharedNames))("both codecs read %s as %s, as code or as type", (name, expected) => {
    expect(mapOpenAiChatErrorToGatewayCode(undefined, name)).toBe(expected);
    expect(mapOpenAiChatErrorToGatewayCode(name, undefined)).toBe(expected);
    expect(decodeResponsesErrorCode(name, undefined)).toBe(expected);
    expect(decodeResponsesErrorCode(undefined, name)).toBe(expected);
  });

  it("has no shared name the test does not pin", () => {
    expect(openAiErrorNameCodes).toEqual(sharedNames);
  });

  it("prefers the specific code over the generic type", () => {
    expect(decodeResponsesErrorCode("context_length_exceeded", "invalid_request_error")).toBe("context_length");
    expect(mapOpenAiChatErrorToGatewayCode("invalid_request_error", "context_length_exceeded")).toBe("context_length");
    expect(mapOpenAiErrorNameToGatewayCode("insufficient_quota", "requests")).toBe("quota_exhausted");
  });

  it("keeps each codec's own names at its own site", () => {
    // Responses: a failed response's generic names are final verdicts.
    expect(decodeResponsesErrorCode("invalid_api_key", undefined)).toBe("authentication");
    expect(decodeResponsesErrorCode("model_not_found", undefined)).toBe("not_found");
    expect(decodeResponsesErrorCode(undefined, "invalid_request_error")).toBe("invalid_request");
    expect(decodeResponsesErrorCode("invalid_prompt", undefined)).toBe("invalid_request");
    // Chat: the same names in-band stay a failed route; OpenRouter's numeric codes are statuses.
    expect(mapOpenAiChatErrorToGatewayCode(undefined, "invalid_api_key")).toBe("upstream_server");
    expect(mapOpenAiChatErrorToGatewayCode("invalid_request_error", undefined)).toBe("upstream_server");
    expect([429, 529, 503, 402, 500].map((status) => mapOpenAiChatErrorToGatewayCode(undefined, status))).toEqual(["rate_limited", "overloaded", "overloaded", "quota_exhausted", "upstream_server"]);
    expect(decodeResponsesErrorCode(429, undefined)).toBe("upstream_server");
    expect(mapOpenAiErrorNameToGatewayCode("constructor", "toString")).toBeUndefined();
    expect(decodeResponsesErrorCode("something_new", 7)).toBe("upstream_server");
  });
});

describe("gateway codes → OpenAI error names", () => {
  const shared: Partial<Record<GatewayErrorCode, [string, string | null]>> = {
    invalid_request: ["invalid_request_error", null],
    unsupported_feature: ["invalid_request_error", "unsupported_parameter"],
    authentication: ["invalid_request_error", "invalid_api_key"],
    permission: ["permission_error", "permission_denied"],
    not_found: ["invalid_request_error", "model_not_found"],
    rate_limited: ["requests", "rate_limit_exceeded"],
    quota_exhausted: ["insufficient_quota", "insufficient_quota"],
    context_length: ["invalid_request_error", "context_length_exceeded"],
    overloaded: ["server_error", "server_is_overloaded"],
  };

  it("answers every gateway code the same way in both codecs where OpenAI has a name for it", () => {
    for (const [code, [type, name]] of Object.entries(shared) as Array<[GatewayErrorCode, [string, string | null]]>) {
      expect(mapGatewayCodeToOpenAiChatError(code)).toEqual({ type, code: name });
      expect(encodeResponsesErrorCode(code)).toEqual({ type, code: name });
    }
  });

  it("gives Chat clients the gateway code and Responses clients only the API's own codes otherwise", () => {
    const rest = gatewayErrorCodes.filter((code) => shared[code] === undefined);
    expect(Object.fromEntries(rest.map((code) => [code, mapGatewayCodeToOpenAiChatError(code).code]))).toEqual({
      content_filter: "content_policy_violation",
      upstream_server: "upstream_server",
      upstream_timeout: "upstream_timeout",
      stream_stalled: "stream_stalled",
      client_closed: "client_closed",
      no_capacity: "no_capacity",
      all_targets_failed: "all_targets_failed",
      config: "config",
      internal: "internal",
    });
    expect(Object.fromEntries(rest.map((code) => [code, encodeResponsesErrorCode(code).code]))).toEqual({
      content_filter: "content_filter",
      upstream_server: "server_error",
      upstream_timeout: "timeout",
      stream_stalled: "timeout",
      client_closed: "server_error",
      no_capacity: "server_is_overloaded",
      all_targets_failed: "server_error",
      config: "server_error",
      internal: "server_error",
    });
    for (const code of rest) {
      expect(mapGatewayCodeToOpenAiChatError(code).type).toBe(code === "content_filter" ? "invalid_request_error" : "server_error");
      expect(encodeResponsesErrorCode(code).type).toBe(code === "content_filter" ? "invalid_request_error" : "server_error");
    }
  });
});
