import { GatewayError } from "../unified/index.js";

const timeoutCodes = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);
const timeoutDescriptions: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: "connecting timed out",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  UND_ERR_BODY_TIMEOUT: "the response body stalled",
  ETIMEDOUT: "the connection timed out",
};

/** What the transport-error mapper knows about the call. */
export interface TransportErrorContext {
  providerId: string;
  credentialId?: string;
  signal?: AbortSignal;
}

/**
 * Maps a failure of the connection itself (no HTTP status) to a GatewayError: undici timeouts → `upstream_timeout`
 * (504), resets, refusals, DNS failures and closed sockets → `upstream_server` (502), an abort through the signal →
 * its reason when that is a GatewayError (the pipeline's deadline) or `client_closed`. Messages name the provider
 * and the error code only, never the URL (it may carry a `?key=`).
 */
export function mapTransportError(error: unknown, context: TransportErrorContext): GatewayError {
  const options = { provider: context.providerId, cause: error, ...(context.credentialId === undefined ? {} : { credentialId: context.credentialId }) };
  if (context.signal?.aborted === true) {
    const reason: unknown = context.signal.reason;
    if (GatewayError.isInstance(reason)) return reason;
    return new GatewayError("client_closed", `${context.providerId}: the request was aborted (client closed the connection)`, options);
  }
  if (GatewayError.isInstance(error)) return error;
  const code = findErrorCode(error);
  if (code !== undefined && timeoutCodes.has(code)) {
    return new GatewayError("upstream_timeout", `${context.providerId}: ${timeoutDescriptions[code] ?? "timed out"} (${code})`, options);
  }
  if (code === "UND_ERR_ABORTED" || code === "ABORT_ERR") {
    return new GatewayError("client_closed", `${context.providerId}: the request was aborted`, options);
  }
  const detail = code ?? (error instanceof Error ? error.name : "unknown error");
  return new GatewayError("upstream_server", `${context.providerId}: connection failed (${detail})`, options);
}

/**
 * The first `code` on the error, its `cause` chain or an AggregateError's members (Node's happy-eyeballs connect
 * reports ECONNREFUSED per address inside an AggregateError).
 */
function findErrorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === "string" && record.code !== "UND_ERR") return record.code;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = findErrorCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return findErrorCode(record.cause, depth + 1);
}
