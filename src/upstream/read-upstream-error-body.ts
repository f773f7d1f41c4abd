type WireObject = Record<string, unknown>;

/** The parts of a provider error body the classifier decides on. */
export interface UpstreamErrorDetails {
  /** The provider's human message, if any. */
  message?: string;
  /** Machine codes found: OpenAI `code`/`type`, Anthropic `error.type`, Gemini `status` and `details[].reason`. */
  codes: string[];
  /** Gemini `QuotaFailure` violation ids and metrics (to tell per-day quotas from per-minute rates). */
  quotaIds: string[];
}

/**
 * Reads the error envelopes in use: OpenAI `{error:{message,type,code}}`, Anthropic `{type:"error",error:{type,
 * message}}`, Gemini `{error:{code,message,status,details}}` (sometimes wrapped in an array), and the flat
 * `{message}` / `{detail}` / `{error:"…"}` of OpenAI-compatible servers.
 * @see https://platform.openai.com/docs/guides/error-codes
 * @see https://docs.anthropic.com/en/api/errors
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting
 */
export function readUpstreamErrorBody(body: unknown): UpstreamErrorDetails {
  const details: UpstreamErrorDetails = { codes: [], quotaIds: [] };
  const root = Array.isArray(body) && isWireObject(body[0]) ? body[0] : body;
  if (!isWireObject(root)) return details;
  const error = root.error;
  if (typeof error === "string") details.message = error;
  const envelope = isWireObject(error) ? error : root;
  for (const key of ["message", "detail", "error_description"]) {
    const value = envelope[key];
    if (details.message === undefined && typeof value === "string" && value !== "") details.message = value;
  }
  for (const key of ["code", "type", "status"]) {
    const value = envelope[key];
    if (typeof value === "string" && value !== "" && value !== "error") details.codes.push(value);
  }
  if (Array.isArray(envelope.details)) {
    for (const detail of envelope.details) {
      if (!isWireObject(detail)) continue;
      if (typeof detail.reason === "string") details.codes.push(detail.reason);
      if (!Array.isArray(detail.violations)) continue;
      for (const violation of detail.violations) {
        if (!isWireObject(violation)) continue;
        for (const key of ["quotaId", "quotaMetric"]) {
          const value = violation[key];
          if (typeof value === "string") details.quotaIds.push(value);
        }
      }
    }
  }
  return details;
}

function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
