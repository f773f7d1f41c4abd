/** Counters a trace or dump writer keeps instead of throwing: diagnostics must never fail a request. */
export interface DiagnosticWriteStats {
  /** Lines or files written. */
  written: number;
  /** Lines or files not written because a bound was reached (bytes per file). */
  dropped: number;
  /** Write, serialization or prune failures, swallowed. */
  failures: number;
}

/** Fresh zeroed counters. */
export function createDiagnosticWriteStats(): DiagnosticWriteStats {
  return { written: 0, dropped: 0, failures: 0 };
}
