import { GatewayError, invalidRequest, toGatewayError } from "../unified/index.js";
import { convertResponseRecord, renderStoredResponse } from "./convert-response-record.js";
import { isTerminalResponseStatus, type JsonObject, type ResponseTarget, type StoredResponse } from "./convert-stored-response.js";
import { createResponseEventLog, type ResponseEventLog } from "./create-response-event-log.js";
import type { ResponseStore } from "./create-response-store.js";

/** What a background run produces: the final client-facing response object and where it was served. */
export interface BackgroundOutcome {
  body: Record<string, unknown>;
  target?: ResponseTarget;
  /** A streamed run's terminal frame (and anything after it): published only once the record is saved. */
  closingFrames?: string[];
}

/** A background response to start. */
export interface BackgroundStart {
  /** A fresh gateway id (`ResponseIdIssuer.fresh()`): the client polls it before any upstream has answered. */
  id: string;
  owner: string;
  model: string;
  /** Unix seconds. */
  createdAt: number;
  /** This request's own input items (for `input_items` and later lineage). */
  input: JsonObject[];
  previousResponseId?: string;
  /** Echoed request fields shown while queued (tools, instructions, metadata…). */
  fields?: JsonObject;
  /** Keep the run's events for clients that attach to it (`stream: true`); the run then gets an event log. */
  stream?: boolean;
  /**
   * Produces the final response; the pipeline plugs in here. It must stop when `signal` aborts (cancel or
   * shutdown); whatever it returns after a cancel is discarded. A streamed run appends its frames to `events` as
   * they come, except the terminal one, which it returns in `closingFrames`.
   */
  run: (signal: AbortSignal, events: ResponseEventLog | undefined) => Promise<BackgroundOutcome>;
}

/** Detached responses: queued → in_progress → completed | incomplete | failed | cancelled, kept in the response store. */
export interface BackgroundResponses {
  /** Records the job as queued and schedules it; resolves with the queued record (the POST answer). 429 over the cap. */
  start(job: BackgroundStart): Promise<StoredResponse>;
  /** The job's current record (`not_found` for a missing or foreign id), reconciled as `reconcile` does. */
  retrieve(id: string, owner: string): Promise<StoredResponse>;
  /**
   * A stored record as it really stands: a background job still queued or in progress whose run lease has expired
   * (the instance running it died or lost the store) is marked `failed` with an error saying so, on any instance.
   * Every other record is returned unchanged.
   */
  reconcile(record: StoredResponse): Promise<StoredResponse>;
  /**
   * Cancels a queued or running job wherever it runs: the record turns `cancelled` at once and the cancel flag on
   * the store stops the run on the instance that has it (this one at once, others within `cancelPollMs`).
   * Cancelling a finished one (or one whose runner died: it is marked failed first) changes nothing and returns it;
   * a response not created in the background is a 400.
   */
  cancel(id: string, owner: string): Promise<StoredResponse>;
  /** The event log of a streamed job run by this instance (kept `eventRetentionMs` after it ends), if any. */
  events(id: string): ResponseEventLog | undefined;
  /** Resolves when this instance's run of `id` has settled (tests, graceful shutdown). */
  settled(id: string): Promise<void>;
  /** Aborts every run on this instance and waits for them to settle. */
  close(): Promise<void>;
}

/** Options for the background runner. */
export interface BackgroundResponsesOptions {
  store: ResponseStore;
  /** Runs a task detached; default `setImmediate`, so the POST answers with `queued` before work starts. */
  schedule?: (task: () => void) => void;
  /** Most jobs this instance runs at once; one more is a 429 (`rate_limited`), not queued. Default 32. */
  maxBackgroundJobs?: number;
  /**
   * How often this instance reads the cancel flags of the jobs it runs (a cancel sent to another instance) and
   * renews their run leases. Default 1000.
   */
  cancelPollMs?: number;
  /**
   * How long a run lease lasts without renewal: once a job's lease is this old, GET or cancel on any instance marks
   * it failed. At least twice `cancelPollMs`; default the larger of 15 s and 5 × `cancelPollMs`.
   */
  leaseMs?: number;
  /** Most bytes of events held per streamed job for clients that attach late. Default 8 MiB. */
  eventLogBytes?: number;
  /** How long a streamed job's events stay after it ends, for a client re-attaching. Default 10 minutes. */
  eventRetentionMs?: number;
}

const defaultMaxRunning = 32;
/** The cancel-flag poll (and lease renewal) interval when none is configured, in ms. */
export const defaultBackgroundCancelPollMs = 1_000;
const defaultCancelPollMs = defaultBackgroundCancelPollMs;
const defaultEventLogBytes = 8 * 1024 * 1024;
const defaultEventRetentionMs = 10 * 60 * 1000;
const defaultMinLeaseMs = 15_000;

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * A background runner on the response store. Status changes are compare-and-set updates that only move forward
 * from the status they expect, so a cancel that lands while the run finishes never gets overwritten by the result
 * (and a result never resurrects a cancelled job), on one instance or several sharing a store.
 */
export function createBackgroundResponses(options: BackgroundResponsesOptions): BackgroundResponses {
  const { store } = options;
  const schedule = options.schedule ?? ((task) => void setImmediate(task));
  const maxBackgroundJobs = options.maxBackgroundJobs ?? defaultMaxRunning;
  const cancelPollMs = options.cancelPollMs ?? defaultCancelPollMs;
  const leaseMs = options.leaseMs ?? Math.max(defaultMinLeaseMs, 5 * cancelPollMs);
  // A lease renewed at most once per lease would expire under any delay of the renewing timer.
  if (!(leaseMs >= 2 * cancelPollMs)) throw new GatewayError("config", `background lease (${leaseMs} ms) must be at least twice the cancel poll interval (${cancelPollMs} ms)`);
  const eventLogBytes = options.eventLogBytes ?? defaultEventLogBytes;
  const eventRetentionMs = options.eventRetentionMs ?? defaultEventRetentionMs;
  const running = new Map<string, RunningJob>();
  const logs = new Map<string, ResponseEventLog>();
  let poller: ReturnType<typeof setInterval> | undefined;

  const abortRun = (id: string): void => {
    running.get(id)?.controller.abort(new GatewayError("client_closed", `background response '${id}' was cancelled`));
  };

  /**
   * One tick for every job running here: its lease renewed (this instance is alive) and its cancel flag read (a flag
   * raised on any instance stops the run).
   */
  const pollRunningJobs = async (): Promise<void> => {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    const [, flagged] = await Promise.all([store.renewLeases(ids, leaseMs), store.readCancelFlags(ids)]);
    for (const id of flagged) abortRun(id);
  };
  const startPolling = (): void => {
    if (poller !== undefined) return;
    poller = setInterval(() => void pollRunningJobs().catch(() => undefined), cancelPollMs);
    // The poller never keeps a process alive by itself.
    poller.unref();
  };
  const stopPollingWhenIdle = (): void => {
    if (running.size > 0 || poller === undefined) return;
    clearInterval(poller);
    poller = undefined;
  };

  const execute = async (job: BackgroundStart, controller: AbortController, log: ResponseEventLog | undefined): Promise<void> => {
    const started = await store.update(job.id, job.owner, (current) => (current.status === "queued" ? { ...current, status: "in_progress" } : undefined));
    if (started.status !== "in_progress") {
      closeLog(log, started, undefined);
      return;
    }
    let outcome: BackgroundOutcome | undefined;
    let final: StoredResponse;
    try {
      // Aborted between the queue and the run (shutdown): recorded as failed like a run cut short, never left running.
      controller.signal.throwIfAborted();
      outcome = await job.run(controller.signal, log);
    } catch (error) {
      const failure = toGatewayError(error);
      final = await store.update(job.id, job.owner, (current) =>
        current.status === "in_progress" ? { ...current, status: "failed", error: { code: failure.code, message: failure.message } } : undefined,
      );
      closeLog(log, final, undefined);
      return;
    }
    const finished = convertResponseRecord({
      body: { ...outcome.body, id: job.id },
      owner: job.owner,
      input: job.input,
      background: true,
      ...(outcome.target === undefined ? {} : { target: outcome.target }),
      ...(job.previousResponseId === undefined ? {} : { previousResponseId: job.previousResponseId }),
    });
    // Saved before the terminal event reaches anyone attached: a follow-up sent at once finds it.
    final = await store.update(job.id, job.owner, (current) => (current.status === "in_progress" ? { ...finished, createdAt: current.createdAt } : undefined));
    closeLog(log, final, final.status === finished.status ? outcome.closingFrames : undefined);
  };

  /** Ends a job's event log with the run's own terminal frames, or one that says how the job really ended. */
  const closeLog = (log: ResponseEventLog | undefined, final: StoredResponse, closingFrames: string[] | undefined): void => {
    if (log === undefined || log.finished) return;
    if (closingFrames !== undefined && closingFrames.length > 0) {
      for (const frame of closingFrames) log.append(frame, log.nextSequence());
    } else {
      const event = closingEvent(final, log.nextSequence());
      log.append(`event: ${String(event["type"])}\ndata: ${JSON.stringify(event)}\n\n`, log.nextSequence());
    }
    log.finish();
  };

  const reconcile = async (record: StoredResponse): Promise<StoredResponse> => {
    // Run here: alive by definition, no store read needed.
    if (record.background !== true || isTerminalResponseStatus(record.status) || running.has(record.id)) return record;
    if (await store.holdsLease(record.id)) return record;
    // Moves forward only from a live status: a run that finished while the lease was read keeps its result.
    return store.update(record.id, record.owner, (current) =>
      isTerminalResponseStatus(current.status) ? undefined : { ...current, status: "failed", error: { code: "internal", message: orphanedMessage(record.id, current.status) } },
    );
  };

  return {
    start: async (job) => {
      if (running.size >= maxBackgroundJobs) {
        throw new GatewayError("rate_limited", `this gateway already runs ${maxBackgroundJobs} background responses; retry when one has finished`, { retryAfterMs: 1_000 });
      }
      const queued: StoredResponse = {
        id: job.id,
        owner: job.owner,
        model: job.model,
        createdAt: job.createdAt,
        status: "queued",
        input: job.input,
        output: [],
        background: true,
      };
      if (job.previousResponseId !== undefined) queued.previousResponseId = job.previousResponseId;
      if (job.fields !== undefined) queued.fields = job.fields;
      // The lease first: a GET on another instance must never see the queued record without one.
      await store.renewLeases([job.id], leaseMs);
      const outcome = await store.save(queued);
      if (!outcome.saved) {
        await store.releaseLease(job.id);
        throw invalidRequest("input", outcome.reason);
      }
      const controller = new AbortController();
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      running.set(job.id, { controller, done });
      startPolling();
      const log = job.stream === true ? createResponseEventLog(job.id, { maxBytes: eventLogBytes }) : undefined;
      if (log !== undefined) {
        logs.set(job.id, log);
        // The job's id reaches an attached client at once, before any upstream answer, so a dropped connection can
        // re-attach; the run's own `response.created` (also sequence 0) is dropped for it.
        const created = { type: "response.created", sequence_number: 0, response: renderStoredResponse(queued) };
        log.append(`event: response.created\ndata: ${JSON.stringify(created)}\n\n`, 0);
      }
      schedule(() => {
        // A failing store write must not become an unhandled rejection in a detached task; the record then stays
        // where it was and a poll shows it.
        execute(job, controller, log)
          .catch(() => undefined)
          .then(() => {
            running.delete(job.id);
            stopPollingWhenIdle();
            // Only after the final write: released earlier, a GET in between would fail a job that is finishing. If
            // that write failed, the record is still in progress and the next GET fails it, as for a dead instance.
            return store.releaseLease(job.id);
          })
          .catch(() => undefined)
          .finally(() => {
            if (log !== undefined) {
              if (!log.finished) log.finish();
              // Late re-attaches are served for a while; the timer never holds the process open.
              setTimeout(() => logs.delete(job.id), eventRetentionMs).unref();
            }
            finish();
          });
      });
      return queued;
    },
    retrieve: async (id, owner) => reconcile(await store.get(id, owner)),
    reconcile,
    cancel: async (id, owner) => {
      const current = await reconcile(await store.get(id, owner));
      if (current.background !== true) throw invalidRequest("", `Response with id '${id}' was not created in the background and cannot be cancelled.`);
      const next = await store.update(id, owner, (record) => (isTerminalResponseStatus(record.status) ? undefined : { ...record, status: "cancelled" }));
      if (next.status === "cancelled" && !isTerminalResponseStatus(current.status)) {
        // The run may be on another instance sharing the store: the flag reaches it at its next poll.
        await store.flagCancel(id);
        abortRun(id);
      }
      return next;
    },
    events: (id) => logs.get(id),
    settled: async (id) => {
      await running.get(id)?.done;
    },
    close: async () => {
      const runs = [...running.values()];
      for (const run of runs) run.controller.abort();
      await Promise.all(runs.map((run) => run.done));
      if (poller !== undefined) clearInterval(poller);
      poller = undefined;
    },
  };
}

/** The error of a job whose runner is gone: what happened and what to do, without guessing why the instance stopped. */
function orphanedMessage(id: string, status: StoredResponse["status"]): string {
  return `Background response '${id}' was ${status === "queued" ? "queued" : "running"} on a gateway instance that stopped renewing its lease (it exited or lost the state store); it will not finish. Create it again.`;
}

/**
 * The last event of a streamed job whose run did not end it itself: `response.failed` with the stored error, or,
 * for a cancelled job (the API has no `response.cancelled` event), an `error` event saying so.
 */
function closingEvent(final: StoredResponse, sequence: number): JsonObject {
  switch (final.status) {
    case "cancelled":
      return { type: "error", code: "response_cancelled", message: `Response '${final.id}' was cancelled.`, param: null, sequence_number: sequence };
    case "queued":
    case "in_progress":
    case "failed":
    case "completed":
    case "incomplete":
      return { type: final.status === "incomplete" ? "response.incomplete" : final.status === "completed" ? "response.completed" : "response.failed", sequence_number: sequence, response: renderStoredResponse(final) };
    default: {
      const unreachable: never = final.status;
      throw new GatewayError("internal", `unknown response status ${String(unreachable)}`);
    }
  }
}
