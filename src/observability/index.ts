/**
 * Observability: secret redaction for everything written down, the per-request transaction trace and failed-request
 * dumps (bounded, asynchronous, never able to fail a request). Uses only unified, so any module below the server may use it.
 */
export { createRedactor, redactSecrets, redactedMarker, type Redactor } from "./redact-secrets.js";
export { createTraceWriter, tracePassKinds, type TracePassKind, type TraceWriter, type TraceWriterOptions, type TransactionTrace } from "./transaction-trace-writer.js";
export { createFailedRequestDumpWriter, type FailedRequestDump, type FailedRequestDumpOptions, type FailedRequestDumpWriter } from "./failed-request-dump-writer.js";
export type { DiagnosticWriteStats } from "./diagnostic-write-stats.js";
export { readRecordedProviderRequests, type RecordedProviderRequest } from "./read-recorded-provider-request.js";
