import { GatewayError } from "../unified/index.js";

/** One request's abort signal: the client's signal plus the deadline, released by `clear()` when the request ends. */
export interface RequestDeadline {
  signal: AbortSignal;
  /** Stops the timer and detaches from the client's signal; the request is over. */
  clear(): void;
}

/**
 * The client's signal plus the request deadline, as one signal that aborts with the client's reason, or with an
 * `upstream_timeout` GatewayError once `ms` pass. Unlike `AbortSignal.any([client, AbortSignal.timeout(ms)])`, whose timer and signal bookkeeping stay alive for the
 * whole deadline (about 700 bytes per request for 10 minutes, which grew the heap without bound under load), this one
 * is released by `clear()` as soon as the request ends.
 */
export function startRequestDeadline(clientSignal: AbortSignal, ms: number): RequestDeadline {
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort(clientSignal.reason);
  if (clientSignal.aborted) onClientAbort();
  else clientSignal.addEventListener("abort", onClientAbort, { once: true });
  // A GatewayError reason: the transport mapper returns it as is, so a deadline is reported as `upstream_timeout`
  // (a TimeoutError DOMException was read as the client going away and reported as `client_closed`).
  const timer = setTimeout(() => controller.abort(new GatewayError("upstream_timeout", `the request took longer than the ${ms} ms deadline`)), ms);
  // Like AbortSignal.timeout: a pending deadline never keeps the process alive.
  timer.unref();
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
    },
  };
}
