import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  fixturesAvailable,
  listFixtures,
  readJsonFixture,
  readStreamFixture,
  readTextFixture,
  type FixtureFile,
} from "../../../test/support/fixtures.js";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, GatewayError, type SseMessage, type StreamEvent } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

const fixtures = listFixtures("anthropic-messages");
const ofKind = (kind: FixtureFile["kind"]): FixtureFile[] => fixtures.filter((file) => file.kind === kind);

/** Content of a stream, block by block, as the wire recording states it or as unified events rebuild it. */
interface ReassembledStream {
  blocks: Record<number, { kind: string; text?: string; signature?: string; redacted?: string; id?: string; name?: string; arguments?: string; citations?: number }>;
  usage?: { input: number; cacheRead: number; cacheWrite: number; output: number };
  stopReason?: string | null;
  errorCode?: string;
}

/** The fields of Anthropic stream events the reference reader looks at (the recordings are trusted here). */
interface WireEvent {
  type: string;
  index: number;
  message: { usage: Record<string, unknown> };
  usage?: Record<string, unknown>;
  delta: { type: string; stop_reason: string | null; text: string; thinking: string; signature: string; partial_json: string };
  content_block: { type: string; text: string; thinking: string; signature: string; data: string; id: string; name: string };
  error: { type: string };
}

/** Reference reading of the raw Anthropic events, independent of the codec. */
function reassembleWire(messages: readonly SseMessage[]): ReassembledStream {
  const result: ReassembledStream = { blocks: {} };
  let usage: Record<string, unknown> = {};
  const json: Record<number, string> = {};
  for (const message of messages) {
    const event = JSON.parse(message.data) as WireEvent;
    if (event.type === "message_start") usage = { ...event.message.usage };
    if (event.type === "message_delta") {
      for (const [key, value] of Object.entries(event.usage ?? {})) if (value !== null) usage[key] = value;
      result.stopReason = event.delta.stop_reason;
    }
    if (event.type === "content_block_start") {
      const block = event.content_block;
      const kinds: Record<string, string> = { text: "text", thinking: "reasoning", redacted_thinking: "reasoning", tool_use: "tool-call" };
      result.blocks[event.index] = { kind: kinds[block.type] ?? `native:${block.type}` };
      const out = result.blocks[event.index]!;
      if (block.type === "text") out.text = block.text;
      if (block.type === "thinking") Object.assign(out, { text: block.thinking, signature: block.signature });
      if (block.type === "redacted_thinking") Object.assign(out, { text: "", redacted: block.data });
      if (block.type === "tool_use") Object.assign(out, { id: block.id, name: block.name, arguments: "" });
      json[event.index] = "";
    }
    if (event.type === "content_block_delta") {
      const out = result.blocks[event.index]!;
      const delta = event.delta;
      if (delta.type === "text_delta") out.text += delta.text;
      if (delta.type === "thinking_delta") out.text += delta.thinking;
      if (delta.type === "signature_delta") out.signature = delta.signature;
      if (delta.type === "input_json_delta") json[event.index] += delta.partial_json;
      if (delta.type === "citations_delta") out.citations = (out.citations ?? 0) + 1;
    }
    if (event.type === "content_block_stop") {
      const out = result.blocks[event.index]!;
      if (out.kind === "tool-call") out.arguments = JSON.stringify(JSON.parse(json[event.index] || "{}"));
    }
    if (event.type === "error") result.errorCode = event.error.type;
  }
  result.usage = {
    input: Number(usage["input_tokens"] ?? 0),
    cacheRead: Number(usage["cache_read_input_tokens"] ?? 0),
    cacheWrite: Number(usage["cache_creation_input_tokens"] ?? 0),
    output: Number(usage["output_tokens"] ?? 0),
  };
  return result;
}

/** The same content rebuilt from unified events. */
function reassembleUnified(events: readonly StreamEvent[]): ReassembledStream {
  const result: ReassembledStream = { blocks: {} };
  for (const event of events) {
    switch (event.type) {
      case "text-start":
        result.blocks[event.index] = { kind: "text", text: "" };
        break;
      case "text-delta":
        result.blocks[event.index]!.text += event.text;
        break;
      case "text-end":
        if (event.citations !== undefined) result.blocks[event.index]!.citations = event.citations.length;
        break;
      case "reasoning-start":
        result.blocks[event.index] = { kind: "reasoning", text: "", ...(event.redactedData === undefined ? { signature: "" } : { redacted: event.redactedData }) };
        break;
      case "reasoning-delta":
        result.blocks[event.index]!.text += event.text;
        break;
      case "reasoning-signature":
        result.blocks[event.index]!.signature = event.signature;
        break;
      case "tool-call-start":
        result.blocks[event.index] = { kind: "tool-call", id: event.id, name: event.name, arguments: "" };
        break;
      case "tool-call-delta":
        result.blocks[event.index]!.arguments += event.argumentsDelta;
        break;
      case "tool-call-end": {
        const block = result.blocks[event.index]!;
        block.arguments = JSON.stringify(JSON.parse(block.arguments ?? ""));
        break;
      }
      case "native-item":
        result.blocks[event.index] = { kind: `native:${String((event.part.value as { type: unknown }).type)}` };
        break;
      case "finish":
        result.stopReason = event.finishReason.raw;
        if (event.usage !== undefined) {
          const usage = event.usage;
          result.usage = { input: usage.inputTokens, cacheRead: usage.cacheReadTokens, cacheWrite: usage.cacheWriteTokens, output: usage.outputTokens };
        }
        break;
      case "error":
        result.errorCode = event.error.code;
        break;
      default:
        break;
    }
  }
  return result;
}

function decodeAll(messages: readonly SseMessage[]): StreamEvent[] {
  const decoder = anthropicMessagesCodec.createStreamDecoder();
  const events = messages.flatMap((message) => decoder.push(message));
  events.push(...decoder.end());
  assertWellFormedStream(events);
  return events;
}

function encodeAll(events: readonly StreamEvent[]): string {
  const encoder = anthropicMessagesCodec.createStreamEncoder({ now: () => 0 });
  return events.map((event) => encoder.push(event)).join("") + encoder.end();
}

describe.skipIf(!fixturesAvailable)("anthropic-messages fixtures (../shared/fixtures)", () => {
  it("finds the Anthropic fixtures", () => {
    expect(ofKind("request").length).toBeGreaterThan(10);
    expect(ofKind("stream").length).toBeGreaterThan(5);
  });

  describe("requests: encodeRequest(decodeRequest(x)) deep-equals x", () => {
    for (const file of ofKind("request")) {
      // This recording is the body Anthropic answered with 400 ("messages.0: Input does not match the expected
      // shape"): a string where a message object belongs. Our decoder must reject it the same way.
      if (file.scenario === "error-400-invalid-request") {
        it(`${file.name} is rejected with the path of the bad message`, () => {
          let caught: unknown;
          try {
            anthropicMessagesCodec.decodeRequest(readJsonFixture(file));
          } catch (error) {
            caught = error;
          }
          expect(GatewayError.isInstance(caught)).toBe(true);
          expect((caught as GatewayError).code).toBe("invalid_request");
          expect((caught as GatewayError).path).toBe("messages[0]");
        });
        continue;
      }
      it(file.name, () => {
        const wire = readJsonFixture(file);
        const decoded = anthropicMessagesCodec.decodeRequest(wire);
        const encoded = anthropicMessagesCodec.encodeRequest(decoded.value);
        expect(encoded.value).toEqual(wire);
        expect(encoded.warnings).toEqual([]);
      });
    }
  });

  describe("responses: encodeResponse(decodeResponse(x)) deep-equals x", () => {
    for (const file of ofKind("response")) {
      it(file.name, () => {
        const wire = readJsonFixture(file);
        const decoded = anthropicMessagesCodec.decodeResponse(wire);
        const encoded = anthropicMessagesCodec.encodeResponse(decoded.value);
        expect(encoded.value).toEqual(wire);
        expect(encoded.warnings).toEqual([]);
      });
    }
  });

  describe("error responses decode to the matching code and re-encode in Anthropic's shape", () => {
    const expectedCodes: Record<string, { code: string; status: number }> = {
      "error-400-invalid-request": { code: "invalid_request", status: 400 },
      "error-400-unsupported-effort": { code: "invalid_request", status: 400 },
      "error-401-authentication": { code: "authentication", status: 401 },
    };
    for (const file of ofKind("error-response")) {
      it(file.name, () => {
        const wire = readJsonFixture(file) as { error: { type: string; message: string } };
        let caught: unknown;
        try {
          anthropicMessagesCodec.decodeResponse(wire);
        } catch (error) {
          caught = error;
        }
        expect(GatewayError.isInstance(caught)).toBe(true);
        const error = caught as GatewayError;
        expect({ code: error.code, status: error.httpStatus }).toEqual(expectedCodes[file.scenario]);
        expect(error.message).toBe(wire.error.message);
        const encoded = anthropicMessagesCodec.encodeError(error);
        expect(encoded.status).toBe(expectedCodes[file.scenario]?.status);
        // request_id is the gateway's own business, not the upstream's: the shape otherwise matches exactly.
        expect(encoded.body).toEqual({ type: "error", error: { type: wire.error.type, message: wire.error.message } });
      });
    }
  });

  describe("streams: decoded content equals the recording, and survives our own encoder", () => {
    for (const file of ofKind("stream")) {
      it(file.name, () => {
        const messages = readStreamFixture(file);
        const expected = reassembleWire(messages);
        const events = decodeAll(messages);
        expect(reassembleUnified(events)).toEqual(expected);

        const sse = encodeAll(events);
        const again = decodeAll(parseSseText(sse));
        expect(reassembleUnified(again)).toEqual(expected);
        // Every frame we write names its event, as Claude Code and the SDK expect.
        for (const frame of parseSseText(sse)) expect(frame.event).toBe((JSON.parse(frame.data) as { type: string }).type);
      });
    }
  });

  it("error-overloaded-sse-payload.issue-excerpt.json: the in-stream overloaded error becomes `overloaded`", () => {
    const file = fixtures.find((entry) => entry.kind === "issue-excerpt");
    expect(file).toBeDefined();
    const data = readTextFixture(file!).trim();
    const decoder = anthropicMessagesCodec.createStreamDecoder();
    const events = [...decoder.push({ event: "error", data }), ...decoder.end()];
    assertWellFormedStream(events);
    expect(events).toEqual([
      { type: "start" },
      { type: "error", error: { code: "overloaded", message: "Overloaded", httpStatus: 503, upstreamStatus: 529 } },
    ]);
    const encoder = anthropicMessagesCodec.createStreamEncoder();
    expect(events.map((event) => encoder.push(event)).join("") + encoder.end()).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });

  describe("sdk-toolrunner.nock.json: every recorded exchange round-trips", () => {
    const file = fixtures.find((entry) => entry.kind === "nock");
    const interactions = file === undefined ? [] : (JSON.parse(readFileSync(file.path, "utf8")) as Array<{ body: unknown; response: unknown; status: number }>);
    interactions.forEach((interaction, index) => {
      it(`exchange ${index}: request and response`, () => {
        const request = anthropicMessagesCodec.decodeRequest(interaction.body);
        expect(anthropicMessagesCodec.encodeRequest(request.value).value).toEqual(interaction.body);
        expect(interaction.status).toBe(200);
        const response = anthropicMessagesCodec.decodeResponse(interaction.response);
        expect(anthropicMessagesCodec.encodeResponse(response.value).value).toEqual(interaction.response);
      });
    });
  });
});

describe.runIf(!fixturesAvailable)("anthropic-messages fixtures", () => {
  it.skip("../shared/fixtures is absent: the recorded-fixture suite is skipped", () => {});
});
