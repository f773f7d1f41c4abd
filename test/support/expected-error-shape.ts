import type { GatewayError, GatewayErrorCode, ProtocolId } from "../../src/unified/index.js";
import { isRecordedObject, numberAt, objectAt, stringAt } from "./parse-recording-payloads.js";

/**
 * Anthropic error `type` values acceptable for each code. Where Anthropic has no exact kind (quota, timeouts,
 * gateway-only codes) the nearest documented kinds are listed.
 * @see https://docs.anthropic.com/en/api/errors
 */
const anthropicErrorTypes: Record<GatewayErrorCode, readonly string[]> = {
  invalid_request: ["invalid_request_error"],
  authentication: ["authentication_error"],
  permission: ["permission_error"],
  not_found: ["not_found_error"],
  rate_limited: ["rate_limit_error"],
  quota_exhausted: ["rate_limit_error", "billing_error"],
  context_length: ["invalid_request_error", "request_too_large"],
  content_filter: ["invalid_request_error"],
  overloaded: ["overloaded_error"],
  upstream_server: ["api_error"],
  upstream_timeout: ["api_error", "timeout_error"],
  stream_stalled: ["api_error", "timeout_error"],
  client_closed: ["api_error", "invalid_request_error"],
  no_capacity: ["overloaded_error", "api_error"],
  unsupported_feature: ["invalid_request_error"],
  all_targets_failed: ["api_error", "overloaded_error"],
  config: ["api_error"],
  internal: ["api_error"],
};

/**
 * Google RPC status names by HTTP status (Gemini error bodies carry both).
 * @see https://cloud.google.com/apis/design/errors#handling_errors
 */
const googleStatusByHttpStatus: Record<number, readonly string[]> = {
  400: ["INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE"],
  401: ["UNAUTHENTICATED"],
  403: ["PERMISSION_DENIED"],
  404: ["NOT_FOUND"],
  429: ["RESOURCE_EXHAUSTED"],
  499: ["CANCELLED"],
  500: ["INTERNAL", "UNKNOWN"],
  502: ["UNAVAILABLE", "INTERNAL", "UNKNOWN"],
  503: ["UNAVAILABLE"],
  504: ["DEADLINE_EXCEEDED"],
};

/** Problems with an encoded error body for `protocol` (empty when it has the protocol's real shape). */
export function expectedErrorShape(protocol: ProtocolId, body: unknown, error: GatewayError): string[] {
  const problems: string[] = [];
  const inner = objectAt(body, "error");
  const message = stringAt(inner, "message");
  if (message === undefined || !message.includes(error.message)) problems.push(`error.message should contain "${error.message}", got ${JSON.stringify(message)}`);
  switch (protocol) {
    case "openai-chat":
    case "openai-responses":
      // { error: { message, type, param, code } }, param and code present even when null.
      if ((stringAt(inner, "type") ?? "") === "") problems.push("error.type should be a non-empty string");
      if (!("param" in inner)) problems.push("error.param should be present (null when none)");
      if (!("code" in inner)) problems.push("error.code should be present (null when none)");
      break;
    case "anthropic-messages": {
      if (!isRecordedObject(body) || body["type"] !== "error") problems.push('type should be "error"');
      const type = stringAt(inner, "type") ?? "";
      if (!anthropicErrorTypes[error.code].includes(type)) problems.push(`error.type for ${error.code} should be one of ${anthropicErrorTypes[error.code].join(" | ")}, got "${type}"`);
      break;
    }
    case "gemini": {
      if (numberAt(inner, "code") !== error.httpStatus) problems.push(`error.code should be ${error.httpStatus}, got ${JSON.stringify(inner["code"])}`);
      const accepted = googleStatusByHttpStatus[error.httpStatus] ?? [];
      const status = stringAt(inner, "status") ?? "";
      if (!accepted.includes(status)) problems.push(`error.status for HTTP ${error.httpStatus} should be one of ${accepted.join(" | ")}, got "${status}"`);
      break;
    }
    default: {
      const unreachable: never = protocol;
      problems.push(`unknown protocol ${String(unreachable)}`);
    }
  }
  return problems;
}

/** Provider-specific keys a gateway cannot reproduce (request ids, OpenRouter metadata, Google details). */
const optionalErrorKeys = new Set(["request_id", "user_id", "error.metadata", "error.details"]);

/** The key paths of an error body (objects only), for comparing shapes. */
export function errorShapeKeys(body: unknown, prefix = ""): string[] {
  if (!isRecordedObject(body)) return [];
  return Object.entries(body).flatMap(([key, value]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (optionalErrorKeys.has(path)) return [];
    return [path, ...(isRecordedObject(value) ? errorShapeKeys(value, path) : [])];
  });
}
