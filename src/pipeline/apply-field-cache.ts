import {
  computeResponseTriggers,
  createStreamResponseAssembler,
  mayHoldResponseValues,
  type FieldCache,
  type FieldCachePass,
  type FieldCacheTarget,
  type StreamResponseAssembler,
} from "../field-cache/index.js";
import type { ConfiguredProvider, FieldCacheRuleDeclaration } from "../providers/index.js";
import type { ProtocolCodec, StreamEvent } from "../unified/index.js";
import type { GatewayCall } from "./gateway-call.js";
import { readSessionKeys } from "./read-session-key.js";
import type { TraceRecorder } from "./trace-recorder.js";
import type { StreamObserver } from "./translate-stream.js";

/**
 * The field cache for one upstream attempt. `openFieldCacheRun` returns undefined when no rule applies to the
 * target, which is the common case: then the pipeline does nothing extra at all (no parse, no lookup, no wrapper).
 */
export interface FieldCacheRun {
  /** The upstream request body with dropped state written back (the same object when nothing was written), then request-side extraction. */
  prepareRequest(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Reads the rules' values from a non-streamed upstream answer (wire shape, before response adapters). */
  readResponse(body: unknown): Promise<void>;
  /** `readResponse` on an answer still as text (passthrough); unparseable text is skipped. */
  readResponseText(text: string): Promise<void>;
  /** The observer plus an assembler of the streamed answer, in `codec`'s protocol (the upstream's). */
  observe(observer: StreamObserver): StreamObserver;
  /**
   * The client stream, with the assembled answer's values stored before the chunk that carries its terminal event
   * goes out: a client may send its next turn the instant it sees the end.
   */
  wrap<C>(chunks: AsyncIterable<C>): AsyncIterableIterator<C>;
}

/** What the pipeline context offers the field cache. */
export interface FieldCacheContext {
  fieldCache?: FieldCache;
  trace?: TraceRecorder;
}

/** What a rule set needs per attempt, worked out once per set (`rulesFor` returns the same array for a target). */
interface RuleSetPlan {
  responseRules: readonly FieldCacheRuleDeclaration[];
  requestRules: boolean;
  sessionScoped: boolean;
  /** See `computeResponseTriggers`: an answer text naming none of them is not parsed. */
  responseTriggers: readonly string[] | undefined;
}

const ruleSetPlans = new WeakMap<readonly FieldCacheRuleDeclaration[], RuleSetPlan>();

function planRuleSet(rules: readonly FieldCacheRuleDeclaration[]): RuleSetPlan {
  let plan = ruleSetPlans.get(rules);
  if (plan === undefined) {
    plan = {
      responseRules: rules.filter((rule) => rule.from === "response"),
      requestRules: rules.some((rule) => rule.from === "request"),
      sessionScoped: rules.some((rule) => rule.scope === "session"),
      responseTriggers: computeResponseTriggers(rules),
    };
    ruleSetPlans.set(rules, plan);
  }
  return plan;
}

/** The run for (call, target), or undefined when the target has no rules. */
export function openFieldCacheRun(
  context: FieldCacheContext,
  call: GatewayCall,
  requestBody: Record<string, unknown>,
  target: { provider: ConfiguredProvider; upstreamModel: string },
  upstreamCodec: ProtocolCodec,
): FieldCacheRun | undefined {
  const cache = context.fieldCache;
  if (cache === undefined) return undefined;
  const rules = cache.rulesFor(target.provider, target.upstreamModel);
  if (rules.length === 0) return undefined;
  const { responseRules, requestRules, sessionScoped, responseTriggers } = planRuleSet(rules);
  const credentialId = target.provider.credentials[0]?.id;
  // Session evidence is only computed when a rule is session-scoped.
  const sessionKey = sessionScoped ? readSessionKeys(call.headers, requestBody, call.protocol)[0] : undefined;
  const where: FieldCacheTarget = {
    providerId: target.provider.id,
    model: target.upstreamModel,
    ...(credentialId === undefined ? {} : { credentialId }),
    ...(call.proxyKeyId === undefined ? {} : { proxyKeyId: call.proxyKeyId }),
    ...(sessionKey === undefined ? {} : { sessionKey }),
  };
  const trace = context.trace;
  const onPass = trace?.active === true ? (pass: FieldCachePass) => trace.record("field-cache", pass, { action: pass.action, rule: pass.rule }) : undefined;
  // Only streams assemble their answer; a JSON answer never needs one.
  let assembler: StreamResponseAssembler | undefined;
  const readResponse = (body: unknown) => safely(() => cache.extract(rules, "response", body, where, onPass), trace);
  let stored = false;
  const storeAssembled = async (): Promise<void> => {
    if (stored) return;
    stored = true;
    const response = assembler?.response();
    if (response === undefined || responseRules.length === 0) return;
    await safely(() => cache.extract(rules, "response", upstreamCodec.encodeResponse(response).value, where, onPass), trace);
  };

  return {
    async prepareRequest(body) {
      const injected = await cache.inject(rules, body, where, onPass).catch((error: unknown) => {
        trace?.record("error", error, { stage: "field-cache" });
        return body;
      });
      if (requestRules) await safely(() => cache.extract(rules, "request", injected, where, onPass), trace);
      return injected;
    },
    readResponse,
    async readResponseText(text) {
      if (responseRules.length === 0 || !mayHoldResponseValues(responseTriggers, text)) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        return;
      }
      await readResponse(parsed);
    },
    observe(observer) {
      if (responseRules.length === 0) return observer;
      const assembling = (assembler ??= createStreamResponseAssembler());
      return {
        ...observer,
        onEvent(event: StreamEvent) {
          assembling.push(event);
          observer.onEvent?.(event);
        },
      };
    },
    // A plain iterator rather than an async generator: one await per chunk instead of a generator's promise turns.
    wrap<C>(chunks: AsyncIterable<C>): AsyncIterableIterator<C> {
      const iterator = chunks[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        // The source's promise with one reaction, not an async function's own promise around an await.
        next() {
          return iterator.next().then((step) => (assembler?.finished === true && !stored ? storeAssembled().then(() => step) : step));
        },
        async return(value?: unknown) {
          await iterator.return?.();
          return { done: true, value: value as undefined };
        },
      };
    },
  };
}

/** Field-cache failures never fail the request: they are traced and the answer goes on. */
async function safely(run: () => Promise<void>, trace: TraceRecorder | undefined): Promise<void> {
  try {
    await run();
  } catch (error) {
    trace?.record("error", error, { stage: "field-cache" });
  }
}

/** `chunks` wrapped by the run (see `FieldCacheRun.wrap`), or `chunks` itself when there is no run. */
export function withFieldCache<C>(run: FieldCacheRun | undefined, chunks: AsyncIterable<C>): AsyncIterable<C> {
  return run === undefined ? chunks : run.wrap(chunks);
}
