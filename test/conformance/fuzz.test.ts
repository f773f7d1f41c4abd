import { describe, expect, it } from "vitest";
import { findStreamGrammarProblems, GatewayError, protocolIds, type ProtocolCodec, type ProtocolId, type SseMessage } from "../../src/unified/index.js";
import { conformanceScenarios } from "../support/conformance-scenarios.js";
import { listRequestBodies, listResponseBodies } from "../support/fixture-bodies.js";
import { fixturesAvailable, fixturesDirectory } from "../support/fixtures.js";
import { loadCodecs } from "../support/load-codecs.js";
import { createRandom, mutateJson, randomJsonValue } from "../support/mutate-json.js";
import { listRecordedStreams } from "../support/recorded-streams.js";
import { fixedClock } from "../support/run-codec-stream.js";

/**
 * Fuzz: mutated bodies (keys deleted, types changed, values nulled, arrays and objects swapped, strings truncated,
 * random JSON anywhere) go into the decoders. decodeRequest must give a value or a GatewayError `invalid_request`;
 * decodeResponse a value or a GatewayError; nothing else (no TypeError). Whatever decodes must also encode without
 * a non-GatewayError. Stream decoders get mutated and truncated data lines and must never throw and still end well
 * formed. Seeds are fixed, so a failure reproduces; the counts keep the whole file well under 20 s.
 */
const { codecs, missing } = await loadCodecs();
const mutantsPerBody = 300;
const mutantsPerStream = 60;
const shownFailures = 8;

if (!fixturesAvailable) console.warn(`[fuzz] ${fixturesDirectory} is absent: fuzzing only the codecs' own encodings of the conformance scenarios.`);

function describeThrown(error: unknown): string {
  if (GatewayError.isInstance(error)) return `GatewayError ${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${String(error)}`;
}

/** Request seeds: recorded bodies plus the codec's own encodings of the shared scenarios. */
function requestSeeds(codec: ProtocolCodec): Array<{ label: string; body: unknown }> {
  const own = conformanceScenarios.flatMap((scenario) => {
    if (scenario.request === undefined) return [];
    try {
      return [{ label: `scenario ${scenario.name}`, body: codec.encodeRequest(scenario.request(codec.protocol)).value }];
    } catch {
      return [];
    }
  });
  return [...(fixturesAvailable ? listRequestBodies(codec.protocol) : []), ...own];
}

function responseSeeds(codec: ProtocolCodec): Array<{ label: string; body: unknown }> {
  const own = conformanceScenarios.flatMap((scenario) => {
    if (scenario.response === undefined) return [];
    try {
      return [{ label: `scenario ${scenario.name}`, body: codec.encodeResponse(scenario.response(codec.protocol), { now: fixedClock }).value }];
    } catch {
      return [];
    }
  });
  return [...(fixturesAvailable ? listResponseBodies(codec.protocol).ok : []), ...own];
}

/** One to three mutations in a row (a single change rarely reaches the deeper readers). */
function mutateRepeatedly(body: unknown, random: () => number): { value: unknown; label: string } {
  let value = body;
  const steps: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let step = 0; step < count; step += 1) {
    const { value: next, mutation } = mutateJson(value, random);
    value = next;
    steps.push(`${mutation.kind} at ${mutation.path || "(root)"} = ${JSON.stringify(mutation.value)?.slice(0, 40) ?? "(deleted)"}`);
  }
  return { value, label: steps.join(", ") };
}

function fuzzRequests(codec: ProtocolCodec): string[] {
  const failures: string[] = [];
  const random = createRandom(7);
  const inputs: Array<{ label: string; body: unknown }> = [
    { label: "not an object", body: null },
    { label: "not an object", body: "hello" },
    { label: "not an object", body: [] },
    { label: "not an object", body: 42 },
  ];
  for (const seed of requestSeeds(codec)) {
    for (let round = 0; round < mutantsPerBody; round += 1) {
      const { value, label } = mutateRepeatedly(seed.body, random);
      inputs.push({ label: `${seed.label} ${label}`, body: value });
    }
  }
  for (const input of inputs) {
    let decoded: ReturnType<ProtocolCodec["decodeRequest"]> | undefined;
    try {
      decoded = codec.decodeRequest(input.body);
    } catch (error) {
      if (!GatewayError.isInstance(error) || error.code !== "invalid_request") failures.push(`decodeRequest(${input.label}) threw ${describeThrown(error)}`);
      continue;
    }
    try {
      codec.encodeRequest(decoded.value);
    } catch (error) {
      if (!GatewayError.isInstance(error)) failures.push(`encodeRequest(decodeRequest(${input.label})) threw ${describeThrown(error)}`);
    }
  }
  return failures;
}

function fuzzResponses(codec: ProtocolCodec): string[] {
  const failures: string[] = [];
  const random = createRandom(11);
  for (const seed of responseSeeds(codec)) {
    for (let round = 0; round < mutantsPerBody; round += 1) {
      const mutated = mutateRepeatedly(seed.body, random);
      const value = mutated.value;
      const label = `${seed.label} ${mutated.label}`;
      try {
        const decoded = codec.decodeResponse(value);
        try {
          codec.encodeResponse(decoded.value, { now: fixedClock });
        } catch (error) {
          if (!GatewayError.isInstance(error)) failures.push(`encodeResponse(decodeResponse(${label})) threw ${describeThrown(error)}`);
        }
      } catch (error) {
        if (!GatewayError.isInstance(error)) failures.push(`decodeResponse(${label}) threw ${describeThrown(error)}`);
      }
    }
  }
  return failures;
}

/** A stream with a few data lines mutated (as JSON) or cut short (invalid JSON). */
function mutateStream(messages: readonly SseMessage[], random: () => number): { messages: SseMessage[]; note: string } {
  const copy = messages.map((message) => ({ ...message }));
  const notes: string[] = [];
  for (let count = 0; count < 3 && copy.length > 0; count += 1) {
    const index = Math.floor(random() * copy.length);
    const message = copy[index];
    if (message === undefined) continue;
    if (random() < 0.25) {
      message.data = message.data.slice(0, Math.floor(random() * message.data.length));
      notes.push(`line ${index} truncated`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.data) as unknown;
    } catch {
      parsed = randomJsonValue(random);
    }
    const { value, mutation } = mutateJson(parsed, random);
    message.data = JSON.stringify(value) ?? "null";
    notes.push(`line ${index} ${mutation.kind} at ${mutation.path || "(root)"}`);
  }
  return { messages: copy, note: notes.join("; ") };
}

function fuzzStreams(codec: ProtocolCodec, protocol: ProtocolId): string[] {
  const failures: string[] = [];
  const random = createRandom(13);
  for (const recorded of listRecordedStreams(protocol)) {
    for (let round = 0; round < mutantsPerStream; round += 1) {
      const { messages, note } = mutateStream(recorded.messages, random);
      try {
        const decoder = codec.createStreamDecoder();
        const events = messages.flatMap((message) => decoder.push(message));
        events.push(...decoder.end());
        const problems = findStreamGrammarProblems(events);
        if (problems.length > 0) failures.push(`${recorded.label} (${note}): malformed output: ${problems.slice(0, 3).join("; ")}`);
      } catch (error) {
        failures.push(`${recorded.label} (${note}): decoder threw ${describeThrown(error)}`);
      }
    }
  }
  return failures;
}

function expectNoFailures(failures: string[]): void {
  expect(failures.slice(0, shownFailures), `${failures.length} failing inputs (first ${shownFailures} shown)`).toEqual([]);
}

for (const protocol of protocolIds) {
  describe(`fuzz: ${protocol}`, () => {
    const codec = codecs.get(protocol);
    if (codec === undefined) {
      it("codec exists", () => expect.fail(missing.get(protocol) ?? "not loaded"));
      return;
    }
    it("mutated requests decode or fail with invalid_request", () => expectNoFailures(fuzzRequests(codec)));
    it("mutated responses decode or fail with a GatewayError", () => expectNoFailures(fuzzResponses(codec)));
    it.skipIf(!fixturesAvailable)("mutated stream data lines never throw and end well formed", () => expectNoFailures(fuzzStreams(codec, protocol)));
  });
}
