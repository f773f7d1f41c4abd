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
