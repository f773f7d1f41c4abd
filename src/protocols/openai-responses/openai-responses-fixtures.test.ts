import { describe, expect, it } from "vitest";
import { fixturesAvailable, listFixtures, readJsonFixture, readStreamFixture } from "../../../test/support/fixtures.js";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, GatewayError, type OutputPart, type SseMessage, type StreamEvent } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/**
 * Conformance over every recorded Responses fixture in ../shared/fixtures/openai-responses:
 * requests and responses re-encode to equal JSON; streams decode to well-formed events whose content equals what
 * the recording's items say, and survive our own encoder → SSE text → decoder.
 *
 * Normalizations: none for request and response bodies. One for streams: `reasoning-summary-encrypted-multistep`
 * is a vercel/ai log of four HTTP responses of a tool loop concatenated in one file (each with its own
 * response.created … response.completed), so it is split at each `response.created` and each part is checked as
 * the stream it was.
 */

const fixtures = listFixtures("openai-responses");

/** What a stream says, reduced to comparable content. */
interface StreamContent {
  parts: unknown[];
  usage?: unknown;
  finish?: { unified: string; raw: string | null };
  errorCode?: string;
}

function summarizeParts(parts: OutputPart[]): unknown[] {
  return parts.map((part) => {
    switch (part.type) {
      case "text":
        return { kind: "text", text: part.text, citations: (part.citations ?? []).map((citation) => citation.url) };
      case "refusal":
        return { kind: "refusal", text: part.text };
      case "reasoning":
        return { kind: "reasoning", text: part.text, summary: part.summary ?? [], encrypted: part.encryptedContent, signature: part.signature };
      case "tool-call":
        return { kind: "tool-call", id: part.id, name: part.name, arguments: part.arguments, callKind: part.kind };
      case "native":
        return { kind: "native", value: part.value };
      case "image":
        return { kind: "image" };
      default: {
        const unreachable: never = part;
        return unreachable;
      }
    }
  });
}

/** Rebuilds output parts from unified events (the reassembly a client-facing encoder would do). */
function reassemble(events: StreamEvent[]): StreamContent {
  const parts = new Map<number, OutputPart>();
  const content: StreamContent = { parts: [] };
  for (const event of events) {
    switch (event.type) {
      case "text-start":
        parts.set(event.index, { type: "text", text: "" });
        break;
      case "text-delta": {
        const part = parts.get(event.index);
        if (part?.type === "text") part.text += event.text;
        break;
      }
      case "text-end": {
        const part = parts.get(event.index);
        if (part?.type === "text" && event.citations !== undefined) part.citations = event.citations;
        break;
      }
      case "reasoning-start":
        parts.set(event.index, { type: "reasoning", text: "", summary: [] });
        break;
      case "reasoning-delta": {
        const part = parts.get(event.index);
        if (part?.type !== "reasoning") break;
        if (event.summaryIndex === undefined) part.text += event.text;
        else {
          const summary = part.summary ?? [];
          while (summary.length <= event.summaryIndex) summary.push("");
          summary[event.summaryIndex] += event.text;
          part.summary = summary;
        }
        break;
      }
      case "reasoning-signature": {
        const part = parts.get(event.index);
        if (part?.type === "reasoning") part.signature = event.signature;
        break;
      }
      case "reasoning-end": {
        const part = parts.get(event.index);
        if (part?.type !== "reasoning") break;
        if (event.encryptedContent !== undefined) part.encryptedContent = event.encryptedContent;
        if (event.summary !== undefined) expect(event.summary).toEqual(part.summary);
        break;
      }
      case "tool-call-start":
        parts.set(event.index, { type: "tool-call", id: event.id, name: event.name, arguments: "", kind: event.kind });
        break;
      case "tool-call-delta": {
        const part = parts.get(event.index);
        if (part?.type === "tool-call") part.arguments += event.argumentsDelta;
        break;
      }
      case "native-item":
        parts.set(event.index, event.part);
        break;
      case "usage":
        content.usage = event.usage;
        break;
      case "finish":
        content.finish = { unified: event.finishReason.unified, raw: event.finishReason.raw };
        if (event.usage !== undefined) content.usage = event.usage;
        break;
      case "error":
        content.errorCode = event.error.code;
        break;
      case "start":
      case "tool-call-end":
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unexpected ${JSON.stringify(unreachable)}`);
      }
    }
  }
  content.parts = summarizeParts([...parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part));
  return content;
}

/** The gateway code each error code seen in the recordings must become. */
const gatewayCodeOfRecordedError: Record<string, string> = { insufficient_quota: "quota_exhausted" };

/** What the recording itself says: the items of its output_item.done events and its terminal event. */
function recordedContent(messages: SseMessage[]): StreamContent {
  const doneItems: unknown[] = [];
  let terminal: Record<string, unknown> | undefined;
  let errorCode: string | undefined;
  for (const message of messages) {
    const data = JSON.parse(message.data) as Record<string, unknown>;
    if (data["type"] === "response.output_item.done") doneItems.push(data["item"]);
    if (data["type"] === "response.completed" || data["type"] === "response.incomplete") terminal = data["response"] as Record<string, unknown>;
    if ((data["type"] === "error" || data["type"] === "response.failed") && errorCode === undefined) {
      const error = (data["type"] === "error" ? data["error"] : (data["response"] as Record<string, unknown>)["error"]) as Record<string, unknown>;
      errorCode = gatewayCodeOfRecordedError[String(error["code"])] ?? "upstream_server";
    }
  }
  if (terminal === undefined) return { parts: [], errorCode: errorCode ?? "none" };
  const decoded = codec.decodeResponse({ ...terminal, output: doneItems }).value;
  const content: StreamContent = { parts: summarizeParts(decoded.output), finish: { unified: decoded.finishReason.unified, raw: decoded.finishReason.raw } };
  if (decoded.usage !== undefined) content.usage = decoded.usage;
  return content;
}

function decodeAll(messages: SseMessage[]): StreamEvent[] {
  const decoder = codec.createStreamDecoder();
  const events = messages.flatMap((message) => decoder.push(message));
  return [...events, ...decoder.end()];
}

/** Splits a log of several concatenated responses at each `response.created`. */
function splitResponses(messages: SseMessage[]): SseMessage[][] {
  const segments: SseMessage[][] = [];
  for (const message of messages) {
    if (message.data.includes('"type":"response.created"') || segments.length === 0) segments.push([]);
    segments[segments.length - 1]?.push(message);
  }
  return segments;
}

const gatewayCodeOfErrorBody: Record<string, string> = {
  "error-400-invalid-temperature.response.json": "invalid_request",
  "error-400-reasoning-item-orphaned.response.json": "invalid_request",
  "error-401-invalid-api-key.response.json": "authentication",
  "error-insufficient-quota.response.json": "quota_exhausted",
};

describe.skipIf(!fixturesAvailable)("openai-responses recorded fixtures", () => {
  it("has fixtures of every kind", () => {
    expect(fixtures.filter((file) => file.kind === "request").length).toBeGreaterThan(5);
    expect(fixtures.filter((file) => file.kind === "response").length).toBeGreaterThan(5);
    expect(fixtures.filter((file) => file.kind === "stream").length).toBeGreaterThan(3);
  });

  for (const file of fixtures.filter((entry) => entry.kind === "request")) {
    it(`request ${file.name} re-encodes exactly`, () => {
      const body = readJsonFixture(file);
      const decoded = codec.decodeRequest(body).value;
      expect(decoded.sourceProtocol).toBe("openai-responses");
      expect(codec.encodeRequest(decoded).value).toEqual(body);
    });
  }

  for (const file of fixtures.filter((entry) => entry.kind === "response")) {
    it(`response ${file.name} re-encodes exactly`, () => {
      const body = readJsonFixture(file);
      expect(codec.encodeResponse(codec.decodeResponse(body).value).value).toEqual(body);
    });
  }

  for (const file of fixtures.filter((entry) => entry.kind === "error-response")) {
    it(`error body ${file.name} is refused by decodeResponse as a GatewayError and re-encodable`, () => {
      const body = readJsonFixture(file) as { error: { type: string; code: string | null; message: string } };
      let thrown: unknown;
      try {
        codec.decodeResponse(body);
      } catch (error) {
        thrown = error;
      }
      expect(GatewayError.isInstance(thrown)).toBe(true);
      const error = thrown as GatewayError;
      expect(error.message).toBe(body.error.message);
      expect(error.code).toBe(gatewayCodeOfErrorBody[file.name]);
      const encoded = codec.encodeError(error).body as { error: Record<string, unknown> };
      expect(Object.keys(encoded.error).sort()).toEqual(["code", "message", "param", "type"]);
      expect(encoded.error["message"]).toBe(body.error.message);
    });
  }

  for (const file of fixtures.filter((entry) => entry.kind === "stream")) {
    const segments = splitResponses(readStreamFixture(file));
    segments.forEach((messages, segment) => {
      const label = segments.length > 1 ? `${file.name} (response ${segment + 1} of ${segments.length})` : file.name;

      it(`stream ${label} decodes to the recorded content`, () => {
        const events = decodeAll(messages);
        assertWellFormedStream(events);
        expect(reassemble(events)).toEqual(recordedContent(messages));
      });

      it(`stream ${label} survives our encoder and decoder`, () => {
        const events = decodeAll(messages);
        const encoder = codec.createStreamEncoder({ now: () => 1_700_000_000_000 });
        const sse = events.map((event) => encoder.push(event)).join("") + encoder.end();
        const reparsed = parseSseText(sse);
        reparsed.forEach((message, index) => {
          const data = JSON.parse(message.data) as { type: string; sequence_number: number };
          expect(message.event).toBe(data.type);
          expect(data.sequence_number).toBe(index);
        });
        const again = decodeAll(reparsed);
        assertWellFormedStream(again);
        expect(reassemble(again)).toEqual(reassemble(events));
      });
    });
  }
});
