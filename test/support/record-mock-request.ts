import type { IncomingMessage } from "node:http";
import { readMockApiKey, routeMockRequest, type MockRoute } from "./route-mock-request.js";

/** One request as the mock upstream received it. */
export interface RecordedRequest {
  /** 1-based arrival order; ids in default answers derive from it. */
  sequence: number;
  method: string;
  /** Pathname without the query, e.g. `/v1/messages`. */
  path: string;
  /** Pathname and query exactly as sent, e.g. `/v1/messages?beta=true`. */
  url: string;
  query: Record<string, string>;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body exactly as received (UTF-8). */
  bodyText: string;
  /** The parsed body, or undefined when it was empty or not JSON. */
  json: unknown;
  route: MockRoute;
  /** The key from `Authorization: Bearer`, `x-api-key`, `x-goog-api-key` or `?key=`. */
  apiKey: string | undefined;
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A non-JSON body is still recorded as text; tests of malformed input look at bodyText.
    return undefined;
  }
}

/** Reads a whole request body and records it with its route. */
export async function recordMockRequest(request: IncomingMessage, sequence: number): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const bodyText = Buffer.concat(chunks).toString("utf8");
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const json = parseJsonOrUndefined(bodyText);
  const method = request.method ?? "GET";
  return {
    sequence,
    method,
    path: url.pathname,
    url: `${url.pathname}${url.search}`,
    query: Object.fromEntries(url.searchParams),
    headers,
    bodyText,
    json,
    route: routeMockRequest(method, url.pathname, url.searchParams, request.headers, json),
    apiKey: readMockApiKey(request.headers, url.searchParams),
  };
}
