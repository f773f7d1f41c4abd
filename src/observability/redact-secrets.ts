/**
 * Secret removal for everything the gateway writes down (trace lines, failure dumps, log fields). Three nets, because
 * each misses what another catches: by NAME (auth headers, keys called token/secret/password/api_key at any depth),
 * by SHAPE in text (`Bearer …`, `?key=` in URLs, `"api_key":"…"` inside raw chunks, known key prefixes), and by
 * VALUE (every configured credential, wherever it appears). A false positive costs a readable id in a trace; a
 * false negative leaks a key, so the nets are wide.
 */

/** What replaces a secret. */
export const redactedMarker = "[redacted]";

/** Header names that carry credentials in the providers' and clients' auth schemes. */
const secretHeaderNames = new Set(["authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie", "set-cookie"]);

/**
 * Key names (lowercased, `_` and `-` removed) that hold secrets: `api_key`, `apiKey`, `access_token`, `client_secret`,
 * `password`. Suffix `token` is singular on purpose: `max_tokens` and `input_tokens` are counts, not secrets.
 */
function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (secretHeaderNames.has(lower)) return true;
  const normalized = lower.replace(/[-_]/g, "");
  return /(?:apikey|token|secret|password|passwd|privatekey)$/.test(normalized);
}

const textPatterns: readonly [RegExp, string][] = [
  // At least 8 token characters, so prose ("the bearer of") stays readable; Basic credentials are caught as header lines.
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${redactedMarker}`],
  // Query credentials: Gemini `?key=`, and the other names providers and OAuth flows use.
  [/([?&](?:key|api[_-]?key|access_token|refresh_token|token|code|client_secret)=)[^&\s"'<>#]+/gi, `$1${redactedMarker}`],
  // `"api_key": "…"` inside text that is JSON (raw SSE chunks, upstream error bodies).
  [/("(?:[\w-]*api[_-]?key|[\w-]*token|[\w-]*secret|password|authorization|cookie|set-cookie)"\s*:\s*")(?:[^"\\]|\\.)*(")/gi, `$1${redactedMarker}$2`],
  // The same inside JSON that was itself escaped into a JSON string (`"detail":"{\"api_key\": \"…\"}"` in error bodies).
  [/(\\"(?:[\w-]*api[_-]?key|[\w-]*token|[\w-]*secret|password|authorization|cookie|set-cookie)\\"\s*:\s*\\")(?:[^"\\]|\\(?!"))*(\\")/gi, `$1${redactedMarker}$2`],
  // `x-api-key: …` as a header line in error text.
  [/\b((?:proxy-)?authorization|x-api-key|x-goog-api-key|api-key|set-cookie|cookie)(\s*[:=]\s*)(?!\[redacted\])[^\s,;"]+/gi, `$1$2${redactedMarker}`],
  // Known key shapes, for keys that are not configured here (a client's key echoed in an upstream error).
  [/\b(?:sk|rk|pk)-[A-Za-z0-9_-]{16,}/g, redactedMarker],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, redactedMarker],
];

/** Configured secrets shorter than this are not searched for in text: they would match ordinary words. */
const minimumSecretLength = 8;

/** Redacts strings, headers and nested values against one set of configured secrets. */
export interface Redactor {
  /** Text with every secret replaced. */
  text(value: string): string;
  /** A redacted deep copy: secret-named keys at any depth, secrets in every string, Errors as plain data. */
  value(value: unknown): unknown;
}

/** A redactor for the given configured secret values (credential keys, OAuth tokens, proxy keys). */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  // Longest first, so a secret that contains another is removed whole.
  const values = [...new Set(secrets.filter((secret) => secret.length >= minimumSecretLength))].sort((a, b) => b.length - a.length);
  const text = (input: string): string => {
    let result = input;
    for (const secret of values) if (result.includes(secret)) result = result.split(secret).join(redactedMarker);
    for (const [pattern, replacement] of textPatterns) result = result.replace(pattern, replacement);
    return result;
  };
  const walk = (input: unknown, seen: WeakSet<object>, depth: number): unknown => {
    if (typeof input === "string") return text(input);
    if (typeof input === "bigint") return input.toString();
    if (typeof input !== "object" || input === null) return input;
    if (seen.has(input)) return "[circular]";
    if (depth > 64) return "[too deep]";
    seen.add(input);
    try {
      if (input instanceof Uint8Array) return text(Buffer.from(input).toString("utf8"));
      if (input instanceof Error) return walk(describeError(input), seen, depth + 1);
      if (input instanceof Map) return walk(Object.fromEntries(input), seen, depth + 1);
      if (Array.isArray(input)) return input.map((item) => walk(item, seen, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(input)) {
        out[key] = isSecretKey(key) && item !== undefined && item !== null && item !== "" ? redactedMarker : walk(item, seen, depth + 1);
      }
      return out;
    } finally {
      seen.delete(input);
    }
  };
  return { text, value: (input) => walk(input, new WeakSet(), 0) };
}

/** An Error as plain data: name, message, own enumerable fields (GatewayError's code, status…), stack, cause. */
function describeError(error: Error): Record<string, unknown> {
  const described: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, item] of Object.entries(error)) described[key] = item;
  if (error.stack !== undefined) described["stack"] = error.stack;
  if (error.cause !== undefined) described["cause"] = error.cause;
  return described;
}

/** One-shot redaction of any value (see `createRedactor`). */
export function redactSecrets(value: unknown, secrets: readonly string[] = []): unknown {
  return createRedactor(secrets).value(value);
}
