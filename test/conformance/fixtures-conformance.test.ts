import { describe, expect, it } from "vitest";
import { assertWellFormedStream, protocolIds, type ProtocolCodec, type ProtocolId, type UnifiedRequest } from "../../src/unified/index.js";
import { errorShapeKeys } from "../support/expected-error-shape.js";
import { findRequestBody, gatewayErrorForFixture, listRequestBodies, listResponseBodies, structurallyInvalidRequestPath } from "../support/fixture-bodies.js";
import { fixturesAvailable, fixturesDirectory, listFixtures, readTextFixture } from "../support/fixtures.js";
import { loadCodecs } from "../support/load-codecs.js";
import { recordedResponseReaders } from "../support/read-recorded-response-content.js";
import { reassembleAnthropicMessagesRecording } from "../support/reassemble-anthropic-messages-recording.js";
import { listRecordedStreams, recordingReassemblers, type RecordedStream } from "../support/recorded-streams.js";
import { alignWithRecording, reconcileAcrossProtocols } from "../support/reconcile-content.js";
import { decodeStreamMessages, fixedClock, roundTripStream } from "../support/run-codec-stream.js";
import { artefactOriginProblems, reassembleStreamEvents, streamArtefactOrigins } from "../support/stream-content.js";
import { unifiedResponseContent } from "../support/unified-response-content.js";

/**
 * Conformance over every recorded fixture (../shared/fixtures, see its SOURCES.md): requests and responses survive
 * decode → encode in their own protocol as equal parsed JSON; every stream recording decodes into a well-formed
 * sequence whose content equals an independent reading of the recording, and re-encodes into each of the four
 * protocols as a stream the matching decoder reads back with the same content (losses only with warnings);
 * recorded errors keep their shape through `encodeError`.
 *
 * Normalizations of the wire fixpoint: none. Every request and response must come back as the same parsed JSON
 * (key order and whitespace are not compared: pydantic-ai's extractions were re-serialized with sorted keys).
 */
if (!fixturesAvailable) console.warn(`[fixtures-conformance] ${fixturesDirectory} is absent: the recorded-fixture conformance suite is skipped.`);

const { codecs, missing } = await loadCodecs();

describe.skipIf(!fixturesAvailable)("recorded fixtures conformance", () => {
  for (const protocol of protocolIds) {
    describe(protocol, () => {
      const codec = codecs.get(protocol);
      if (codec === undefined) {
        it("codec exists", () => expect.fail(missing.get(protocol) ?? "not loaded"));
        return;
      }
      describeRequests(codec);
      describeResponses(codec);
      describeStreams(codec);
      describeErrors(codec);
    });
  }
});

function describeRequests(codec: ProtocolCodec): void {
  for (const entry of listRequestBodies(codec.protocol)) {
    const invalidPath = structurallyInvalidRequestPath(codec.protocol, entry.label);
    if (invalidPath !== undefined) {
      it(`request ${entry.label}: refused as invalid_request at ${invalidPath}`, () => {
        expect(() => codec.decodeRequest(structuredClone(entry.body))).toThrow(expect.objectContaining({ code: "invalid_request", path: invalidPath }));
      });
      continue;
    }
    it(`request ${entry.label}: decode → encode gives the same body`, () => {
      const decoded = codec.decodeRequest(structuredClone(entry.body));
      expect(decoded.value.sourceProtocol).toBe(codec.protocol);
      const encoded = codec.encodeRequest(decoded.value);
      expect(encoded.value).toEqual(entry.body);
    });
  }
}

function describeResponses(codec: ProtocolCodec): void {
  const protocol = codec.protocol;
  for (const entry of listResponseBodies(protocol).ok) {
    it(`response ${entry.label}: decodes to the recorded content and re-encodes to the same body`, () => {
      const decoded = codec.decodeResponse(structuredClone(entry.body)).value;
      const expected = recordedResponseReaders[protocol](entry.body);
      const { textParts: _textParts, ...actual } = unifiedResponseContent(decoded);
      expect(alignWithRecording(expected, actual)).toEqual(expected);
      // The client's request is known when a gateway encodes a response (Responses echoes its fields).
      const encoded = codec.encodeResponse(decoded, { now: fixedClock, ...requestOption(codec, entry.scenario) });
      expect(encoded.value).toEqual(entry.body);
    });
  }
}

function describeStreams(codec: ProtocolCodec): void {
  const protocol = codec.protocol;
  for (const recorded of listRecordedStreams(protocol)) {
    it(`stream ${recorded.label}: decodes well formed with the recorded content`, () => {
      const { events } = decodeStreamMessages(codec, recorded.messages);
      assertWellFormedStream(events);
      const expected = recordingReassemblers[protocol](recorded.messages);
      expect(alignWithRecording(expected, reassembleStreamEvents(events))).toEqual(expected);
      // An upstream's artefacts are its own: each must say so (reasoning-start origin, or its event's).
      const origins = streamArtefactOrigins(events);
      expect(origins.map((entry) => entry.origin)).toEqual(origins.map(() => protocol));
    });
    for (const target of protocolIds) {
      it(`stream ${recorded.label}: re-encodes as ${target} and decodes back with the same content`, () => reEncodeStream(codec, recorded, target));
    }
  }
  if (protocol === "anthropic-messages") describeAnthropicOverloadedExcerpt(codec);
}

const loaded = codecs;

function reEncodeStream(source: ProtocolCodec, recorded: RecordedStream, target: ProtocolId): void {
  const targetCodec = loaded.get(target);
  if (targetCodec === undefined) return expect.fail(`codec ${target} is missing: ${missing.get(target) ?? ""}`);
  const { events } = decodeStreamMessages(source, recorded.messages);
  const request: UnifiedRequest =
    target === source.protocol ? (requestOption(source, recorded.file.scenario).request ?? minimalStreamRequest()) : minimalStreamRequest();
  const { decoded, encoded } = roundTripStream(targetCodec, events, { request, now: fixedClock });
  assertWellFormedStream(decoded.events);
  const before = reassembleStreamEvents(events);
  const after = reassembleStreamEvents(decoded.events);
  // A client of the target hands the source's artefacts back later: they must still be known as the source's.
  expect(artefactOriginProblems(streamArtefactOrigins(events), streamArtefactOrigins(decoded.events))).toEqual([]);
  if (target === source.protocol) {
    expect(after).toEqual(before);
    return;
  }
  const warnings = [...encoded.warnings, ...decoded.warnings];
  const reconciled = reconcileAcrossProtocols(before, after, target, warnings);
  expect(reconciled.actual, `accepted losses (warned): ${reconciled.acceptedLosses.join(", ") || "none"}`).toEqual(reconciled.expected);
}

/** The real overloaded error payload quoted in an Anthropic issue, arriving mid-stream after real opening events. */
function describeAnthropicOverloadedExcerpt(codec: ProtocolCodec): void {
  const excerpt = listFixtures("anthropic-messages").find((file) => file.kind === "issue-excerpt" && file.name.includes("overloaded"));
  const opening = listRecordedStreams("anthropic-messages").find((recorded) => recorded.file.name === "text.chunks.txt");
  if (excerpt === undefined || opening === undefined) return;
  it(`stream text.chunks.txt cut by ${excerpt.name}: ends in an overloaded error event`, () => {
    const firstDelta = opening.messages.findIndex((message) => message.data.includes('"content_block_delta"'));
    const messages = [...opening.messages.slice(0, firstDelta + 1), { event: "error", data: readTextFixture(excerpt).trim() }];
    const { events } = decodeStreamMessages(codec, messages);
    assertWellFormedStream(events);
    const expected = reassembleAnthropicMessagesRecording(messages);
    expect(expected.ending).toEqual({ kind: "error", code: "overloaded" });
    expect(reassembleStreamEvents(events)).toEqual(expected);
  });
}

function describeErrors(codec: ProtocolCodec): void {
  for (const entry of listResponseBodies(codec.protocol).errors) {
    it(`error ${entry.label}: encodeError of the same GatewayError has the recorded shape`, () => {
      const error = gatewayErrorForFixture(entry);
      const encoded = codec.encodeError(error);
      expect(encoded.status).toBe(error.httpStatus);
      const recordedKeys = errorShapeKeys(entry.body).sort();
      const encodedKeys = errorShapeKeys(encoded.body).sort();
      if (entry.label.startsWith("compat-")) {
        // An OpenAI-compatible provider's own error shape: the gateway answers in OpenAI's, which must at least hold
        // every key the provider's clients read.
        expect(recordedKeys.filter((key) => !encodedKeys.includes(key))).toEqual([]);
      } else {
        expect(encodedKeys).toEqual(recordedKeys);
      }
    });
  }
}

function requestOption(codec: ProtocolCodec, scenario: string): { request?: UnifiedRequest } {
  const body = findRequestBody(codec.protocol, scenario);
  if (body === undefined) return {};
  return { request: codec.decodeRequest(structuredClone(body)).value };
}

function minimalStreamRequest(): UnifiedRequest {
  return { model: "recorded-model", system: [], messages: [], generation: {}, stream: true, includeUsage: true };
}
