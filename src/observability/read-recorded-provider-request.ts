import { GatewayError } from "../unified/index.js";

/** One provider request as a trace (`provider-request` line) or a failure dump recorded it, secrets already redacted. */
export interface RecordedProviderRequest {
  /** Where it came from: a trace line (with its `seq`) or a failure dump. */
  source: "trace" | "dump";
  seq?: number;
  at?: string;
  requestId?: string;
  provider: string;
  /** The wire protocol it was sent in; absent in traces written before it was recorded. */
  protocol?: string;
  /** The upstream model id; absent in older traces (then read from the body or the URL). */
  model?: string;
  operation?: string;
  stream?: boolean;
  url?: string;
  method?: string;
  /** As recorded: auth headers read `[redacted]`. */
  headers: Record<string, string>;
  /** The body as recorded (JSON bodies as values, anything else as text). */
  body: unknown;
}

/**
 * Every provider request a trace file (JSONL, one `provider-request` line per attempt) or a failure dump (one
 * pretty-printed JSON object) holds, in file order. Throws `invalid_request` when the text is neither.
 */
export function readRecordedProviderRequests(text: string): RecordedProviderRequest[] {
  const whole = parseJson(text);
  if (isObject(whole) && whole["kind"] === undefined) {
    const request = whole["request"];
    if (!isObject(request) || typeof whole["provider"] !== "string") {
      throw new GatewayError("invalid_request", "this JSON file is not a failure dump: it has no provider and request");
    }
    return [describe("dump", whole, request)];
  }
  const recorded: RecordedProviderRequest[] = [];
  let lines = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const entry = parseJson(line);
    if (!isObject(entry) || typeof entry["kind"] !== "string") continue;
    lines += 1;
    const data = entry["data"];
    if (entry["kind"] !== "provider-request" || !isObject(data) || typeof entry["provider"] !== "string") continue;
    recorded.push(describe("trace", entry, data));
  }
  if (lines === 0) throw new GatewayError("invalid_request", "this file is neither a transaction trace (JSONL) nor a failure dump (JSON)");
  return recorded;
}

function describe(source: RecordedProviderRequest["source"], entry: Record<string, unknown>, request: Record<string, unknown>): RecordedProviderRequest {
  const recorded: RecordedProviderRequest = { source, provider: String(entry["provider"]), headers: readHeaders(request["headers"]), body: request["body"] };
  if (typeof entry["seq"] === "number") recorded.seq = entry["seq"];
  if (typeof entry["at"] === "string") recorded.at = entry["at"];
  if (typeof entry["requestId"] === "string") recorded.requestId = entry["requestId"];
  if (typeof entry["protocol"] === "string") recorded.protocol = entry["protocol"];
  if (typeof entry["model"] === "string") recorded.model = entry["model"];
  if (typeof entry["operation"] === "string") recorded.operation = entry["operation"];
  if (typeof entry["stream"] === "boolean") recorded.stream = entry["stream"];
  if (typeof request["url"] === "string") recorded.url = request["url"];
  if (typeof request["method"] === "string") recorded.method = request["method"];
  return recorded;
}

function readHeaders(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isObject(value)) return headers;
  for (const [name, item] of Object.entries(value)) if (typeof item === "string") headers[name.toLowerCase()] = item;
  return headers;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Diagnostic files are read back, not trusted: a line that is not JSON is skipped, never thrown. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
