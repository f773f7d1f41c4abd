import { describe, expect, it } from "vitest";
import {
  assertWellFormedStream,
  GatewayError,
  gatewayErrorCodes,
  type GatewayErrorCode,
  type ProtocolCodec,
  type ProtocolId,
  type StreamEvent,
  type UnifiedRequest,
} from "../../src/unified/index.js";
import { conformanceScenarios, type ConformanceScenario } from "./conformance-scenarios.js";
import { expectedErrorShape } from "./expected-error-shape.js";
import { fixedClock, roundTripStream } from "./run-codec-stream.js";
import { reassembleStreamEvents, withoutEmptyUsage, type StreamContent } from "./stream-content.js";
import { textsEquivalent, unifiedRequestContent, type RequestContent } from "./unified-request-content.js";
import { unifiedResponseContent } from "./unified-response-content.js";

/** A scenario check that a codec is excused from, with the reason (a skip without one fails the run). */
export interface ConformanceSkip {
  reason: string;
  /** Test names as reported, e.g. `refusal › response round trip`. */
  tests: string[];
}

/** Options of the shared suite. */
export interface CodecConformanceOptions {
  codec: ProtocolCodec;
  skip?: ConformanceSkip[];
}

const checks = ["request round trip", "response round trip", "stream round trip"] as const;

/** Every test name the suite can register, for validating `skip` lists. */
export const conformanceTestNames: readonly string[] = [
  ...conformanceScenarios.flatMap((scenario) =>
    checks.filter((check) => scenarioHas(scenario, check)).map((check) => `${scenario.name} › ${check}`),
  ),
  ...gatewayErrorCodes.map((code) => `encodeError › ${code}`),
];

/**
 * The shared codec suite (hono-style): the same scenarios run against every codec. For each scenario it checks
 * that encode → decode in the codec's own protocol keeps the content (normalized to what the protocol can say),
 * that a stream encodes to SSE the same codec decodes back into a well-formed sequence with the same content, and
 * that `encodeError` answers with the right status and the protocol's error shape.
 */
export function runCodecConformance({ codec, skip = [] }: CodecConformanceOptions): void {
  const protocol = codec.protocol;
  const skipped = new Map<string, string>();
  const badSkips: string[] = [];
  for (const entry of skip) {
    if (entry.reason.trim() === "") badSkips.push(`a skip of [${entry.tests.join(", ")}] has no reason`);
    for (const test of entry.tests) {
      if (!conformanceTestNames.includes(test)) badSkips.push(`skip names an unknown test "${test}"`);
      skipped.set(test, entry.reason);
    }
  }

  describe(`codec conformance: ${protocol}`, () => {
    it("skip list is valid (every skip has a reason and names a real test)", () => {
      expect(badSkips).toEqual([]);
    });

    for (const scenario of conformanceScenarios) {
      const register = (check: (typeof checks)[number], body: () => void): void => {
        const name = `${scenario.name} › ${check}`;
        const reason = skipped.get(name);
        if (reason !== undefined) it.skip(`${name} (skipped: ${reason})`, body);
        else it(name, body);
      };
      const buildRequest = scenario.request;
      if (buildRequest !== undefined) register("request round trip", () => checkRequestRoundTrip(codec, buildRequest(protocol)));
      const buildResponse = scenario.response;
      if (buildResponse !== undefined) {
        register("response round trip", () => {
          const original = buildResponse(protocol);
          const encoded = codec.encodeResponse(original, { now: fixedClock });
          const decoded = codec.decodeResponse(encoded.value).value;
          expect({ id: decoded.id, model: decoded.model }).toEqual({ id: original.id, model: original.model });
          const { textParts: _wanted, ...expected } = unifiedResponseContent(original);
          const { textParts: _got, ...actual } = unifiedResponseContent(decoded);
          expectSameContent(protocol, scenario, expected, actual);
        });
      }
      const buildStream = scenario.stream;
      if (buildStream !== undefined) register("stream round trip", () => checkStreamRoundTrip(codec, scenario, buildStream(protocol)));
    }

    for (const code of gatewayErrorCodes) {
      const name = `encodeError › ${code}`;
      const reason = skipped.get(name);
      const body = (): void => checkEncodeError(codec, code);
      if (reason !== undefined) it.skip(`${name} (skipped: ${reason})`, body);
      else it(name, body);
    }
  });
}

function scenarioHas(scenario: ConformanceScenario, check: (typeof checks)[number]): boolean {
  if (check === "request round trip") return scenario.request !== undefined;
  if (check === "response round trip") return scenario.response !== undefined;
  return scenario.stream !== undefined;
}

/** Asserts that `original` survives encode → decode in the codec's own protocol (as far as the protocol says it). */
export function checkRequestRoundTrip(codec: ProtocolCodec, original: UnifiedRequest): void {
  const protocol = codec.protocol;
  const encoded = codec.encodeRequest(original);
  const decoded = codec.decodeRequest(encoded.value);
  expect(decoded.value.sourceProtocol).toBe(protocol);
  const expected = unifiedRequestContent(original);
  const actual = unifiedRequestContent(decoded.value);
  // Reasoning comes back tagged with the protocol it arrived in, which is this one.
  for (const turn of expected.turns) for (const reasoning of turn.reasoning) reasoning.origin = protocol;
  // Responses `instructions` is one string: several instruction parts come back joined.
  if (textsEquivalent(expected.system, actual.system)) actual.system = expected.system;
  if (protocol === "gemini") {
    // Gemini carries the model in the URL path, not the body.
    actual.model = expected.model;
    alignGeminiToolCallIds(expected, actual);
  }
  expect(actual).toEqual(expected);
  const generation = { ...original.generation };
  if (protocol === "openai-responses" && generation.stop !== undefined) {
    // Responses has no stop sequences: the encoder must say it dropped them.
    delete generation.stop;
    expect(encoded.warnings.length).toBeGreaterThan(0);
  }
  expect(pick(decoded.value.generation, Object.keys(generation))).toEqual(generation);
  // With tools given, "auto" is every protocol's default: an encoder may state it (Anthropic must, to carry
  // disable_parallel_tool_use) and the decoder then reads it back.
  const defaultChoice = original.tools !== undefined && original.tools.length > 0 ? { type: "auto" } : undefined;
  expect(decoded.value.toolChoice ?? defaultChoice).toEqual(original.toolChoice ?? defaultChoice);
}

/**
 * Gemini ids are optional on the wire: a codec that leaves them out derives ids when decoding. Accept a
 * different id only when it is used consistently (each result still points at its call).
 */
function alignGeminiToolCallIds(expected: RequestContent, actual: RequestContent): void {
  const mapping = new Map<string, string>();
  const expectedCalls = expected.turns.flatMap((turn) => turn.toolCalls);
  actual.turns.flatMap((turn) => turn.toolCalls).forEach((call, index) => {
    const wanted = expectedCalls[index];
    if (wanted !== undefined && call.id !== "" && !mapping.has(call.id)) mapping.set(call.id, wanted.id);
  });
  for (const turn of actual.turns) {
    for (const call of turn.toolCalls) call.id = mapping.get(call.id) ?? call.id;
    for (const result of turn.toolResults) result.id = mapping.get(result.id) ?? result.id;
  }
}

function checkStreamRoundTrip(codec: ProtocolCodec, scenario: ConformanceScenario, events: StreamEvent[]): void {
  assertWellFormedStream(events);
  const request: UnifiedRequest = { model: "conformance-model", system: [], messages: [], generation: {}, stream: true, includeUsage: true };
  const { encoded, decoded } = roundTripStream(codec, events, { request, now: fixedClock });
  expect(encoded.text.length).toBeGreaterThan(0);
  assertWellFormedStream(decoded.events);
  expectSameContent(codec.protocol, scenario, reassembleStreamEvents(events), reassembleStreamEvents(decoded.events));
  // A terminated encoder stays quiet: nothing after the terminal event, and end() adds nothing.
  const encoder = codec.createStreamEncoder({ request, now: fixedClock });
  for (const event of events) encoder.push(event);
  expect(encoder.push({ type: "text-delta", index: 0, text: "late" })).toBe("");
  expect(encoder.end()).toBe("");
}

function expectSameContent(protocol: ProtocolId, scenario: ConformanceScenario, expectedIn: StreamContent, actualIn: StreamContent): void {
  const expected = { ...expectedIn };
  const actual = withoutEmptyUsage({ ...actualIn }, expectedIn);
  if (scenario.refusalAsText?.includes(protocol) === true) {
    expected.text += expected.refusalText;
    expected.refusalText = "";
  }
  // Ids are optional in Gemini responses: a derived id is fine, an empty one is not.
  if (protocol === "gemini") {
    actual.toolCalls = actual.toolCalls.map((call, index) => ({ ...call, id: call.id !== "" && call.id !== null ? expected.toolCalls[index]?.id ?? call.id : call.id }));
  }
  if (expected.ending.kind === "finish" && actual.ending.kind === "finish") {
    const accepted = scenario.acceptedFinishReasons?.[protocol];
    if (accepted?.includes(actual.ending.unified) === true) actual.ending = { ...actual.ending, unified: expected.ending.unified };
    // The scenarios give no raw value; what the codec writes is its own.
    expected.ending = { ...expected.ending, raw: null };
    actual.ending = { ...actual.ending, raw: null };
  }
  const wantedUsage = expected.usage;
  if (wantedUsage !== undefined && actual.usage !== undefined) {
    const usage = { ...actual.usage };
    // No cache-write count in Chat, Responses or Gemini: folded into input, the input total must hold.
    if (usage.cacheWriteTokens === 0 && usage.inputTokens === wantedUsage.inputTokens + wantedUsage.cacheWriteTokens) {
      usage.inputTokens = wantedUsage.inputTokens;
      usage.cacheWriteTokens = wantedUsage.cacheWriteTokens;
    }
    actual.usage = usage;
  }
  expect(actual).toEqual(expected);
}

function checkEncodeError(codec: ProtocolCodec, code: GatewayErrorCode): void {
  const error = new GatewayError(code, `conformance ${code}`, code === "rate_limited" ? { retryAfterMs: 2500 } : {});
  const encoded = codec.encodeError(error);
  expect(encoded.status).toBe(error.httpStatus);
  expect(expectedErrorShape(codec.protocol, encoded.body, error)).toEqual([]);
  if (code === "rate_limited") expect(encoded.headers?.["retry-after"]).toBe("3");
}

function pick(object: object, keys: readonly string[]): Record<string, unknown> {
  const record = object as Record<string, unknown>;
  return Object.fromEntries(keys.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]));
}
