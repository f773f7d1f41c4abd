import { join } from "node:path";
import { createBoundedDirectory } from "./bounded-directory.js";
import { createDiagnosticWriteStats, type DiagnosticWriteStats } from "./diagnostic-write-stats.js";
import { createRedactor } from "./redact-secrets.js";

/** The passes a transaction trace records, in the order a request meets them. */
export const tracePassKinds = [
  "client-request",
  "unified-request",
  "adapter-pass",
  "field-cache",
  "provider-request",
  "provider-response",
  "provider-chunk",
  "unified-response",
  "client-response",
  "error",
] as const;

/** One kind of trace line. */
export type TracePassKind = (typeof tracePassKinds)[number];

/** The trace of one request: `record` never throws and never waits; `close` resolves once everything is on disk (or given up). */
export interface TransactionTrace {
  readonly requestId: string;
  /** Appends one pass; `data` is redacted and serialized now (a snapshot), written later. */
  record(kind: TracePassKind, data: unknown, fields?: Record<string, string | number | boolean>): void;
  close(): Promise<void>;
}

/** Options of the trace writer. */
export interface TraceWriterOptions {
  /** The gateway data directory; traces go to `<dataDir>/traces/`. */
  dataDir: string;
  /** Configured secret values to remove wherever they appear; a function so rotated credentials are seen. */
  secrets?: () => readonly string[];
  /** Trace files kept (oldest deleted first). Default 500. */
  maxFiles?: number;
  /** Bytes per trace file; lines past it are dropped and one `truncated` line says so. Default 8 MiB. */
  maxBytesPerFile?: number;
  /** Injected clock (ms since epoch). */
  now?: () => number;
}

/** Creates per-request traces and reports how writing went. */
export interface TraceWriter {
  begin(requestId: string): TransactionTrace;
  /** Resolves when every trace begun so far has been written (tests, shutdown). */
  flush(): Promise<void>;
  readonly stats: Readonly<DiagnosticWriteStats>;
}

/**
 * The transaction trace: one JSONL file per request under `<dataDir>/traces/`, one line per pass. Writes are
 * queued per trace and batched (a stream of raw chunks costs one append per burst, not per chunk); every failure,
 * from serialization to a full disk, is swallowed and counted, because the trace must never affect the request.
 */
export function createTraceWriter(options: TraceWriterOptions): TraceWriter {
  const maxBytes = options.maxBytesPerFile ?? 8 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const directory = createBoundedDirectory(join(options.dataDir, "traces"), ".jsonl", options.maxFiles ?? 500);
  const stats = createDiagnosticWriteStats();
  const inFlight = new Set<Promise<void>>();

  const track = (work: Promise<void>): Promise<void> => {
    const settled = work.catch(() => {
      stats.failures += 1;
    });
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    return settled;
  };

  return {
    stats,
    async flush() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    begin(requestId) {
      const name = directory.nextName(requestId, now());
      const pending: string[] = [];
      let sequence = 0;
      let bytes = 0;
      let truncated = false;
      let failed = false;
      let created: Promise<void> | undefined;
      let writing: Promise<void> | undefined;
      // Secrets are read once per request: a credential rotated mid-request is still the one this request used.
      const redactor = createRedactor(options.secrets?.() ?? []);

      const create = async (): Promise<void> => {
        await directory.ensure();
        await directory.append(name, "");
        await directory.prune(name);
      };
      const drain = async (): Promise<void> => {
        created ??= create();
        await created;
        while (pending.length > 0) {
          const batch = pending.splice(0);
          await directory.append(name, batch.join(""));
          stats.written += batch.length;
        }
      };
      const schedule = (): void => {
        if (writing !== undefined || failed) return;
        writing = track(
          drain().catch((error: unknown) => {
            failed = true; // a trace that failed once stops trying: the disk is full or the directory is gone
            pending.length = 0;
            throw error;
          }),
        ).finally(() => {
          writing = undefined;
          if (pending.length > 0) schedule();
        });
      };

      return {
        requestId,
        record(kind, data, fields) {
          if (failed || truncated) {
            stats.dropped += 1;
            return;
          }
          try {
            const line = `${JSON.stringify({ seq: (sequence += 1), at: new Date(now()).toISOString(), requestId: redactor.text(requestId), kind, ...fields, data: redactor.value(data) })}\n`;
            const size = Buffer.byteLength(line);
            if (bytes + size > maxBytes) {
              truncated = true;
              stats.dropped += 1;
              pending.push(`${JSON.stringify({ seq: (sequence += 1), at: new Date(now()).toISOString(), requestId: redactor.text(requestId), kind: "truncated", maxBytesPerFile: maxBytes })}\n`);
            } else {
              bytes += size;
              pending.push(line);
            }
            schedule();
          } catch {
            stats.failures += 1;
          }
        },
        async close() {
          while (writing !== undefined) await writing;
        },
      };
    },
  };
}
