/** When batched log lines are written. */
export interface LogBatchLimits {
  /** Longest a line waits (default 20 ms): bounds how stale the log is. */
  maxDelayMs?: number;
  /** Written at once beyond this many pending characters (default 64 Ki): bounds the memory held. */
  maxPendingChars?: number;
}

/** A line sink that collects lines and hands them to `write` in batches; `flush` writes what is pending now. */
export interface LogLineBatcher {
  write(line: string): void;
  flush(): void;
}

/**
 * Collects log lines and writes them together, at most `maxDelayMs` after the first of a batch. One write(2) per
 * request line was the largest single cost left at one connection (bench/README.md): with requests back to back, the
 * write of one request's line landed between the next request's arrival and its handling. Batched, a busy gateway
 * makes one write per batch, and an idle one still shows each line within the delay. The timer does not keep the
 * process alive; whoever owns the batcher flushes it on exit.
 */
export function batchLogLines(write: (text: string) => void, limits: LogBatchLimits = {}): LogLineBatcher {
  const maxDelayMs = limits.maxDelayMs ?? 20;
  const maxPendingChars = limits.maxPendingChars ?? 64 * 1024;
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return;
    const text = pending.length === 1 ? (pending[0] as string) : pending.join("");
    pending = [];
    pendingChars = 0;
    write(text);
  };
  return {
    write(line) {
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= maxPendingChars) flush();
      else if (timer === undefined) timer = setTimeout(flush, maxDelayMs).unref();
    },
    flush,
  };
}
