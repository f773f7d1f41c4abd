/**
 * Removes credentials from upstream text before it reaches an error message, a log or a client. Providers echo
 * keys back in errors ("Incorrect API key provided: sk-…"), so known key shapes, auth header and query forms, and
 * the exact secrets in use are all replaced. Long opaque tokens are redacted too: a false positive costs a request
 * id in an excerpt, a false negative leaks a key.
 */
const secretPatterns: readonly RegExp[] = [
  /\b(?:sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic (sk-ant-…), DeepSeek, OpenRouter (sk-or-…)
  /\bAIza[0-9A-Za-z_-]{16,}/g, // Google API keys
  /\b(?:gsk|fw|cpk|csk|xai|nvapi|tgp)[_-][A-Za-z0-9._-]{10,}/g, // Groq, Fireworks, Chutes, Cerebras, xAI, NVIDIA, Together
  /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{40,}/g, // long opaque tokens
];
const bearerPattern = /\b(bearer\s+)[A-Za-z0-9._~+/-]+=*/gi;
const queryKeyPattern = /([?&](?:key|api_key|apikey|access_token|token)=)[^&\s"'<>]+/gi;
const jsonSecretPattern = /("(?:api[_-]?key|x-api-key|x-goog-api-key|authorization|access_token|token|secret)"\s*:\s*")[^"]*(")/gi;
const redacted = "[redacted]";

/** The text with secrets replaced by `[redacted]`; `secrets` are exact values to remove (those shorter than 8 are ignored). */
export function redactUpstreamText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join(redacted);
  }
  result = result.replace(bearerPattern, `$1${redacted}`);
  result = result.replace(queryKeyPattern, `$1${redacted}`);
  result = result.replace(jsonSecretPattern, `$1${redacted}$2`);
  for (const pattern of secretPatterns) result = result.replace(pattern, redacted);
  return result;
}

/** A redacted excerpt of at most `maxLength` characters, whitespace collapsed. */
export function excerptUpstreamText(text: string, secrets: readonly string[] = [], maxLength = 512): string {
  const collapsed = redactUpstreamText(text, secrets).replace(/\s+/g, " ").trim();
  return collapsed.length <= maxLength ? collapsed : `${collapsed.slice(0, maxLength - 1)}…`;
}
