import type { ConfiguredProvider, Credential } from "../providers/index.js";
import { GatewayError, type GatewayErrorCode } from "../unified/index.js";
import { parseResetHint, parseRetryAfter } from "./parse-retry-after.js";
import { readUpstreamErrorBody, type UpstreamErrorDetails } from "./read-upstream-error-body.js";
import { excerptUpstreamText, redactUpstreamText } from "./redact-upstream-text.js";

/** An upstream HTTP error response, read whole (error bodies are small). */
export interface UpstreamErrorInput {
  status: number;
  headers: Readonly<Record<string, string>>;
  bodyText: string;
  /** The provider (its `classifyError` hook overrides the table) or just its id. */
  provider: ConfiguredProvider | string;
  /** The credential used: its id goes on the error, its secret is redacted from the text. */
  credential?: Credential;
  /** Clock for HTTP-date retry-after values (ms since epoch); Date.now when absent. */
  now?: () => number;
}

const contextLengthPattern =
  /context[_ ]length|context window|maximum context|prompt is too long|input is too long|too many (?:input )?tokens|exceeds? the (?:maximum|max)\b[^.]*\btokens|input token count|reduce the length of the (?:messages|prompt|input)|maximum number of tokens/i;
const contentFilterPattern = /content management policy|content_policy_violation|flagged as (?:potentially )?(?:violating|inappropriate)/i;
const quotaPattern = /insufficient[_ ]quota|credit balance|insufficient (?:credits|balance|funds)|out of credits|billing (?:hard )?limit/i;
const invalidKeyPattern = /api key not valid|invalid api key|incorrect api key|invalid x-api-key|api_key_invalid/i;
const dailyQuotaPattern = /per ?day|daily/i;

/**
 * Classifies an upstream HTTP error into a GatewayError by the table in CONVENTIONS.md ("Error taxonomy"):
 * 429 → `rate_limited` (or `quota_exhausted` for billing/daily quota), 401/403 → `authentication`/`permission`
 * reported as 502 (it is the gateway's credential that failed, not the client's), 400/422 → `invalid_request` with
 * the provider's message (`context_length`, `content_filter` when the message says so), 404 → `not_found`,
 * 503/529 → `overloaded`, 504/408 → `upstream_timeout`, other 5xx → `upstream_server` (503). The provider's
 * `classifyError` hook is asked first. Messages and excerpts are redacted; the excerpt is at most 512 characters.
 */
export function classifyUpstreamError(input: UpstreamErrorInput): GatewayError {
  const providerId = typeof input.provider === "string" ? input.provider : input.provider.id;
  const body = parseJson(input.bodyText);
  const hook = typeof input.provider === "string" ? undefined : input.provider.definition.hooks.classifyError;
  const fromHook = hook?.({ status: input.status, headers: input.headers, bodyText: input.bodyText, body });
  if (fromHook !== undefined) return fromHook;

  const secrets = input.credential === undefined || input.credential.keyless ? [] : [input.credential.secret];
  const details = readUpstreamErrorBody(body);
  const rawMessage = details.message ?? (body === undefined ? input.bodyText.trim().slice(0, 300) : "");
  const message = redactUpstreamText(rawMessage.trim() === "" ? `HTTP ${input.status}` : rawMessage.trim(), secrets);
  const now = (input.now ?? Date.now)();
  const explicitRetryAfterMs = parseRetryAfter(input.headers, body, now);
  // Whether the provider said "retry after" decides rate limit vs. exhausted quota (Gemini); a reset time read from
  // rate-limit headers, quota metadata or the message only says how long the cooldown lasts.
  const { code, httpStatus } = decideCode(input.status, details, message, explicitRetryAfterMs);
  const retryAfterMs = explicitRetryAfterMs ?? (code === "rate_limited" || code === "quota_exhausted" ? parseResetHint(input.headers, body, input.bodyText, now) : undefined);

  const upstreamRequestId = input.headers["x-request-id"] ?? input.headers["request-id"];
  const bodyExcerpt = excerptUpstreamText(input.bodyText, secrets);
  return new GatewayError(code, `${providerId}: ${message}`, {
    httpStatus,
    provider: providerId,
    upstreamStatus: input.status,
    ...(input.credential === undefined ? {} : { credentialId: input.credential.id }),
    ...(upstreamRequestId === undefined ? {} : { upstreamRequestId }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(bodyExcerpt === "" ? {} : { bodyExcerpt }),
  });
}

function decideCode(
  status: number,
  details: UpstreamErrorDetails,
  message: string,
  retryAfterMs: number | undefined,
): { code: GatewayErrorCode; httpStatus: number } {
  const codes = details.codes.map((code) => code.toLowerCase());
  const signals = `${message} ${codes.join(" ")}`;
  if (status === 401) return { code: "authentication", httpStatus: 502 };
  if (status === 403) return { code: "permission", httpStatus: 502 };
  // Gemini answers a bad key with 400 INVALID_ARGUMENT / API_KEY_INVALID rather than 401.
  if (status >= 400 && status < 500 && invalidKeyPattern.test(signals)) return { code: "authentication", httpStatus: 502 };
  if (status === 402 || (status >= 400 && status < 500 && quotaPattern.test(signals))) return { code: "quota_exhausted", httpStatus: 429 };
  if (status === 429) {
    if (codes.includes("resource_exhausted")) {
      // Gemini reports per-minute rate limits and per-day quotas alike as RESOURCE_EXHAUSTED with "quota" text; the
      // QuotaFailure ids (…PerDay…) and the presence of a RetryInfo delay tell them apart.
      // @see https://ai.google.dev/gemini-api/docs/rate-limits
      const daily = details.quotaIds.some((id) => dailyQuotaPattern.test(id)) || dailyQuotaPattern.test(message);
      if (daily || (retryAfterMs === undefined && /quota/i.test(message))) return { code: "quota_exhausted", httpStatus: 429 };
    }
    return { code: "rate_limited", httpStatus: 429 };
  }
  if (status === 404) return { code: "not_found", httpStatus: 404 };
  if (status === 408) return { code: "upstream_timeout", httpStatus: 504 };
  if (status === 413) return { code: "invalid_request", httpStatus: 413 };
  if (status >= 400 && status < 500) {
    if (codes.includes("content_filter") || codes.includes("content_policy_violation") || contentFilterPattern.test(message)) {
      return { code: "content_filter", httpStatus: 400 };
    }
    if (codes.includes("context_length_exceeded") || contextLengthPattern.test(message)) return { code: "context_length", httpStatus: 400 };
    return { code: "invalid_request", httpStatus: 400 };
  }
  if (status === 503 || status === 529) return { code: "overloaded", httpStatus: 503 };
  if (status === 504) return { code: "upstream_timeout", httpStatus: 504 };
  if (status >= 500) return { code: "upstream_server", httpStatus: 503 };
  // A non-error status handed to the classifier (e.g. an error envelope inside a 200): the upstream misbehaved.
  return { code: "upstream_server", httpStatus: 502 };
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
