import { createHash, timingSafeEqual } from "node:crypto";

/** The proxy keys, kept only as SHA-256 digests so that comparison is constant-time and the keys stay out of memory dumps. */
export interface ProxyKeySet {
  /** Whether any key is configured (none = open, loopback only). */
  readonly enabled: boolean;
  /** The id of the matching key, or undefined. Compares against every key in constant time. */
  match(candidate: string | undefined): string | undefined;
}

/** Builds the proxy key set from the configured keys. */
export function createProxyKeySet(keys: readonly string[]): ProxyKeySet {
  const digests = keys.map((key) => ({ digest: sha256(key), id: `key-${sha256(key).toString("hex").slice(0, 8)}` }));
  return {
    enabled: digests.length > 0,
    match(candidate) {
      if (candidate === undefined) return undefined;
      const candidateDigest = sha256(candidate);
      let matched: string | undefined;
      // Visit every key so that timing does not reveal which one (or whether one) matched.
      for (const entry of digests) {
        if (timingSafeEqual(entry.digest, candidateDigest)) matched ??= entry.id;
      }
      return matched;
    },
  };
}

/**
 * The key a client sent, in any protocol's style: `Authorization: Bearer`, `x-api-key` (Anthropic),
 * `x-goog-api-key` or `?key=` (Gemini). Every style is accepted on every route.
 */
export function readClientKey(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): string | undefined {
  const authorization = firstHeader(headers["authorization"]);
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
    if (bearer !== null) return bearer[1]?.trim();
  }
  return firstHeader(headers["x-api-key"]) ?? firstHeader(headers["x-goog-api-key"]) ?? query.get("key") ?? undefined;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
