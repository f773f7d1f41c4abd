import type { IncomingHttpHeaders } from "node:http";

/**
 * What every reference proxy is started with (`<proxy>.ts <port> <upstream base URL>`): it listens on 127.0.0.1 and
 * forwards every request, unchanged, to the upstream.
 */
export interface ReferenceProxySettings {
  readonly port: number;
  readonly upstream: URL;
}

/** Reads the port and the upstream from the command line, or stops the process with a usage line. */
export function readReferenceProxySettings(argv: readonly string[] = process.argv): ReferenceProxySettings {
  const [port, upstream] = argv.slice(2);
  if (port === undefined || upstream === undefined || !Number.isInteger(Number(port))) {
    console.error("usage: node <reference proxy>.ts <port> <upstream base URL>");
    process.exit(2);
  }
  return { port: Number(port), upstream: new URL(upstream) };
}

/** The request headers the mock upstream reads; a reference proxy forwards these and nothing else. */
const forwarded = ["content-type", "authorization", "x-api-key", "anthropic-version"] as const;

/** The request headers to forward upstream, picked from the client's. */
export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of forwarded) {
    const value = headers[name];
    if (typeof value === "string") picked[name] = value;
  }
  return picked;
}
