import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { Agent, request } from "undici";

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

/** One kept-alive connection pool to the upstream for the whole process, as a gateway would keep. */
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });

/**
 * Sends a request's body on to the same path upstream with undici, then writes the answer's status, content type
 * and bytes to `outgoing` as they come: the relay both HTTP reference proxies share.
 */
export async function relayThroughUndici(
  settings: ReferenceProxySettings,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  outgoing: ServerResponse,
): Promise<void> {
  const answer = await request(new URL(path, settings.upstream), { method: "POST", headers: forwardedHeaders(headers), body, dispatcher });
  outgoing.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
  for await (const chunk of answer.body) outgoing.write(chunk);
  outgoing.end();
}
