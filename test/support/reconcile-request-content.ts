import { toSafeToolCallId, type ProtocolId, type UnifiedWarning } from "../../src/unified/index.js";
import { customArgumentsFor } from "./reconcile-content.js";
import { artefactPayloads } from "./stream-content.js";
import { isEmptyTurn, textsEquivalent, turnFor, type RequestContent, type TurnContent } from "./unified-request-content.js";

/** The outcome of reconciling a request that crossed from one protocol to another. */
export interface RequestReconciliation {
  expected: RequestContent;
  actual: RequestContent;
  /** Categories that differed and were accepted because the translation reported warnings. */
  acceptedLosses: string[];
  /** Continuity-policy violations found on the way (always failures). */
  problems: string[];
}

/**
 * A request A decoded vs the same request after A → unified → B (encode) → unified (decode B).
 *
 * Continuity policy (LESSONS.md): reasoning artefacts go only back to their origin. Reasoning of origin B must
 * survive whole; any other reasoning loses its artefacts (they must not appear in B's wire body, and a
 * `reasoning-artefact-dropped` warning must say so) while its visible text may stay as reasoning, become text, or be
 * dropped. Gemini tool-call signatures ride in the ids (tool-call-id.ts) and must survive everywhere.
 *
 * Accepted only with a warning: images, files, native items, native tools, `is_error`, refusals and
 * mid-conversation system turns that did not survive. Gemini ids are optional on its wire, so ids derived by its
 * decoder are accepted when calls and results still pair up. Everything else must be equal: text, tool-call names,
 * arguments (parsed), mapped ids and signatures, tool-result ids and text, function tool names.
 */
export function reconcileRequestAcrossProtocols(
  expectedIn: RequestContent,
  actualIn: RequestContent,
  target: ProtocolId,
  warnings: readonly UnifiedWarning[],
  wireBody: unknown,
): RequestReconciliation {
  const expected = structuredClone(expectedIn);
  const actual = structuredClone(actualIn);
  const warned = warnings.length > 0;
  const acceptedLosses = new Set<string>();
  const problems: string[] = [];
  const accept = (category: string): boolean => {
    if (warned) acceptedLosses.add(category);
    return warned;
  };
  // Gemini carries the model in the URL, not the body.
  if (target === "gemini") actual.model = expected.model;

  const foreign = expected.turns.flatMap((turn) => turn.reasoning.filter((reasoning) => reasoning.origin !== target || reasoning.artefacts.length === 0));
  const foreignArtefacts = foreign.flatMap((reasoning) => artefactPayloads(reasoning.artefacts));
  for (const reasoning of foreign) {
    if (reasoning.artefacts.length > 0 && reasoning.origin === undefined) problems.push(`reasoning artefact without origin (decoder must set it): ${reasoning.artefacts.join(", ").slice(0, 80)}`);
  }
  const wireText = JSON.stringify(wireBody);
  for (const artefact of foreignArtefacts) {
    if (artefact !== "" && wireText.includes(artefact)) problems.push(`a foreign reasoning artefact was sent to ${target}: ${artefact.slice(0, 40)}…`);
  }
  if (foreignArtefacts.length > 0 && !warnings.some((warning) => warning.code === "reasoning-artefact-dropped")) {
    problems.push("foreign reasoning artefacts were dropped without a reasoning-artefact-dropped warning");
  }
  const foreignTexts = new Set(foreign.map((reasoning) => reasoning.text).filter((text) => text !== ""));
  const foreignTextSurvives = (text: string): boolean => [...foreignTexts].some((candidate) => candidate === text || text.includes(candidate));
  const carried = actual.turns.flatMap((turn) => [...turn.reasoning.map((reasoning) => reasoning.text), ...turn.texts]);
  const lostTexts = [...foreignTexts].filter((text) => !carried.some((candidate) => candidate === text || candidate.includes(text)));
  if (lostTexts.length > 0 && !warned) problems.push("foreign reasoning text was dropped without a warning");
  for (const turn of expected.turns) turn.reasoning = turn.reasoning.filter((reasoning) => !foreign.includes(reasoning));
  for (const turn of actual.turns) {
    turn.reasoning = turn.reasoning.filter((reasoning) => reasoning.artefacts.length > 0 || !foreignTextSurvives(reasoning.text));
    turn.texts = turn.texts.filter((text) => !foreignTextSurvives(text));
  }

  if (target === "anthropic-messages") mapIds(expected, (id) => toSafeToolCallId(id));
  for (const turn of expected.turns) for (const call of turn.toolCalls) call.arguments = customArgumentsFor(target, call.arguments);
  if (target === "gemini") alignIdsConsistently(expected, actual, (note) => acceptedLosses.add(note));

  if (expected.tools.join("\n") !== actual.tools.join("\n")) {
    const withoutNative = (tools: string[]): string[] => tools.filter((tool) => !tool.startsWith("native:"));
    if (withoutNative(expected.tools).join("\n") === withoutNative(actual.tools).join("\n") && accept("native tools")) actual.tools = expected.tools;
  }
  if (textsEquivalent(expected.system, actual.system)) actual.system = expected.system;
  if (expected.turns.some((turn) => turn.speaker === "system") && accept("mid-conversation system messages")) {
    expected.turns = mergeRuns(expected.turns.filter((turn) => turn.speaker !== "system"));
    actual.turns = mergeRuns(actual.turns.filter((turn) => turn.speaker !== "system"));
  }
  expected.turns = mergeRuns(expected.turns);
  actual.turns = mergeRuns(actual.turns);

  actual.turns.forEach((turn, index) => {
    const wanted = expected.turns[index];
    if (wanted === undefined || wanted.speaker !== turn.speaker) return;
    if (textsEquivalent(wanted.texts, turn.texts)) turn.texts = wanted.texts;
    for (const key of ["images", "media", "refusals"] as const) {
      if (JSON.stringify(wanted[key]) !== JSON.stringify(turn[key]) && accept(key)) (turn[key] as unknown[]) = wanted[key];
    }
    if (wanted.natives !== turn.natives && accept("native items")) turn.natives = wanted.natives;
    turn.toolResults.forEach((result, resultIndex) => {
      const wantedResult = wanted.toolResults[resultIndex];
      if (wantedResult === undefined) return;
      if (toolResultTextEquivalent(wantedResult.text, result.text, target)) result.text = wantedResult.text;
      if (wantedResult.isError !== result.isError && accept("tool-result is_error")) result.isError = wantedResult.isError;
      if (JSON.stringify(wantedResult.images) !== JSON.stringify(result.images) && accept("tool-result images")) result.images = wantedResult.images;
    });
  });
  return { expected, actual, acceptedLosses: [...acceptedLosses], problems };
}

/**
 * Tool-result text crossed unchanged, as equal JSON (whitespace may differ), or, for Gemini whose
 * `functionResponse.response` must be an object, wrapped in a one-key object.
 */
export function toolResultTextEquivalent(expected: string, actual: string, target: ProtocolId): boolean {
  if (expected === actual) return true;
  const expectedJson = parseJson(expected);
  const actualJson = parseJson(actual);
  if (expectedJson.ok && actualJson.ok && JSON.stringify(expectedJson.value) === JSON.stringify(actualJson.value)) return true;
  if (target !== "gemini" || !actualJson.ok || typeof actualJson.value !== "object" || actualJson.value === null) return false;
  const values = Object.values(actualJson.value);
  if (values.length !== 1) return false;
  return values[0] === expected || (expectedJson.ok && JSON.stringify(values[0]) === JSON.stringify(expectedJson.value));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function mapIds(content: RequestContent, map: (id: string) => string): void {
  for (const turn of content.turns) {
    for (const call of turn.toolCalls) call.id = map(call.id);
    for (const result of turn.toolResults) result.id = map(result.id);
  }
}

/** Gemini ids are optional on the wire: a different id is fine when used consistently by calls and results. */
function alignIdsConsistently(expected: RequestContent, actual: RequestContent, note: (category: string) => void): void {
  const mapping = new Map<string, string>();
  const wanted = expected.turns.flatMap((turn) => turn.toolCalls.map((call) => call.id));
  actual.turns.flatMap((turn) => turn.toolCalls).forEach((call, index) => {
    const id = wanted[index];
    if (id !== undefined && call.id !== id && call.id !== "" && !mapping.has(call.id)) mapping.set(call.id, id);
  });
  if (mapping.size === 0) return;
  note("tool-call ids (derived by Gemini)");
  mapIds(actual, (id) => mapping.get(id) ?? id);
}

/** Merges adjacent runs of one speaker (after removals) and drops empty ones. */
function mergeRuns(turns: TurnContent[]): TurnContent[] {
  const merged: TurnContent[] = [];
  for (const turn of turns) {
    if (isEmptyTurn(turn)) continue;
    const into = turnFor(merged, turn.speaker);
    into.texts.push(...turn.texts);
    into.images.push(...turn.images);
    into.media.push(...turn.media);
    into.toolCalls.push(...turn.toolCalls);
    into.toolResults.push(...turn.toolResults);
    into.reasoning.push(...turn.reasoning);
    into.refusals.push(...turn.refusals);
    into.natives += turn.natives;
  }
  return merged;
}
