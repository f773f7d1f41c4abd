import type { Logger } from "pino";
import type { AdapterChainConfig, AdapterFactory } from "../adapters/index.js";
import type { CredentialPools } from "../credentials/index.js";
import { createFieldCache, type FieldCache } from "../field-cache/index.js";
import { createMemoryStateStore } from "../state/index.js";
import type { ModelCatalog, ProviderRegistry } from "../providers/index.js";
import { createRouteResolver, type FallbackGroup, type FallbackPolicyOptions, type ModelAlias, type ResolvedRoute } from "../routing/index.js";
import { defaultStreamTimeouts, type StreamSettings, type StreamTimeouts } from "../streaming/index.js";
import type { UpstreamClient } from "../upstream/index.js";
import { GatewayError, invalidRequest, toGatewayError, type AttemptRecord, type StreamEvent, type Usage } from "../unified/index.js";
import type { Gateway } from "./gateway.js";
import type { GatewayCall, GatewayResult, ModelListing } from "./gateway-call.js";
import { runCountTokens } from "./run-count-tokens.js";
import { runEmbeddings } from "./run-embeddings.js";
import { runGenerate, type GenerateContext, type GenerateReport } from "./run-generate.js";
import { describeStreamOutcome } from "./describe-stream-outcome.js";
import { continuesClientStream, isVisibleEvent } from "./stream-progress.js";
import { startRequestDeadline } from "./start-request-deadline.js";
import { createCredentialAdministration } from "./describe-credential-status.js";
import { executeAttempts, type AttemptRunner, type AttemptTarget, type ExecutionResult } from "./execute-attempts.js";
import { relayClientStream } from "./relay-client-stream.js";
import { createAttemptStreamSettingsResolver, createRequestStreamPolicy, type EngineStreamSettings, type RequestStreamPolicy } from "./resolve-attempt-stream-settings.js";
import { readSessionEvidence, type SessionEvidence } from "./read-session-key.js";
import { endsWithAssistantTurn } from "./detect-empty-answer.js";
import { createAdapterPlanner } from "./plan-adapter-chain.js";
import { noTrace, traceClientError, traceClientResult, type TraceRecorder, type TraceRecorderFactory } from "./trace-recorder.js";

/** What the engine is built from; all of it injected so tests can substitute any piece. */
export interface GatewayEngineOptions {
  providers: ProviderRegistry;
  upstream: UpstreamClient;
  aliases?: readonly ModelAlias[];
  /** Fallback groups (`group/<name>` model strings, aliases to them, members' fallbacks). */
  fallbackGroups?: readonly FallbackGroup[];
  defaultProvider?: string;
  catalog?: ModelCatalog;
  /** Deadline for a whole request, streams included. */
  requestTimeoutMs?: number;
  /** The stream supervisor's TTFB, stall and heartbeat settings (`defaultStreamTimeouts` when absent). */
  streamTimeouts?: StreamTimeouts;
  /** Cancel-on-disconnect, reasoning visibility, stream-via-nonstream, and per-provider overrides of every stream setting. */
  streamSettings?: EngineStreamSettings;
  now?: () => number;
  logger?: Logger;
  /** Credential pools: rotation, cooldowns, affinity. Without them each provider's first credential is used once. */
  pools?: CredentialPools;
  /** Knobs of the fallback table (same-credential retries, what counts as a short retry-after). */
  fallback?: FallbackPolicyOptions;
  /** Pause before the one retry of an empty answer. */
  emptyRetryDelayMs?: number;
  /** The transaction trace (SWITCHYARD_TRACE) and/or failure dumps; absent = both off, and nothing is recorded or serialized. */
  trace?: TraceRecorderFactory;
  /** The `adapters` section of switchyard.json (chains per provider and model pattern, added to declared ones). */
  adapters?: AdapterChainConfig;
  /** Adapter factories beyond the built-ins (library users). */
  adapterFactories?: readonly AdapterFactory[];
  /** The field cache; absent = one in memory with the providers' declared rules; `false` = off. */
  fieldCache?: FieldCache | false;
}

/** The pipeline: resolve the model, run the operation on the target, log one line per request. */
export function createGatewayEngine(options: GatewayEngineOptions): Gateway {
  const now = options.now ?? Date.now;
  const fieldCache = options.fieldCache === false ? undefined : (options.fieldCache ?? createFieldCache({ store: createMemoryStateStore(), providers: options.providers.providers }));
  // Built once: unknown adapters or bad options fail here, at startup; chains are resolved once per target.
  const adapters = createAdapterPlanner({
    ...(options.adapters === undefined ? {} : { config: options.adapters }),
    ...(options.adapterFactories === undefined ? {} : { factories: options.adapterFactories }),
    providers: options.providers.providers.map((provider) => provider.definition),
  });

  const attemptStreamSettings = createAttemptStreamSettingsResolver(options.streamTimeouts, options.streamSettings);
  // Built once: a model string's route depends on configuration only (unless discovered model lists decided it).
  const resolveRoute = createRouteResolver({
    providers: options.providers,
    ...(options.aliases === undefined ? {} : { aliases: options.aliases }),
    ...(options.fallbackGroups === undefined ? {} : { groups: options.fallbackGroups }),
    ...(options.defaultProvider === undefined ? {} : { defaultProvider: options.defaultProvider }),
    ...(options.catalog === undefined ? {} : { models: options.catalog }),
  });

  /** Not async itself: without a trace the call's own promise is returned, not wrapped in another (two turns less per request). */
  function handle(call: GatewayCall): Promise<GatewayResult> {
    return options.trace === undefined ? handleCall(call, noTrace) : handleTraced(call, options.trace);
  }

  async function handleTraced(call: GatewayCall, recorder: TraceRecorderFactory): Promise<GatewayResult> {
    const trace = recorder.begin();
    // Failure dumps without the trace: nothing to record or wrap, only failed upstream calls are written.
    if (!trace.active) return handleCall(call, trace);
    trace.record("client-request", { protocol: call.protocol, operation: call.operation, model: call.model, stream: call.stream, headers: call.headers, body: call.body });
    try {
      return traceClientResult(await handleCall(call, trace), trace);
    } catch (error) {
      traceClientError(error, call.protocol, trace);
      throw error;
    }
  }

  async function handleCall(call: GatewayCall, trace: TraceRecorder): Promise<GatewayResult> {
    const startedAt = now();
    if (typeof call.body !== "object" || call.body === null || Array.isArray(call.body)) {
      throw invalidRequest("", "the request body must be a JSON object");
    }
    const body = call.body as Record<string, unknown>;
    const requestedModel = call.model ?? body["model"];
    if (typeof requestedModel !== "string") throw invalidRequest("model", "is required and must be a string");
    const route = resolveRoute(requestedModel);
    // The first target names the request in the log until another one serves it.
    const resolved = route.targets[0];
    if (resolved === undefined) throw new GatewayError("internal", `model "${requestedModel}" resolved to no target`);
    const targets = attemptTargetsOf(route);
    const group = route.group;
    const policy: FallbackPolicyOptions | undefined =
      group === undefined ? options.fallback : { ...options.fallback, ...(group.failoverOn === undefined ? {} : { failoverOn: group.failoverOn }), ...(group.stopOn === undefined ? {} : { stopOn: group.stopOn }) };
    const deadline = options.requestTimeoutMs === undefined ? undefined : startRequestDeadline(call.signal, options.requestTimeoutMs);
    const signal = deadline?.signal ?? call.signal;
    const context = { upstream: options.upstream, signal, now, startedAt, streamTimeouts: options.streamTimeouts ?? defaultStreamTimeouts, trace, adapters, fieldCache };
    const report: GenerateReport = { passthrough: false, warnings: [] };
    let streamErrorCode: GatewayError["code"] | undefined;
    // Session evidence only steers a choice between credentials: with one key per target there is none to make, and
    // hashing the first user turn (and binding it) would be paid on every request for nothing.
    const session = options.pools !== undefined && offersCredentialChoice(targets) ? readSessionEvidence(call.headers, body, call.protocol, call.responses?.servedBy) : noSessionEvidence;
    const generate = call.operation === "generate";
    // A prefill (the conversation ends with an assistant turn) may legitimately be continued with nothing.
    const prefill = generate && endsWithAssistantTurn(body, call.protocol);
    // The attempt that serves names the request in the log (a stream may be continued by a later one); until one
    // does, the first target does. Optional fields stay undefined, which the log line leaves out.
    let served: ExecutionResult | undefined;
    let servedAttempts: number | undefined;
    let failedAttempts: AttemptRecord[] | undefined;
    // Every operation goes through the rotation executor; each attempt gets its own TTFB window.
    const execute = async (run: AttemptRunner): Promise<GatewayResult> => {
      const execution = await executeAttempts(targets, run, {
        pools: options.pools,
        policy,
        deadlineAt: options.requestTimeoutMs === undefined ? undefined : startedAt + options.requestTimeoutMs,
        sessionKeys: session.keys.length === 0 ? undefined : session.keys,
        followSession: session.keys.length === 0 ? undefined : session.follow,
        emptyRetryDelayMs: options.emptyRetryDelayMs,
        logger: options.logger,
        signal,
        now,
        protocol: call.protocol,
        checkEmptyAnswers: generate && !prefill,
        streamErrorCode: () => streamErrorCode,
        streamProgress: () => report.stream?.progress,
        onStreamContinued: noteServed,
      });
      noteServed(execution);
      return execution.result;
    };
    const noteServed = (execution: ExecutionResult): void => {
      served = execution;
      servedAttempts = execution.attempts.length + 1;
      // Copied: a continued stream's executor keeps appending to its list. Once set, kept (as the line always did).
      if (execution.attempts.length > 0) failedAttempts = [...execution.attempts];
    };
    /** The one `request.completed` line: built as one literal (no spreads), in the field order the line always had. */
    const completedLine = (status: number, stream: boolean | undefined, usage: Usage | undefined, error: string | undefined) => {
      const target = served?.target ?? resolved;
      return {
        event: "request.completed",
        protocol: call.protocol,
        operation: call.operation,
        model: requestedModel,
        provider: target.provider.id,
        upstreamModel: target.upstreamModel,
        upstreamProtocol: target.provider.protocol,
        group: group?.name,
        credential: served?.credentialId,
        attempts: servedAttempts,
        failedAttempts,
        passthrough: report.passthrough,
        durationMs: now() - startedAt,
        warnings: report.warnings.length,
        status,
        stream,
        usage: loggedUsage(usage),
        error,
      };
    };
    const logWarnings = (): void => {
      for (const warning of report.warnings) options.logger?.warn({ event: "translation.warning", ...warning }, warning.message);
    };
    /**
     * The lines of a request answered in one piece, written in the next check phase, after the server wrote the answer:
     * serializing them was a fifth of the gateway's own time between the provider's answer and the client's at one
     * connection (bench/README.md). The line is built now, so its duration still ends when the answer was ready.
     */
    const logAfterAnswer = (line: ReturnType<typeof completedLine>): void => {
      const logger = options.logger;
      if (logger === undefined) return;
      setImmediate(() => {
        logWarnings();
        logger.info(line);
      });
    };

    let streamPolicy: RequestStreamPolicy | undefined;
    try {
      let result: GatewayResult;
      switch (call.operation) {
        case "generate": {
          let usage: Usage | undefined;
          let streamError: string | undefined;
          let firstVisibleAt: number | undefined;
          const observer = {
            onEvent(event: StreamEvent) {
              if (firstVisibleAt === undefined && isVisibleEvent(event)) firstVisibleAt = now();
              if (event.type === "usage") usage = event.usage;
              else if (event.type === "finish" && event.usage !== undefined) usage = event.usage;
              else if (event.type === "error") streamError = streamErrorCode = event.error.code;
            },
          };
          const stream = call.stream ?? body["stream"] === true;
          // Made on first need: a non-streamed attempt on a provider that cancels on disconnect (the usual case) reads
          // nothing from it but the provider's settings.
          const policyOf = (): RequestStreamPolicy =>
            (streamPolicy ??= createRequestStreamPolicy({ settingsOf: attemptStreamSettings, requestTimeoutMs: options.requestTimeoutMs, signal, retryEmpty: !prefill }));
          result = await execute((attempt) => {
            // Usage and stream errors are those of the attempt that serves, not of a failed one before it.
            usage = undefined;
            streamError = undefined;
            streamErrorCode = undefined;
            firstVisibleAt = undefined;
            if (!stream) {
              const providerSettings = attemptStreamSettings(attempt.provider);
              if (providerSettings.cancelOnDisconnect) return runGenerate(call, body, attempt, nonStreamContext(providerSettings), report, observer);
            }
            const settings = policyOf().attempt(attempt.provider);
            // After a stream attempt whose response start reached the client, the next one continues that stream.
            const streamProgress = continuesClientStream(report.stream?.progress) ? { ...settings.streamProgress, continuing: true } : settings.streamProgress;
            return runGenerate(call, body, attempt, streamContext(settings, streamProgress), report, observer);
          });
          if (result.kind === "stream") {
            const chunks = result.chunks;
            const policy = policyOf();
            result = {
              ...result,
              // With cancel-on-disconnect off, a stream the client left is read to its end before the line is logged.
              chunks: relayClientStream(chunks, policy.drainOnAbandon, ({ finished, thrown, drained }) => {
                deadline?.clear();
                policy.clear();
                const errorCode = thrown?.code ?? streamError;
                logWarnings();
                options.logger?.info({
                  ...completedLine(thrown?.httpStatus ?? 200, true, usage, undefined),
                  ...(errorCode === undefined ? {} : { streamError: errorCode }),
                  cancelled: call.signal.aborted,
                  ...(drained ? { drainedAfterDisconnect: true } : {}),
                  ...describeStreamOutcome({ errorCode, finished, clientGone: call.signal.aborted, startedAt, firstVisibleAt, outputTokens: usage?.outputTokens, now: now(), report }),
                });
              }),
            };
            return result;
          }
          break;
        }
        case "count-tokens":
          result = await execute((attempt) => runCountTokens(call, body, attempt, context, report));
          break;
        case "embed":
          result = await execute((attempt) => runEmbeddings(call, body, attempt, context, report));
          break;
        default: {
          const unreachable: never = call.operation;
          throw new GatewayError("internal", `unknown operation ${String(unreachable)}`);
        }
      }
      deadline?.clear();
      streamPolicy?.clear();
      logAfterAnswer(completedLine(result.status, false, report.usage, undefined));
      return result;
    } catch (error) {
      deadline?.clear();
      streamPolicy?.clear();
      const gatewayError = toGatewayError(signal.aborted && !call.signal.aborted && !GatewayError.isInstance(error) ? requestTimeout(options.requestTimeoutMs) : error);
      logAfterAnswer(completedLine(gatewayError.httpStatus, undefined, undefined, gatewayError.code));
      throw gatewayError;
    }

    /** A stream attempt's context: the request's, with the attempt's stream settings and signal, as one literal. */
    function streamContext(settings: ReturnType<RequestStreamPolicy["attempt"]>, streamProgress: GenerateContext["streamProgress"]): GenerateContext {
      return {
        upstream: options.upstream,
        signal: settings.signal,
        now,
        startedAt: now(),
        streamTimeouts: settings.streamTimeouts,
        trace,
        adapters,
        fieldCache,
        streamSettings: settings.streamSettings,
        streamProgress,
      };
    }

    /** A non-streamed attempt's context: the request's signal and the provider's settings, as one literal. */
    function nonStreamContext(settings: StreamSettings): GenerateContext {
      return { upstream: options.upstream, signal, now, startedAt: now(), streamTimeouts: settings, trace, adapters, fieldCache, streamSettings: settings };
    }
  }

  async function listModels(): Promise<ModelListing[]> {
    const listings: ModelListing[] = [];
    for (const provider of options.providers.providers) {
      const models = options.catalog === undefined ? provider.models : await options.catalog.list(provider.id).catch(() => provider.models);
      for (const model of models) {
        listings.push({ id: `${provider.id}/${model.id}`, provider: provider.id, model: model.id, ...(model.displayName === undefined ? {} : { displayName: model.displayName }) });
      }
    }
    return listings;
  }

  return {
    handle,
    listModels,
    ...(options.pools === undefined ? {} : { credentials: createCredentialAdministration(options.pools, now) }),
    async health() {
      return {
        status: "ok",
        demo: options.providers.demoActive,
        providers: options.providers.providers.map((provider) => ({ id: provider.id, protocol: provider.protocol, credentials: provider.credentials.length })),
      };
    },
    async close() {
      await options.upstream.close();
      await options.trace?.flush();
    },
  };
}

/** Whether a target has more than one credential, a choice session evidence could steer (a loop: no closure per request). */
function offersCredentialChoice(targets: readonly AttemptTarget[]): boolean {
  for (const target of targets) if (target.provider.credentials.length > 1) return true;
  return false;
}

/** What a request without a choice between credentials carries: nothing to follow or bind. */
const noSessionEvidence: SessionEvidence = { keys: [], follow: false };

function requestTimeout(ms: number | undefined): GatewayError {
  return new GatewayError("upstream_timeout", `the request took longer than the ${ms ?? 0} ms deadline`);
}

/**
 * Usage as the request log line carries it: the normalized counts without the provider's raw object, which repeats
 * them in the provider's own names and would make every line longer (log writing is a visible share of the CPU).
 */
function loggedUsage(usage: Usage | undefined): Omit<Usage, "raw"> | undefined {
  // Usage without a raw object serializes the same as its copy would (a rest copy is a slow runtime call).
  if (usage === undefined || usage.raw === undefined) return usage;
  const counts: Record<string, unknown> = {};
  // Key by key, in the usage's own order, so the line's JSON is the same as before.
  for (const key in usage) if (key !== "raw") counts[key] = usage[key as keyof Usage];
  return counts as Omit<Usage, "raw">;
}

/** Routing's targets as the executor takes them, made once per route (routes are cached by model string). */
const attemptTargetsByRoute = new WeakMap<ResolvedRoute, readonly AttemptTarget[]>();
function attemptTargetsOf(route: ResolvedRoute): readonly AttemptTarget[] {
  let targets = attemptTargetsByRoute.get(route);
  if (targets === undefined) {
    targets = route.targets.map((member) => ({ provider: member.provider, upstreamModel: member.upstreamModel }));
    attemptTargetsByRoute.set(route, targets);
  }
  return targets;
}
