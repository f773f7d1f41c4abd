import { join } from "node:path";
import { createBoundedDirectory } from "./bounded-directory.js";
import { createDiagnosticWriteStats, type DiagnosticWriteStats } from "./diagnostic-write-stats.js";
import { createRedactor } from "./redact-secrets.js";

/** One failed upstream exchange, as dumped: what was sent, what came back, and the error. */
export interface FailedRequestDump {
  requestId: string;
  provider?: string;
  /** The wire protocol the request was sent in. */
  protocol?: string;
  model?: string;
  operation?: string;
  stream?: boolean;
  /** Credential fingerprint (never the secret). */
  credentialId?: string;
  request?: { url?: string; method?: string; headers?: Record<string, unknown>; body?: unknown };
  response?: { status?: number; headers?: Record<string, unknown>; body?: unknown };
  error?: unknown;
}

/** Options of the dump writer. */
export interface FailedRequestDumpOptions {
  /** Dumps go to `<dataDir>/failures/`. */
  dataDir: string;
  secrets?: () => readonly string[];
  /** Dump files kept (oldest deleted first). Default 100. */
  maxFiles?: number;
  now?: () => number;
}

/** Writes failure dumps in the background. */
export interface FailedRequestDumpWriter {
  /** Queues a dump; never throws, never waits. */
  dump(failure: FailedRequestDump): void;
  /** Resolves when every queued dump is written or given up. */
  flush(): Promise<void>;
  readonly stats: Readonly<DiagnosticWriteStats>;
}

/**
 * Failed upstream requests on their own, one redacted pretty-printed JSON file each under `<dataDir>/failures/`,
 * independent of the trace switch so a provider's 400s can be studied without tracing all traffic.
 */
export function createFailedRequestDumpWriter(options: FailedRequestDumpOptions): FailedRequestDumpWriter {
  const now = options.now ?? Date.now;
  const directory = createBoundedDirectory(join(options.dataDir, "failures"), ".json", options.maxFiles ?? 100);
  const stats = createDiagnosticWriteStats();
  // One queue for all dumps: pruning is exact only when files are created one after another.
  let queue: Promise<void> = Promise.resolve();
  return {
    stats,
    dump(failure) {
      let text: string;
      let name: string;
      try {
        const redactor = createRedactor(options.secrets?.() ?? []);
        const at = now();
        name = directory.nextName(failure.requestId, at);
        text = `${JSON.stringify({ at: new Date(at).toISOString(), ...(redactor.value(failure) as Record<string, unknown>) }, null, 2)}\n`;
      } catch {
        stats.failures += 1;
        return;
      }
      queue = queue.then(async () => {
        try {
          await directory.ensure();
          await directory.write(name, text);
          stats.written += 1;
          await directory.prune(name);
        } catch {
          stats.failures += 1;
        }
      });
    },
    async flush() {
      let current: Promise<void>;
      do {
        current = queue;
        await current;
      } while (current !== queue);
    },
  };
}
