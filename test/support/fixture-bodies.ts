import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GatewayError, type GatewayErrorCode, type ProtocolId } from "../../src/unified/index.js";
import { fixturesDirectory, listFixtures, readJsonFixture, type FixtureFile } from "./fixtures.js";
import { isRecordedObject, numberAt, objectAt, stringAt } from "./parse-recording-payloads.js";

/**
 * Every JSON body a protocol's fixtures hold, labelled: the `.request.json` / `.response.json` files plus the
 * request/response pairs inside nock recordings. Cassettes (`.cassette.yaml`) are not read: each one's bodies were
 * extracted verbatim into the `.request.json` / `.response.json` / `.response.sse` files beside it, and what only the
 * cassette adds (headers, status lines) concerns upstream classification, not codecs. Issue excerpts are used by
 * the stream tests where they apply.
 */
export interface FixtureBody {
  label: string;
  /** Scenario stem shared by a request and its response (`parallel-tool-use-roundtrip.t1`, `sdk-toolrunner#3`). */
  scenario: string;
  body: unknown;
  /** HTTP status when known (from an error file's name or body). */
  status?: number;
}

/**
 * Recorded requests that are structurally wrong on purpose (the provider answered 400 for their shape): decoders
 * must refuse them as invalid_request naming this path, as the provider did; they cannot be translated.
 */
const structurallyInvalidRequests: Partial<Record<ProtocolId, Record<string, string>>> = {
  // `messages: ["Invalid content"]`: Anthropic said "messages.0: Input does not match the expected shape."
  "anthropic-messages": { "error-400-invalid-request.request.json": "messages[0]" },
};

/** The path a structurally wrong recorded request must be refused at, or undefined for a valid one. */
export function structurallyInvalidRequestPath(protocol: ProtocolId, label: string): string | undefined {
  return structurallyInvalidRequests[protocol]?.[label];
}

const requestBodiesByProtocol = new Map<ProtocolId, FixtureBody[]>();

/** Request bodies of one protocol (read once). */
export function listRequestBodies(protocol: ProtocolId): FixtureBody[] {
  const cached = requestBodiesByProtocol.get(protocol);
  if (cached !== undefined) return cached;
  const bodies = [
    ...listFixtures(protocol)
      .filter((file) => file.kind === "request")
      .map((file) => ({ label: file.name, scenario: file.scenario, body: readJsonFixture(file) })),
    ...listNockPairs(protocol).map((pair) => ({ label: `${pair.label} request`, scenario: pair.scenario, body: pair.request })),
  ];
  requestBodiesByProtocol.set(protocol, bodies);
  return bodies;
}

/** Response bodies of one protocol, successful and error ones told apart by their content. */
export function listResponseBodies(protocol: ProtocolId): { ok: FixtureBody[]; errors: FixtureBody[] } {
  const all: FixtureBody[] = [
    ...listFixtures(protocol)
      .filter((file) => file.kind === "response" || file.kind === "error-response")
      .map((file) => withStatus(file, readJsonFixture(file))),
    ...listNockPairs(protocol).map((pair) => ({ label: `${pair.label} response`, scenario: pair.scenario, body: pair.response, status: pair.status })),
  ];
  return { ok: all.filter((entry) => !isErrorBody(entry.body)), errors: all.filter((entry) => isErrorBody(entry.body)) };
}

/** The decoded sibling request of a response or stream, when the fixtures hold one. */
export function findRequestBody(protocol: ProtocolId, scenario: string): unknown {
  return listRequestBodies(protocol).find((entry) => entry.scenario === scenario)?.body;
}

/** An error body: a top-level `error` object and none of the success shapes. */
export function isErrorBody(body: unknown): boolean {
  if (!isRecordedObject(body) || !isRecordedObject(body["error"])) return false;
  return !("choices" in body || "candidates" in body || "content" in body || "output" in body);
}

/** The GatewayError a gateway would hold for a recorded provider error (code from status and provider kind). */
export function gatewayErrorForFixture(entry: FixtureBody): GatewayError {
  const inner = objectAt(entry.body, "error");
  const status = entry.status ?? numberAt(inner, "code") ?? (stringAt(inner, "type") === "insufficient_quota" ? 429 : 500);
  const kind = `${stringAt(inner, "type") ?? ""} ${stringAt(inner, "code") ?? ""} ${stringAt(inner, "status") ?? ""}`;
  const byStatus: Record<number, GatewayErrorCode> = { 400: "invalid_request", 401: "authentication", 403: "permission", 404: "not_found", 429: "rate_limited", 529: "overloaded", 503: "overloaded" };
  let code: GatewayErrorCode = byStatus[status] ?? "upstream_server";
  if (status === 429 && kind.includes("insufficient_quota")) code = "quota_exhausted";
  return new GatewayError(code, stringAt(inner, "message") ?? "error", { httpStatus: status });
}

function withStatus(file: FixtureFile, body: unknown): FixtureBody {
  const match = /^(?:compat-[a-z]+-)?error-(\d{3})/.exec(file.scenario);
  return { label: file.name, scenario: file.scenario, body, ...(match?.[1] === undefined ? {} : { status: Number(match[1]) }) };
}

interface NockPair {
  label: string;
  scenario: string;
  request: unknown;
  response: unknown;
  status?: number;
}

function listNockPairs(protocol: ProtocolId): NockPair[] {
  return listFixtures(protocol)
    .filter((file) => file.kind === "nock")
    .flatMap((file) => {
      const path = join(fixturesDirectory, protocol, file.name);
      if (!existsSync(path)) return [];
      const recording = JSON.parse(readFileSync(path, "utf8")) as unknown;
      if (!Array.isArray(recording)) return [];
      return recording.filter(isRecordedObject).map((interaction, index) => ({
        label: `${file.name}#${index + 1}`,
        scenario: `${file.scenario}#${index + 1}`,
        request: interaction["body"],
        response: interaction["response"],
        ...(typeof interaction["status"] === "number" ? { status: interaction["status"] } : {}),
      }));
    });
}
