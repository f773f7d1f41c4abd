/** Backoff limits. */
export interface BackoffLimits {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay after the `failures`-th consecutive failure: base × 2^(failures − 1), capped, with "equal jitter" (half
 * fixed, half random) so that credentials failing together do not all come back in the same millisecond, while the
 * delay never drops below half the nominal value.
 */
export function computeBackoffDelay(failures: number, limits: BackoffLimits, random: () => number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const nominal = Math.min(limits.maxMs, limits.baseMs * 2 ** exponent);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
