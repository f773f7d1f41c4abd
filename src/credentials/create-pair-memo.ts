/** Values built from two strings, kept so that the request path looks them up instead of rebuilding them. */
export type PairMemo<T> = (first: string, second: string) => T;

/**
 * Memoises `build(first, second)` in nested Maps. Nested on purpose: a combined lookup key would be a fresh string
 * per call, whose concatenation and hashing cost about what building the value does (the pool's keys are short
 * strings built from a credential id and a model). Models come from clients, so the memo holds at most `maxEntries`
 * values and starts over when full.
 */
export function createPairMemo<T>(build: (first: string, second: string) => T, maxEntries = 4096): PairMemo<T> {
  const byFirst = new Map<string, Map<string, T>>();
  let size = 0;
  return (first, second) => {
    let inner = byFirst.get(first);
    if (inner !== undefined) {
      const found = inner.get(second);
      if (found !== undefined || inner.has(second)) return found as T;
    }
    if (size >= maxEntries) {
      byFirst.clear();
      size = 0;
      inner = undefined;
    }
    if (inner === undefined) {
      inner = new Map();
      byFirst.set(first, inner);
    }
    const value = build(first, second);
    inner.set(second, value);
    size += 1;
    return value;
  };
}
