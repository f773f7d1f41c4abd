import { toSafeToolCallId, type GatewayErrorCode, type ProtocolId, type UnifiedFinishReason, type UnifiedWarning } from "../../src/unified/index.js";
import { artefactPayloads, withoutEmptyUsage, type StreamContent, type StreamEnding } from "./stream-content.js";

/**
 * Makes a decoder's content comparable with an independent reading of the same recording: where the recording
 * gives no tool-call id (Gemini) any non-empty id is accepted, and where the protocol has no native finish value
 * (raw null: Responses) only the unified reason is compared. Everything else must be equal.
 */
export function alignWithRecording(expected: StreamContent, actual: StreamContent): StreamContent {
  return {
    ...actual,
    toolCalls: actual.toolCalls.map((call, index) => {
      const wanted = expected.toolCalls[index];
      return wanted !== undefined && wanted.id === null && typeof call.id === "string" && call.id !== "" ? { ...call, id: null } : call;
    }),
    ending: expected.ending.kind === "finish" && expected.ending.raw === null && actual.ending.kind === "finish" ? { ...actual.ending, raw: null } : actual.ending,
  };
}

/** Finish reasons each protocol can state natively (Gemini and Responses state tool calls by their presence). */
const expressibleFinishReasons: Record<ProtocolId, ReadonlySet<UnifiedFinishReason>> = {
  "openai-chat": new Set(["stop", "length", "tool_calls", "content_filter"]),
  "openai-responses": new Set(["stop", "length", "tool_calls", "content_filter"]),
  "anthropic-messages": new Set(["stop", "stop_sequence", "length", "tool_calls", "refusal", "pause", "context_length"]),
  gemini: new Set(["stop", "length", "tool_calls", "content_filter"]),
};

/** Error codes a protocol cannot tell apart (Anthropic and Gemini have one 429 kind for rate and quota). */
function sameErrorClass(expected: GatewayErrorCode, actual: GatewayErrorCode, target: ProtocolId): boolean {
  if (expected === actual) return true;
  const limits: ReadonlySet<GatewayErrorCode> = new Set(["rate_limited", "quota_exhausted"]);
  return (target === "anthropic-messages" || target === "gemini") && limits.has(expected) && limits.has(actual);
}

/** The outcome of reconciling content that crossed from one protocol to another. */
export interface CrossProtocolReconciliation {
  expected: StreamContent;
  actual: StreamContent;
  /** Categories that differed and were accepted because the translation reported warnings. */
  acceptedLosses: string[];
}

/**
 * Content A decoded vs the same content after A → unified → B → unified. Text, reasoning text, tool-call names,
 * arguments and signatures must survive everywhere. A difference in what B may lack (artefact slots, ids for
 * Gemini, native items, cache-write or reasoning token counts, finish reasons B has no word for) is accepted only
 * when the translation produced at least one warning, and is listed. Artefacts are compared without slot names
 * and origin tags: a client of B carries A's artefact in whatever slot B has.
 */
export function reconcileAcrossProtocols(
  expectedIn: StreamContent,
  actualIn: StreamContent,
  target: ProtocolId,
  warnings: readonly UnifiedWarning[],
): CrossProtocolReconciliation {
  const warned = warnings.length > 0;
  const acceptedLosses: string[] = [];
  const expected: StreamContent = { ...expectedIn, artefacts: artefactPayloads(expectedIn.artefacts), ending: withoutRaw(expectedIn.ending) };
  const actual: StreamContent = { ...withoutEmptyUsage(actualIn, expectedIn), artefacts: artefactPayloads(actualIn.artefacts), ending: withoutRaw(actualIn.ending) };
  const accept = (category: string, apply: () => void): void => {
    if (!warned) return;
    apply();
    acceptedLosses.push(category);
  };

  // Reasoning text may be re-joined (summary parts) with whitespace in between; words must survive.
  if (squash(expected.reasoningText) === squash(actual.reasoningText)) actual.reasoningText = expected.reasoningText;
  if (JSON.stringify(expected.artefacts) !== JSON.stringify(actual.artefacts)) accept("reasoning artefacts", () => (actual.artefacts = expected.artefacts));
  if (expected.nativeItems !== actual.nativeItems) accept("native items", () => (actual.nativeItems = expected.nativeItems));

  expected.toolCalls = expected.toolCalls.map((call) => ({
    ...call,
    id: call.id === null ? null : target === "anthropic-messages" ? toSafeToolCallId(call.id) : call.id,
    arguments: customArgumentsFor(target, call.arguments),
  }));
  actual.toolCalls = actual.toolCalls.map((call, index) => {
    const wanted = expected.toolCalls[index];
    if (wanted === undefined || wanted.id === call.id) return call;
    if (wanted.id === null && call.id !== null && call.id !== "") return { ...call, id: null };
    if (!warned) return call;
    if (!acceptedLosses.includes("tool-call ids")) acceptedLosses.push("tool-call ids");
    return { ...call, id: wanted.id };
  });

  const expectedUsage = expected.usage;
  const actualUsage = actual.usage;
  if (expectedUsage !== undefined && actualUsage !== undefined) {
    const usage = { ...actualUsage };
    // A target without a cache-write count folds it into input: the total input must still match.
    if (usage.cacheWriteTokens !== expectedUsage.cacheWriteTokens && usage.inputTokens + usage.cacheWriteTokens === expectedUsage.inputTokens + expectedUsage.cacheWriteTokens) {
      accept("cache-write tokens", () => {
        usage.inputTokens = expectedUsage.inputTokens;
        usage.cacheWriteTokens = expectedUsage.cacheWriteTokens;
      });
    }
    if (usage.reasoningTokens !== expectedUsage.reasoningTokens) accept("reasoning tokens", () => (usage.reasoningTokens = expectedUsage.reasoningTokens));
    // Anthropic has no total: its decoder sums, which must agree with its own parts.
    if (target === "anthropic-messages" && usage.totalTokens === usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens) {
      usage.totalTokens = expectedUsage.totalTokens;
    }
    actual.usage = usage;
  }

  const wantedEnding = expected.ending;
  const gotEnding = actual.ending;
  if (wantedEnding.kind === "error" && gotEnding.kind === "error" && sameErrorClass(wantedEnding.code, gotEnding.code, target)) actual.ending = wantedEnding;
  if (wantedEnding.kind === "finish" && gotEnding.kind === "finish" && wantedEnding.unified !== gotEnding.unified && !expressibleFinishReasons[target].has(wantedEnding.unified)) {
    accept(`finish reason ${wantedEnding.unified}`, () => (actual.ending = wantedEnding));
  }
  return { expected, actual, acceptedLosses };
}

/**
 * Anthropic and Gemini have no freeform tools: a custom call crosses as a function call taking `{ input }` (the
 * custom-tool bridge), which is what a client of theirs sees.
 */
export function customArgumentsFor(target: ProtocolId, argumentsValue: unknown): unknown {
  if (target !== "anthropic-messages" && target !== "gemini") return argumentsValue;
  if (typeof argumentsValue !== "object" || argumentsValue === null || !("customInput" in argumentsValue)) return argumentsValue;
  return { input: (argumentsValue as { customInput: unknown }).customInput };
}

function withoutRaw(ending: StreamEnding): StreamEnding {
  return ending.kind === "finish" ? { ...ending, raw: null } : ending;
}

function squash(text: string): string {
  return text.replace(/\s+/g, "");
}
