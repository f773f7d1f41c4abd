import { AsyncLocalStorage } from "node:async_hooks";

/** Told the status and headers of every upstream response sent within its scope, before the body is read. */
export type UpstreamResponseObserver = (response: { status: number; headers: Readonly<Record<string, string>> }) => void;

const observers = new AsyncLocalStorage<UpstreamResponseObserver>();

/**
 * Runs `operation` with `observer` watching the upstream responses it causes. The executor scopes one observer per
 * attempt so rate-limit headers reach the credential that made the call, while the code between them (request
 * building, codecs, stream supervision) needs no parameter for it. Outside any scope nothing is observed.
 */
export function observeUpstreamResponses<T>(observer: UpstreamResponseObserver, operation: () => Promise<T>): Promise<T> {
  return observers.run(observer, operation);
}

/** Reports one response to the observer of the current scope, if any; an observer's failure never fails the request. */
export function reportUpstreamResponse(status: number, headers: Readonly<Record<string, string>>): void {
  const observer = observers.getStore();
  if (observer === undefined) return;
  try {
    observer({ status, headers });
  } catch {
    // Steering is an optimisation: a bad header value must not turn a served response into a failure.
  }
}
