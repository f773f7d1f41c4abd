import type { UpstreamRequest } from "../providers/index.js";
import { redactUpstreamText } from "./redact-upstream-text.js";

/** Header names that carry credentials in the providers' auth schemes, and any name that looks like one. */
const credentialHeaders = new Set(["authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie"]);
const credentialHeaderPattern = /key|token|secret|auth/i;

/** An upstream request as it may be logged or traced: credentials replaced, no body, no transport. */
export interface RedactedUpstreamRequest {
  url: string;
  method: UpstreamRequest["method"];
  headers: Record<string, string>;
  providerId: string;
  credentialId?: string;
}

/**
 * The request without its credential, for logs and the transaction trace: auth headers (by name) become
 * `[redacted]`, and the URL loses any key in its query (`?key=` auth).
 */
export function redactUpstreamRequest(request: UpstreamRequest): RedactedUpstreamRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = credentialHeaders.has(name.toLowerCase()) || credentialHeaderPattern.test(name) ? "[redacted]" : value;
  const redacted: RedactedUpstreamRequest = { url: redactUpstreamText(request.url), method: request.method, headers, providerId: request.providerId };
  if (request.credentialId !== undefined) redacted.credentialId = request.credentialId;
  return redacted;
}
