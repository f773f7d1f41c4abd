import type { ConfiguredProvider, RateLimitInfo, RateLimitWindow } from "../providers/index.js";

type WindowName = keyof RateLimitInfo;

/**
 * Rate-limit state from response headers, for scheduling before the 429: the provider's `readRateLimit` hook when it
 * has one, else the OpenAI-style `x-ratelimit-*` headers (also Groq, OpenRouter, xAI…) and Anthropic's
 * `anthropic-ratelimit-*`. Undefined when no such header is present.
 * @see https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 * @see https://docs.anthropic.com/en/api/rate-limits#response-headers
 */
export function readRateLimit(provider: ConfiguredProvider | undefined, headers: Readonly<Record<string, string>>, now: number): RateLimitInfo | undefined {
  const hook = provider?.definition.hooks.readRateLimit;
  if (hook !== undefined) return hook(headers, { now });
  return readRateLimitHeaders(headers, now);
}

/** The default reader (both header families); `now` turns Anthropic's reset timestamps into durations. */
export function readRateLimitHeaders(headers: Readonly<Record<string, string>>, now: number): RateLimitInfo | undefined {
  // Every response passes here; most carry no rate-limit header at all, and then no window is worth building.
  if (!hasRateLimitHeader(headers)) return undefined;
  const info: RateLimitInfo = {};
  const openAiWindows: [WindowName, string][] = [
    ["requests", "requests"],
    ["tokens", "tokens"],
  ];
  for (const [name, suffix] of openAiWindows) {
    setWindow(info, name, {
      limit: readInteger(headers[`x-ratelimit-limit-${suffix}`]),
      remaining: readInteger(headers[`x-ratelimit-remaining-${suffix}`]),
      resetAfterMs: parseResetDuration(headers[`x-ratelimit-reset-${suffix}`]),
    });
  }
  const anthropicWindows: [WindowName, string][] = [
    ["requests", "requests"],
    ["tokens", "tokens"],
    ["inputTokens", "input-tokens"],
    ["outputTokens", "output-tokens"],
  ];
  for (const [name, infix] of anthropicWindows) {
    const reset = headers[`anthropic-ratelimit-${infix}-reset`];
    const resetAt = reset === undefined ? Number.NaN : Date.parse(reset);
    setWindow(info, name, {
      limit: readInteger(headers[`anthropic-ratelimit-${infix}-limit`]),
      remaining: readInteger(headers[`anthropic-ratelimit-${infix}-remaining`]),
      resetAfterMs: Number.isNaN(resetAt) ? undefined : Math.max(0, resetAt - now),
    });
  }
  return Object.keys(info).length === 0 ? undefined : info;
}

function hasRateLimitHeader(headers: Readonly<Record<string, string>>): boolean {
  for (const name in headers) if (name.startsWith("x-ratelimit-") || name.startsWith("anthropic-ratelimit-")) return true;
  return false;
}

/** OpenAI's reset values are Go-style durations: `20ms`, `1s`, `6m0s`, `1h2m3.5s`. */
export function parseResetDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const amount = Number(match[1]);
    const unit = match[2];
    total += unit === "ms" ? amount : unit === "s" ? amount * 1000 : unit === "m" ? amount * 60_000 : amount * 3_600_000;
  }
  return Math.ceil(total);
}

function setWindow(info: RateLimitInfo, name: WindowName, window: { [K in keyof RateLimitWindow]: number | undefined }): void {
  const present: RateLimitWindow = {};
  if (window.limit !== undefined) present.limit = window.limit;
  if (window.remaining !== undefined) present.remaining = window.remaining;
  if (window.resetAfterMs !== undefined) present.resetAfterMs = window.resetAfterMs;
  if (Object.keys(present).length > 0) info[name] = { ...info[name], ...present };
}

function readInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
