/** Stable error codes (snake_case, never reused). See docs/errors.md. */
export const gatewayErrorCodes = [
  "invalid_request",
  "authentication",
  "permission",
  "not_found",
  "rate_limited",
  "quota_exhausted",
  "context_length",
  "content_filter",
  "overloaded",
  "upstream_server",
  "upstream_timeout",
  "stream_stalled",
  "client_closed",
  "no_capacity",
  "unsupported_feature",
  "all_targets_failed",
  "config",
  "internal",
] as const;

/** One of the stable error codes. */
export type GatewayErrorCode = (typeof gatewayErrorCodes)[number];

/** HTTP status a client sees for each code when nothing more specific is known. */
export const defaultHttpStatusByCode: Record<GatewayErrorCode, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  rate_limited: 429,
  quota_exhausted: 429,
  context_length: 400,
  content_filter: 400,
  overloaded: 503,
  upstream_server: 502,
  upstream_timeout: 504,
  stream_stalled: 504,
  client_closed: 499,
  no_capacity: 503,
  unsupported_feature: 400,
  all_targets_failed: 502,
  config: 500,
  internal: 500,
};

/** One attempt recorded by the executor, reported with `all_targets_failed`. */
export interface AttemptRecord {
  provider: string;
  model: string;
  credentialId?: string;
  code: GatewayErrorCode;
  status?: number;
  durationMs?: number;
}

/** Options for building a GatewayError. */
export interface GatewayErrorOptions {
  httpStatus?: number;
  cause?: unknown;
  /** JSON path of the offending field for `invalid_request` (e.g. `messages[3].content[1].type`). */
  path?: string;
  provider?: string;
  credentialId?: string;
  upstreamStatus?: number;
  upstreamRequestId?: string;
  retryAfterMs?: number;
  /** A short, redacted excerpt of the upstream body. */
  bodyExcerpt?: string;
  attempts?: AttemptRecord[];
}

const brand = Symbol.for("switchyard.gateway-error");

/** The one error type Switchyard throws; decisions are made on `code`, never on message text. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly httpStatus: number;
  readonly path?: string;
  readonly provider?: string;
  readonly credentialId?: string;
  readonly upstreamStatus?: number;
  readonly upstreamRequestId?: string;
  readonly retryAfterMs?: number;
  readonly bodyExcerpt?: string;
  readonly attempts?: AttemptRecord[];
  readonly [brand] = true;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.code = code;
    this.httpStatus = options.httpStatus ?? defaultHttpStatusByCode[code];
    if (options.path !== undefined) this.path = options.path;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.credentialId !== undefined) this.credentialId = options.credentialId;
    if (options.upstreamStatus !== undefined) this.upstreamStatus = options.upstreamStatus;
    if (options.upstreamRequestId !== undefined) this.upstreamRequestId = options.upstreamRequestId;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.bodyExcerpt !== undefined) this.bodyExcerpt = options.bodyExcerpt;
    if (options.attempts !== undefined) this.attempts = options.attempts;
  }

  /** True for any GatewayError, also across module copies (brand check, not instanceof). */
  static isInstance(value: unknown): value is GatewayError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  /** A plain-data copy for stream error events and logs. */
  serialize(): SerializedGatewayError {
    const serialized: SerializedGatewayError = { code: this.code, message: this.message, httpStatus: this.httpStatus };
    if (this.path !== undefined) serialized.path = this.path;
    if (this.provider !== undefined) serialized.provider = this.provider;
    if (this.upstreamStatus !== undefined) serialized.upstreamStatus = this.upstreamStatus;
    if (this.retryAfterMs !== undefined) serialized.retryAfterMs = this.retryAfterMs;
    if (this.attempts !== undefined) serialized.attempts = this.attempts;
    return serialized;
  }

  /** Rebuilds an error from its serialized form. */
  static fromSerialized(serialized: SerializedGatewayError): GatewayError {
    const { code, message, ...options } = serialized;
    return new GatewayError(code, message, options);
  }
}

/** A GatewayError as plain data (stream `error` events, logs). */
export interface SerializedGatewayError {
  code: GatewayErrorCode;
  message: string;
  httpStatus: number;
  path?: string;
  provider?: string;
  upstreamStatus?: number;
  retryAfterMs?: number;
  attempts?: AttemptRecord[];
}

/** Shorthand for an `invalid_request` error naming the offending path. */
export function invalidRequest(path: string, message: string): GatewayError {
  return new GatewayError("invalid_request", path === "" ? message : `${path}: ${message}`, { path });
}

/** Wraps anything thrown into a GatewayError (internal unless it already is one). */
export function toGatewayError(error: unknown): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError("internal", message, { cause: error });
}
