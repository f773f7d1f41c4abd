import { GatewayError, invalidRequest, toGatewayError } from "../unified/index.js";
import { convertResponseRecord } from "./convert-response-record.js";
import { isTerminalResponseStatus, type JsonObject, type ResponseTarget, type StoredResponse } from "./convert-stored-response.js";
import type { ResponseStore } from "./create-response-store.js";

/** What a background run produces: the final client-facing response object and where it was served. */
export interface BackgroundOutcome {
  body: Record<string, unknown>;
  target?: ResponseTarget;
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
  /**
   * Produces the final response; the pipeline plugs in here. It must stop when `signal` aborts (cancel or
   * shutdown); whatever it returns after a cancel is discarded.
   */
  run: (signal: AbortSignal) => Promise<BackgroundOutcome>;
}

/** Detached responses: queued → in_progress → completed | incomplete | failed | cancelled, kept in the response store. */
export interface BackgroundResponses {
  /** Records the job as queued and schedules it; resolves with the queued record (the POST answer). */
  start(job: BackgroundStart): Promise<StoredResponse>;
  /** The job's current record (`not_found` for a missing or foreign id). */
  retrieve(id: string, owner: string): Promise<StoredResponse>;
  /**
   * Cancels a queued or running job and aborts its run on this instance. Cancelling a finished one changes nothing
   * and returns it; a response that was not created in the background is a 400.
   */
  cancel(id: string, owner: string): Promise<StoredResponse>;
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
}

/**
 * A background runner on the response store. Status changes are compare-and-set updates that only move forward
 * from the status they expect, so a cancel that lands while the run finishes never gets overwritten by the result
 * (and a result never resurrects a cancelled job), on one instance or several sharing a store.
 */
export function createBackgroundResponses(options: BackgroundResponsesOptions): BackgroundResponses {
  const { store } = options;
  const schedule = options.schedule ?? ((task) => void setImmediate(task));
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  const execute = async (job: BackgroundStart, controller: AbortController): Promise<void> => {
    const started = await store.update(job.id, job.owner, (current) => (current.status === "queued" ? { ...current, status: "in_progress" } : undefined));
    if (started.status !== "in_progress" || controller.signal.aborted) return;
    let outcome: BackgroundOutcome;
    try {
      outcome = await job.run(controller.signal);
    } catch (error) {
      const failure = toGatewayError(error);
      await store.update(job.id, job.owner, (current) =>
        current.status === "in_progress" ? { ...current, status: "failed", error: { code: failure.code, message: failure.message } } : undefined,
      );
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
    await store.update(job.id, job.owner, (current) => (current.status === "in_progress" ? { ...finished, createdAt: current.createdAt } : undefined));
  };

  return {
    start: async (job) => {
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
      const outcome = await store.save(queued);
      if (!outcome.saved) throw invalidRequest("input", outcome.reason);
      const controller = new AbortController();
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      running.set(job.id, { controller, done });
      schedule(() => {
        // A failing store write must not become an unhandled rejection in a detached task; the record then stays
        // where it was and a poll shows it.
        execute(job, controller)
          .catch(() => undefined)
          .finally(() => {
            running.delete(job.id);
            finish();
          });
      });
      return queued;
    },
    retrieve: (id, owner) => store.get(id, owner),
    cancel: async (id, owner) => {
      const current = await store.get(id, owner);
      if (current.background !== true) throw invalidRequest("", `Response with id '${id}' was not created in the background and cannot be cancelled.`);
      const next = await store.update(id, owner, (record) =>
        isTerminalResponseStatus(record.status) ? undefined : { ...record, status: "cancelled" },
      );
      running.get(id)?.controller.abort(new GatewayError("client_closed", `background response '${id}' was cancelled`));
      return next;
    },
    settled: async (id) => {
      await running.get(id)?.done;
    },
    close: async () => {
      const runs = [...running.values()];
      for (const run of runs) run.controller.abort();
      await Promise.all(runs.map((run) => run.done));
    },
  };
}
