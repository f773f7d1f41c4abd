import { describe, expect, it } from "vitest";
import { GatewayError, protocolIds, type ProtocolCodec, type ProtocolId, type UnifiedResponse } from "../../src/unified/index.js";
import { listRequestBodies, listResponseBodies, structurallyInvalidRequestPath } from "../support/fixture-bodies.js";
import { fixturesAvailable, fixturesDirectory } from "../support/fixtures.js";
import { loadCodecs } from "../support/load-codecs.js";
import { reconcileAcrossProtocols } from "../support/reconcile-content.js";
import { reconcileRequestAcrossProtocols } from "../support/reconcile-request-content.js";
import { fixedClock } from "../support/run-codec-stream.js";
import { textsEquivalent, unifiedRequestContent } from "../support/unified-request-content.js";
import { unifiedResponseContent } from "../support/unified-response-content.js";

/**
 * The cross-protocol matrix on recorded data: every recorded request and response of protocol A goes
 * A → unified → B (encode) → unified (decode B) for each B ≠ A, and must keep its text, tool calls (names, mapped
 * ids, arguments as parsed JSON, signatures), tool results, images, reasoning per the continuity policy, usage and
 * finish reason. Whatever B cannot carry must show up as a warning; a silent loss fails. The accepted losses are
 * listed in reconcile-content.ts and reconcile-request-content.ts.
 */
if (!fixturesAvailable) console.warn(`[cross-protocol-matrix] ${fixturesDirectory} is absent: the cross-protocol matrix is skipped.`);

const { codecs, missing } = await loadCodecs();

function codecFor(protocol: ProtocolId): ProtocolCodec {
  const codec = codecs.get(protocol);
  if (codec === undefined) throw new Error(`codec ${protocol} is missing: ${missing.get(protocol) ?? ""}`);
  return codec;
}

describe.skipIf(!fixturesAvailable)("cross-protocol matrix on recorded fixtures", () => {
  for (const source of protocolIds) {
    for (const target of protocolIds.filter((protocol) => protocol !== source)) {
      describe(`${source} → ${target}`, () => {
        // Requests the provider refused for their shape are not translatable (fixtures-conformance checks the 400).
        for (const entry of listRequestBodies(source).filter((body) => structurallyInvalidRequestPath(source, body.label) === undefined)) {
          it(`request ${entry.label}`, () => crossRequest(source, target, entry.body));
        }
        for (const entry of listResponseBodies(source).ok) {
          it(`response ${entry.label}`, () => crossResponse(source, target, entry.body));
        }
      });
    }
  }
});

function crossRequest(source: ProtocolId, target: ProtocolId, body: unknown): void {
  const decodedSource = codecFor(source).decodeRequest(structuredClone(body)).value;
  let encoded: ReturnType<ProtocolCodec["encodeRequest"]>;
  try {
    encoded = codecFor(target).encodeRequest(decodedSource);
  } catch (error) {
    // A request the target cannot serve at all (n > 1, …) must be refused as unsupported, never crash.
    expect(GatewayError.isInstance(error) ? error.code : String(error)).toBe("unsupported_feature");
    return;
  }
  const decodedTarget = codecFor(target).decodeRequest(structuredClone(encoded.value));
  const warnings = [...encoded.warnings, ...decodedTarget.warnings];
  const reconciled = reconcileRequestAcrossProtocols(unifiedRequestContent(decodedSource), unifiedRequestContent(decodedTarget.value), target, warnings, encoded.value);
  expect(reconciled.problems).toEqual([]);
  expect(reconciled.actual, `accepted losses (warned): ${reconciled.acceptedLosses.join(", ") || "none"}`).toEqual(reconciled.expected);
}

function crossResponse(source: ProtocolId, target: ProtocolId, body: unknown): void {
  const decodedSource = codecFor(source).decodeResponse(structuredClone(body)).value;
  const encoded = codecFor(target).encodeResponse(decodedSource, { now: fixedClock });
  const decodedTarget = codecFor(target).decodeResponse(structuredClone(encoded.value));
  const { textParts: expectedParts, ...expectedContent } = unifiedResponseContent(decodedSource);
  const { textParts: actualParts, ...actualContent } = unifiedResponseContent(decodedTarget.value);
  // Several text parts may arrive as one (Chat has one content string).
  if (textsEquivalent(expectedParts, actualParts)) actualContent.text = expectedContent.text;
  const warnings = [...encoded.warnings, ...decodedTarget.warnings];
  const reconciled = reconcileAcrossProtocols(expectedContent, actualContent, target, warnings);
  expect(reconciled.actual, `accepted losses (warned): ${reconciled.acceptedLosses.join(", ") || "none"}`).toEqual(reconciled.expected);
  expect(artefactOriginProblems(decodedSource, decodedTarget.value)).toEqual([]);
}

/**
 * A client of B hands A's artefacts back later; they must still be known as A's (so that they are replayed to A
 * only), whatever slot B kept them in.
 */
function artefactOriginProblems(source: UnifiedResponse, target: UnifiedResponse): string[] {
  const originByArtefact = new Map<string, string | undefined>();
  for (const part of source.output) {
    if (part.type !== "reasoning") continue;
    for (const artefact of [part.signature, part.redactedData, part.encryptedContent]) if (artefact !== undefined) originByArtefact.set(artefact, part.origin?.protocol);
  }
  const problems: string[] = [];
  for (const part of target.output) {
    if (part.type !== "reasoning") continue;
    for (const artefact of [part.signature, part.redactedData, part.encryptedContent]) {
      if (artefact === undefined || !originByArtefact.has(artefact)) continue;
      const wanted = originByArtefact.get(artefact);
      if (part.origin?.protocol !== wanted) problems.push(`artefact ${artefact.slice(0, 24)}… came back with origin ${String(part.origin?.protocol)}, expected ${String(wanted)}`);
    }
  }
  return problems;
}
