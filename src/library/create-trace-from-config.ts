import type { GatewayConfig } from "../config/index.js";
import { createFailedRequestDumpWriter, createTraceWriter } from "../observability/index.js";
import { createTraceRecorderFactory, type TraceRecorderFactory } from "../pipeline/index.js";

/**
 * The transaction trace (SWITCHYARD_TRACE) and the failed-request dumps (SWITCHYARD_DUMP_FAILURES) under the data
 * directory; undefined when both are off, so the engine records nothing and its hot path is one branch. Every
 * configured secret (provider keys, proxy keys) is handed to the redactor as a planted value, on top of its name and
 * shape rules.
 */
export function createTraceFromConfig(config: GatewayConfig): TraceRecorderFactory | undefined {
  if (!config.trace && !config.dumpFailures) return undefined;
  const secrets = (): string[] => configuredSecrets(config);
  return createTraceRecorderFactory({
    ...(config.trace ? { trace: createTraceWriter({ dataDir: config.dataDir, secrets }) } : {}),
    ...(config.dumpFailures ? { dumps: createFailedRequestDumpWriter({ dataDir: config.dataDir, secrets, maxFiles: config.maxFailureDumps }) } : {}),
  });
}

/** Every secret value the configuration holds: provider credentials and proxy keys, for redaction by value. */
export function configuredSecrets(config: GatewayConfig): string[] {
  return [
    ...config.providers.providers.flatMap((provider) => provider.credentials.map((credential) => credential.secret)),
    ...config.proxyKeys.map((key) => key.secret),
  ];
}
