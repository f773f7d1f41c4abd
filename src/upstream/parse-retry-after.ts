import { parseResetDuration, readRateLimitHeaders } from "./read-rate-limit-headers.js";

type WireObject = Record<string, unknown>;

/**
 * How long the provider asks us to wait, in ms, in order of precision: `retry-after-ms` (OpenAI), `retry-after`
 * as seconds or an HTTP date, then Gemini's `google.rpc.RetryInfo.retryDelay` in the error body. Undefined when
 * none is present or parseable. Dates in the past give 0.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 * @see https://ai.google.dev/gemini-api/docs/rate-limits
 */
export function parseRetryAfter(headers: Readonly<Record<string, string>>, body: unknown, now: number): number | undefined {
  const milliseconds = headers["retry-after-ms"]?.trim();
  if (milliseconds !== undefined && /^\d+(?:\.\d+)?$/.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const retryAfter = headers["retry-after"]?.trim();
  if (retryAfter !== undefined && retryAfter !== "") {
    if (/^\d+(?:\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return readGeminiRetryDelay(body);
}

/**
 * The provider's reset time when it gave no retry-after, in ms, in order of precision: the reset header of an
 * exhausted rate-limit window (OpenAI `x-ratelimit-reset-*`, Anthropic `anthropic-ratelimit-*-reset`, where that
 * window's remaining is 0; the latest when several are), Gemini's `ErrorInfo` metadata `quotaResetDelay` /
 * `quotaResetTimeStamp`, then a phrase in the error message ("try again in 20s", "reset after 1h2m3s").
 * @see https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 * @see https://docs.anthropic.com/en/api/rate-limits#response-headers
 */
export function parseResetHint(headers: Readonly<Record<string, string>>, body: unknown, bodyText: string, now: number): number | undefined {
  const limits = readRateLimitHeaders(headers, now);
  const exhausted = Object.values(limits ?? {})
    .filter((window) => window.remaining === 0 && window.resetAfterMs !== undefined)
    .map((window) => window.resetAfterMs ?? 0);
  if (exhausted.length > 0) return Math.max(...exhausted);
  const quotaReset = readGeminiQuotaReset(body, now);
  if (quotaReset !== undefined) return quotaReset;
  return readResetPhrase(bodyText);
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "try again in 20s" / "retry in 1.5 seconds" / "reset after 1h2m3s" in an error message. */
function readResetPhrase(text: string): number | undefined {
  const compound = /\b(?:reset|resets|available again|try again|retry)\s+(?:after|in)\s+((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)\b/i.exec(text);
  if (compound?.[1] !== undefined) return parseResetDuration(compound[1]);
  const worded = /\b(?:try again|retry|reset|resets)\s+(?:after|in)\s+(\d+(?:\.\d+)?)\s*(milliseconds?|seconds?|secs?|minutes?|mins?|hours?)\b/i.exec(text);
  if (worded?.[1] === undefined || worded[2] === undefined) return undefined;
  const word = worded[2].toLowerCase();
  const unit = word.startsWith("milli") ? "ms" : word.startsWith("s") ? "s" : word.startsWith("m") ? "m" : "h";
  return Math.ceil(Number(worded[1]) * (units[unit] ?? 1000));
}

/** `error.details[]` of type `ErrorInfo` with `metadata.quotaResetDelay` ("3600s", "1h2m") or `quotaResetTimeStamp`. */
function readGeminiQuotaReset(body: unknown, now: number): number | undefined {
  for (const detail of geminiDetails(body)) {
    if (typeof detail["@type"] !== "string" || !detail["@type"].endsWith("ErrorInfo") || !isWireObject(detail.metadata)) continue;
    const delay = detail.metadata.quotaResetDelay;
    if (typeof delay === "string") {
      const parsed = parseResetDuration(delay);
      if (parsed !== undefined) return parsed;
    }
    const stamp = detail.metadata.quotaResetTimeStamp;
    if (typeof stamp === "string" && !Number.isNaN(Date.parse(stamp))) return Math.max(0, Date.parse(stamp) - now);
  }
  return undefined;
}

function geminiDetails(body: unknown): WireObject[] {
  const error = isWireObject(body) ? body.error : Array.isArray(body) && isWireObject(body[0]) ? body[0].error : undefined;
  if (!isWireObject(error) || !Array.isArray(error.details)) return [];
  return error.details.filter(isWireObject);
}

/** `error.details[].retryDelay` of the `RetryInfo` detail: a protobuf Duration as JSON ("12.5s") or `{seconds, nanos}`. */
function readGeminiRetryDelay(body: unknown): number | undefined {
  const error = isWireObject(body) ? body.error : Array.isArray(body) && isWireObject(body[0]) ? body[0].error : undefined;
  if (!isWireObject(error) || !Array.isArray(error.details)) return undefined;
  for (const detail of error.details) {
    if (!isWireObject(detail) || typeof detail["@type"] !== "string" || !detail["@type"].endsWith("RetryInfo")) continue;
    return parseDuration(detail.retryDelay);
  }
  return undefined;
}

/** A protobuf Duration in JSON form to ms. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "string") {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return match === null ? undefined : Math.ceil(Number(match[1]) * 1000);
  }
  if (isWireObject(value)) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    if (Number.isFinite(seconds) && Number.isFinite(nanos)) return Math.ceil(seconds * 1000 + nanos / 1e6);
  }
  return undefined;
}

function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
