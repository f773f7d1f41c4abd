import { isCredentialProblem } from "../routing/index.js";
import { GatewayError, type AttemptRecord } from "../unified/index.js";

/** Why a target had no credential left to try, when that (not an attempt) ended it. */
export interface TargetExhaustion {
  provider: string;
  model: string;
  reason: "cooling" | "capped" | "busy" | "disabled" | "empty";
  /** For cooling and capped: how long until the earliest credential is usable again. */
  waitMs?: number;
}

/**
 * The error a client gets when no attempt succeeded: the single error when one attempt ran; otherwise
 * `all_targets_failed` with every attempt, the status of the last one, and a message that keeps credential problems
 * (upstream 401/403: a key is bad, someone must act) apart from capacity problems (429, quota, busy: wait).
 */
export function summarizeFailedAttempts(attempts: readonly AttemptRecord[], lastError: GatewayError | undefined, exhausted: readonly TargetExhaustion[]): GatewayError {
  const waits = exhausted.map((entry) => entry.waitMs).filter((ms): ms is number => ms !== undefined);
  const retryAfterMs = waits.length > 0 ? Math.min(...waits) : lastError?.retryAfterMs;
  if (attempts.length === 1 && lastError !== undefined) return lastError;
  if (attempts.length === 0 || lastError === undefined) return exhaustionError(exhausted, retryAfterMs);

  const credentialProblems = attempts.filter((attempt) => isCredentialProblem(attempt.code));
  const capacityProblems = attempts.filter((attempt) => attempt.code === "rate_limited" || attempt.code === "quota_exhausted");
  const others = attempts.filter((attempt) => !credentialProblems.includes(attempt) && !capacityProblems.includes(attempt));
  const describe = (list: readonly AttemptRecord[]): string =>
    list
      .map((attempt) => `${attempt.provider}/${attempt.model}${attempt.credentialId === undefined ? "" : ` (${attempt.credentialId})`} ${attempt.code}${attempt.status === undefined ? "" : ` ${attempt.status}`}`)
      .join(", ");
  const parts = [
    credentialProblems.length === 0 ? undefined : `credential problems (upstream 401/403, now disabled): ${describe(credentialProblems)}`,
    capacityProblems.length === 0 ? undefined : `capacity problems (rate limit or quota, cooling down): ${describe(capacityProblems)}`,
    others.length === 0 ? undefined : `other failures: ${describe(others)}`,
    ...exhausted.map(describeExhaustion),
  ].filter((part): part is string => part !== undefined);
  return new GatewayError("all_targets_failed", `all ${attempts.length} attempts failed; ${parts.join("; ")}; last error: ${lastError.message}`, {
    httpStatus: lastError.httpStatus,
    attempts: [...attempts],
    cause: lastError,
    ...(lastError.provider === undefined ? {} : { provider: lastError.provider }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** No attempt ran: every credential was cooling, capped, busy or disabled before the request started. */
function exhaustionError(exhausted: readonly TargetExhaustion[], retryAfterMs: number | undefined): GatewayError {
  const message = exhausted.length === 0 ? "no target could be tried" : exhausted.map(describeExhaustion).join("; ");
  const provider = exhausted[0]?.provider;
  const options = { ...(provider === undefined ? {} : { provider }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const waitable = exhausted.some((entry) => entry.reason === "cooling" || entry.reason === "capped");
  // Cooling credentials are a capacity problem the client may retry after `retry-after`; disabled ones are not.
  return waitable ? new GatewayError("rate_limited", message, { ...options, httpStatus: 429 }) : new GatewayError("no_capacity", message, options);
}

function describeExhaustion(entry: TargetExhaustion): string {
  const target = `${entry.provider}/${entry.model}`;
  switch (entry.reason) {
    case "cooling":
    case "capped":
      return `${target}: every credential is ${entry.reason === "cooling" ? "cooling down" : "at its usage cap"} for ${Math.ceil((entry.waitMs ?? 0) / 1000)} s more, past the request deadline`;
    case "busy":
      return `${target}: every credential stayed at its concurrency limit until the request deadline`;
    case "disabled":
      return `${target}: every credential is disabled after an upstream 401/403 (see GET /v1/status; reset with \`switchyard credentials reset <id>\`)`;
    case "empty":
      return `${target}: no credential is configured`;
    default: {
      const unreachable: never = entry.reason;
      return String(unreachable);
    }
  }
}
