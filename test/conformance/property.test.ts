import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSseParser } from "../../src/streaming/index.js";
import { protocolIds, type ProtocolCodec, type StreamEvent } from "../../src/unified/index.js";
import { arbitraryUnifiedRequest } from "../support/arbitrary-unified-request.js";
import { checkRequestRoundTrip } from "../support/codec-conformance.js";
import { fixturesAvailable, fixturesDirectory } from "../support/fixtures.js";
import { loadCodecs } from "../support/load-codecs.js";
import { listRecordedStreams } from "../support/recorded-streams.js";
import { decodeStreamMessages, encodeStreamEvents, fixedClock } from "../support/run-codec-stream.js";

/**
 * Properties (fast-check):
 * - chunk-boundary independence: any recorded stream, cut at random byte offsets (including inside multi-byte
 *   UTF-8 sequences, decoded with a streaming TextDecoder) and fed to createSseParser piece by piece, decodes to the
 *   identical event sequence as the same bytes in one chunk;
 * - random unified requests restricted to what protocol A can express survive A → unified → A.
 */
const { codecs, missing } = await loadCodecs();
const runsPerStream = 30;
const runsPerProtocol = 150;

/** Decodes SSE bytes delivered in pieces cut at `cuts`, as a server would receive them. */
function decodeInPieces(codec: ProtocolCodec, bytes: Uint8Array, cuts: readonly number[]): StreamEvent[] {
  const textDecoder = new TextDecoder("utf-8");
  const parser = createSseParser();
  const decoder = codec.createStreamDecoder();
  const events: StreamEvent[] = [];
  const bounds = [...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
  let from = 0;
  for (const to of [...bounds, bytes.length]) {
    const text = textDecoder.decode(bytes.subarray(from, to), { stream: true });
    for (const message of parser.feed(text)) events.push(...decoder.push(message));
    from = to;
  }
  for (const message of parser.feed(textDecoder.decode())) events.push(...decoder.push(message));
  for (const message of parser.end()) events.push(...decoder.push(message));
  events.push(...decoder.end());
  return events;
}

/** Byte offsets that fall inside a multi-byte UTF-8 sequence (continuation bytes). */
function offsetsInsideCharacters(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  bytes.forEach((byte, offset) => {
    if ((byte & 0xc0) === 0x80) offsets.push(offset);
  });
  return offsets;
}

function cutsArbitrary(bytes: Uint8Array): fc.Arbitrary<number[]> {
  const inside = offsetsInsideCharacters(bytes);
  const anywhere = fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) });
  const offset = inside.length === 0 ? anywhere : fc.oneof(anywhere, fc.constantFrom(...inside));
  return fc.array(offset, { minLength: 1, maxLength: 24 });
}

function expectChunkIndependence(codec: ProtocolCodec, sseText: string): void {
  const bytes = new TextEncoder().encode(sseText);
  const whole = decodeInPieces(codec, bytes, []);
  fc.assert(
    fc.property(cutsArbitrary(bytes), (cuts) => {
      expect(decodeInPieces(codec, bytes, cuts)).toEqual(whole);
    }),
    { numRuns: runsPerStream, seed: 20_251_103 },
  );
}

/** Text with characters of 2, 3 and 4 UTF-8 bytes, so every codec's own framing is cut inside characters. */
const multiByteEvents: StreamEvent[] = [
  { type: "start", id: "resp_utf8", model: "utf8-model", created: 1_750_000_000 },
  { type: "text-start", index: 0 },
  { type: "text-delta", index: 0, text: "Grüße, 世界! 🚀🧪 " },
  { type: "text-delta", index: 0, text: "naïve café — ✓ 𝄞" },
  { type: "text-end", index: 0 },
  { type: "finish", finishReason: { unified: "stop", raw: null }, usage: { inputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 9, reasoningTokens: 0, totalTokens: 12 } },
];

for (const protocol of protocolIds) {
  describe(`properties: ${protocol}`, () => {
    const codec = codecs.get(protocol);
    if (codec === undefined) {
      it("codec exists", () => expect.fail(missing.get(protocol) ?? "not loaded"));
      return;
    }
    it("a multi-byte stream of its own encoding decodes the same in any split", () => {
      const { text } = encodeStreamEvents(codec, multiByteEvents, { now: fixedClock, request: { model: "utf8-model", system: [], messages: [], generation: {}, stream: true, includeUsage: true } });
      expectChunkIndependence(codec, text);
    });
    describe.skipIf(!fixturesAvailable)("recorded streams", () => {
      for (const recorded of listRecordedStreams(protocol)) {
        it(`${recorded.label}: any split gives the events of one chunk`, () => {
          // The SSE text is the recorded bytes (`.sse`) or the chunk log framed as SSE.
          expect(decodeStreamMessages(codec, recorded.messages).events.length).toBeGreaterThan(0);
          expectChunkIndependence(codec, recorded.sseText);
        });
      }
    });
    it("random requests it can express survive encode → decode", () => {
      fc.assert(
        fc.property(arbitraryUnifiedRequest(protocol), (request) => {
          checkRequestRoundTrip(codec, request);
        }),
        { numRuns: runsPerProtocol, seed: 20_251_104 },
      );
    });
  });
}

if (!fixturesAvailable) console.warn(`[property] ${fixturesDirectory} is absent: chunk-boundary properties over recorded streams are skipped.`);
