import type { GatewayConfig } from "../config/index.js";
import { createFailedRequestDumpWriter, createTraceWriter } from "../observability/index.js";
import { createTraceRecorderFactory, type TraceRecorderFactory } from "../pipeline/index.js";

/**
 * The transaction trace and failed-request dumps under the data directory when SWITCHYARD_TRACE is on; undefined
 * otherwise, so the engine records nothing. Every configured secret (provider keys, proxy keys) is handed to the
 * redactor as a planted value, on top of its name and shape rules.
 */
export function createTraceFromConfig(config: GatewayConfig): TraceRecorderFactory | undefined {
  if (!config.trace) return undefined;
  const secrets = (): string[] => [
    ...config.providers.providers.flatMap((provider) => provider.credentials.map((credential) => credential.secret)),
    ...config.proxyKeys.map((key) => key.secret),
  ];
  return createTraceRecorderFactory({
    trace: createTraceWriter({ dataDir: config.dataDir, secrets }),
    dumps: createFailedRequestDumpWriter({ dataDir: config.dataDir, secrets }),
  });
}
