import type { Gateway, GatewayCall, GatewayResult, ResponsesAttemptTarget, ResponsesCallHooks } from "../pipeline/index.js";
import { GatewayError, invalidRequest, toGatewayError } from "../unified/index.js";
import { collectBackgroundStream } from "./collect-background-stream.js";
import { convertResponseInput } from "./convert-response-input.js";
import { eventStreamHeaders } from "./create-response-event-log.js";
import { convertResponseRecord, renderStoredResponse, responseOwner } from "./convert-response-record.js";
import { isJsonObject, readJsonValue, type JsonObject, type ResponseTarget } from "./convert-stored-response.js";
import type { ResponseStore } from "./create-response-store.js";
import { echoPreviousResponseId, echoPreviousResponseIdInFrame } from "./patch-response-frames.js";
import { holdTerminalUntilSaved } from "./hold-terminal-until-saved.js";
import type { ResponseIdIssuer } from "./issue-response-id.js";
import { prepareContinuation, type Continuation } from "./plan-response-continuation.js";
import type { BackgroundResponses } from "./run-background-responses.js";
import { decideResponseStorage, saveBeforeTerminal, type ResponsesTransport, type TerminalSaveOutcome } from "./save-before-terminal.js";

/** What one `response.create` needs besides the call itself. */
export interface ResponseCreateContext {
  gateway: Gateway;
  store: ResponseStore;
  background: BackgroundResponses;
  ids: ResponseIdIssuer;
  now: () => number;
  transport: ResponsesTransport;
  /** A WebSocket connection's own store (for `store: false` continuations on that socket). */
  connection?: ResponseStore;
  /** Told when a finished response could not be kept (size cap, store failure); never fails the request. */
  onSaveRefused?: (id: string, reason: string) => void;
}

/** Request fields a queued background response shows before any upstream has answered. */
const echoedWhileQueued = ["instructions", "tools", "tool_choice", "metadata", "temperature", "top_p", "max_output_tokens", "reasoning", "text", "parallel_tool_calls", "store"];

/**
 * `POST /v1/responses` (and a WebSocket `response.create`): continuation checked before routing, per-attempt body
 * and ids through the pipeline hooks, the record written before the terminal event, `background` run detached.
 */
export async function runResponseCreate(call: GatewayCall, context: ResponseCreateContext): Promise<GatewayResult> {
  if (typeof call.body !== "object" || call.body === null || Array.isArray(call.body)) throw invalidRequest("", "the request body must be a JSON object");
  const clientBody = call.body as Record<string, unknown>;
  if (clientBody["conversation"] !== undefined && clientBody["conversation"] !== null) {
    throw invalidRequest("conversation", "conversations are not supported by this gateway; continue with previous_response_id or send the full input");
  }
  const storage = decideResponseStorage(clientBody, context.transport);
  const owner = responseOwner(call.proxyKeyId);
  const background = clientBody["background"] === true;
  const streamed = call.stream === true || clientBody["stream"] === true;
  // The upstream must not run in the background itself: the gateway holds the job (and streams it only if asked).
  const body = background ? withoutBackground(clientBody, streamed) : clientBody;
  const lookupStore = context.connection === undefined ? context.store : layeredLookup(context.connection, context.store);
  // Before routing: a missing or foreign parent is a 404 while no stream has started.
  const continuation = await prepareContinuation(lookupStore, body, owner, { reconcile: context.background.reconcile });
  const previousResponseId = continuation?.parent.id;
  if (background) return startBackground(call, body, { context, owner, input: convertResponseInput(clientBody["input"]), continuation, previousResponseId, streamed });

  const attempt = trackAttempts(body, continuation, context.ids.fresh());
  const handled = await context.gateway.handle({ ...call, body, responses: attempt.hooks });
  const result = previousResponseId === undefined ? handled : echoPreviousResponseId(handled, previousResponseId);
  const rewrite = previousResponseId === undefined ? undefined : (frame: string): string => echoPreviousResponseIdInFrame(frame, previousResponseId);
  if (storage === "none") {
    if (result.kind !== "stream" || rewrite === undefined) return result;
    return { ...result, chunks: holdTerminalUntilSaved(result.chunks, async () => undefined, rewrite) };
  }
  const save = async (response: Record<string, unknown>): Promise<void> => {
    const target = attempt.target();
    let record;
    try {
      // Read only now: a malformed input on the passthrough path is the provider's 400 to give, not the store's.
      const input = convertResponseInput(clientBody["input"]);
      record = convertResponseRecord({
        body: response,
        owner,
        input,
        ...(target === undefined ? {} : { target }),
        ...(previousResponseId === undefined ? {} : { previousResponseId }),
      });
    } catch (error) {
      // The client still gets its terminal event; only the record is lost, and the log says why.
      context.onSaveRefused?.(String(response["id"]), toGatewayError(error).message);
      return;
    }
    report(context, record.id, await saveBeforeTerminal(storageTargets(context), storage, record));
  };
  switch (result.kind) {
    case "stream":
      return { ...result, chunks: holdTerminalUntilSaved(result.chunks, save, rewrite) };
    case "json":
    case "bytes": {
      const response = readResultBody(result);
      if (response !== undefined) await save(response);
      return result;
    }
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

interface BackgroundInputs {
  context: ResponseCreateContext;
  owner: string;
  input: JsonObject[];
  continuation: Continuation | undefined;
  previousResponseId: string | undefined;
  /** `stream: true`: the POST answers with the job's events as they are produced (and clients may re-attach). */
  streamed: boolean;
}

/** Records the job as queued and answers at once; the run goes through the same pipeline under its own signal. */
async function startBackground(call: GatewayCall, body: Record<string, unknown>, inputs: BackgroundInputs): Promise<GatewayResult> {
  const { context, owner, input, continuation, previousResponseId, streamed } = inputs;
  const id = context.ids.fresh();
  const fields: JsonObject = {};
  for (const key of echoedWhileQueued) {
    const value = readJsonValue(body[key]);
    if (value !== undefined) fields[key] = value;
  }
  const queued = await context.background.start({
    id,
    owner,
    model: typeof body["model"] === "string" ? body["model"] : "",
    createdAt: Math.floor(context.now() / 1000),
    input,
    ...(previousResponseId === undefined ? {} : { previousResponseId }),
    ...(Object.keys(fields).length === 0 ? {} : { fields }),
    stream: streamed,
    run: async (signal, events) => {
      // The job's own id is the response id a non-native target's output items derive from.
      const attempt = trackAttempts(body, continuation, id);
      const { rawBody: _rawBody, stream: _stream, ...detached } = call;
      const result = await context.gateway.handle({ ...detached, body, signal, responses: attempt.hooks, ...(streamed ? { stream: true } : {}) });
      const patch = { id, background: true, ...(previousResponseId === undefined ? {} : { previous_response_id: previousResponseId }) };
      const collected = events === undefined ? undefined : await collectBackgroundStream(result, events, patch);
      const response = collected?.response ?? readResultBody(result);
      if (response === undefined) throw new GatewayError("upstream_server", "the background response ended without a response body");
      const target = attempt.target();
      // A native upstream knows the response by its own id; continuations must pass that one on, not the job's.
      const upstreamId = response["id"];
      const served: ResponseTarget | undefined =
        target !== undefined && target.protocol === "openai-responses" && typeof upstreamId === "string" ? { ...target, upstreamResponseId: upstreamId } : target;
      return { body: response, ...(served === undefined ? {} : { target: served }), ...(collected === undefined ? {} : { closingFrames: collected.closingFrames }) };
    },
  });
  const events = streamed ? context.background.events(id) : undefined;
  if (events === undefined) return { kind: "json", status: 200, headers: { "content-type": "application/json" }, body: renderStoredResponse(queued) };
  // The client's disconnect ends only its subscription; the job runs on.
  return { kind: "stream", status: 200, headers: { ...eventStreamHeaders }, chunks: events.subscribe(undefined, call.signal) };
}

/** The pipeline hooks of one request, remembering which target answered and what body it was sent. */
function trackAttempts(body: Record<string, unknown>, continuation: Continuation | undefined, issuedResponseId: string): { hooks: ResponsesCallHooks; target(): ResponseTarget | undefined } {
  let served: ResponsesAttemptTarget | undefined;
  let sent: Record<string, unknown> = body;
  const hooks: ResponsesCallHooks = {
    issuedResponseId,
    ...(continuation?.servedBy === undefined ? {} : { servedBy: continuation.servedBy }),
    bodyFor: (target) => {
      sent = continuation === undefined ? body : continuation.bodyFor(target).body;
      return sent;
    },
    onAttempt: (target) => {
      served = target;
    },
  };
  return {
    hooks,
    target: () => {
      if (served === undefined) return undefined;
      // Only a Responses upstream asked to store keeps the response; then its id can be passed on next turn.
      const upstreamHoldsState = served.protocol === "openai-responses" && sent["store"] !== false;
      return { provider: served.provider, protocol: served.protocol, upstreamHoldsState, ...(served.credentialId === undefined ? {} : { credentialId: served.credentialId }) };
    },
  };
}

function withoutBackground(body: Record<string, unknown>, streamed: boolean): Record<string, unknown> {
  const { background: _background, ...rest } = body;
  return { ...rest, stream: streamed };
}

/** Lookups on a WebSocket see the connection's own responses first, then the shared store. */
function layeredLookup(first: ResponseStore, second: ResponseStore): ResponseStore {
  return {
    ...second,
    lookup: async (id, owner) => {
      const found = await first.lookup(id, owner);
      return found.kind === "missing" ? second.lookup(id, owner) : found;
    },
  };
}

function storageTargets(context: ResponseCreateContext): { persistent: ResponseStore; connection?: ResponseStore } {
  return context.connection === undefined ? { persistent: context.store } : { persistent: context.store, connection: context.connection };
}

function report(context: ResponseCreateContext, id: string, outcome: TerminalSaveOutcome): void {
  if (!outcome.saved) context.onSaveRefused?.(id, outcome.reason);
}

/** The response object of a non-streamed result (JSON, or the passthrough's bytes). */
function readResultBody(result: GatewayResult): Record<string, unknown> | undefined {
  let body: unknown;
  switch (result.kind) {
    case "json":
      body = result.body;
      break;
    case "bytes":
      try {
        body = JSON.parse(typeof result.body === "string" ? result.body : new TextDecoder().decode(result.body)) as unknown;
      } catch {
        return undefined;
      }
      break;
    case "stream":
      return undefined;
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
  return isJsonObject(readJsonValue(body)) ? (body as Record<string, unknown>) : undefined;
}
