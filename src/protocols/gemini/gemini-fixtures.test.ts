import { describe, expect, it } from "vitest";
import {
  fixturesAvailable,
  listFixtures,
  readJsonFixture,
  readStreamFixture,
  type FixtureFile,
} from "../../../test/support/fixtures.js";
import { parseSseText } from "../../streaming/index.js";
import { GatewayError, assertWellFormedStream, type SseMessage, type StreamEvent } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

const files = listFixtures("gemini");
const requests = files.filter((file) => file.kind === "request");
const responses = files.filter((file) => file.kind === "response");
const errorResponses = files.filter((file) => file.kind === "error-response");
const streams = files.filter((file) => file.kind === "stream");

/** What a stream says, block by block, once reassembled (ids included, so two decodings can be compared). */
interface Reassembled {
  blocks: Array<
    | { kind: "text"; text: string }
    | { kind: "reasoning"; text: string; signatures: string[] }
    | { kind: "tool-call"; id: string; name: string; arguments: unknown; signature?: string }
    | { kind: "native"; value: unknown }
  >;
  usage?: { inputTokens: number; cacheReadTokens: number; outputTokens: number; reasoningTokens: number; totalTokens: number };
  finish?: { unified: string; raw: string | null };
  error?: string;
}

function decodeStream(messages: readonly SseMessage[]): StreamEvent[] {
  const decoder = geminiCodec.createStreamDecoder();
  const events = messages.flatMap((message) => decoder.push(message));
  events.push(...decoder.end());
  assertWellFormedStream(events);
  return events;
}

function reassemble(events: readonly StreamEvent[]): Reassembled {
  const out: Reassembled = { blocks: [] };
  const byIndex = new Map<number, Reassembled["blocks"][number]>();
  const argumentText = new Map<number, string>();
  for (const event of events) {
    switch (event.type) {
      case "text-start":
        byIndex.set(event.index, { kind: "text", text: "" });
        break;
      case "reasoning-start":
        byIndex.set(event.index, { kind: "reasoning", text: "", signatures: [] });
        break;
      case "tool-call-start": {
        const block: Reassembled["blocks"][number] = { kind: "tool-call", id: event.id, name: event.name, arguments: undefined };
        if (event.signature !== undefined) block.signature = event.signature;
        byIndex.set(event.index, block);
        argumentText.set(event.index, "");
        break;
      }
      case "text-delta": {
        const block = byIndex.get(event.index);
        if (block?.kind === "text") block.text += event.text;
        break;
      }
      case "reasoning-delta": {
        const block = byIndex.get(event.index);
        if (block?.kind === "reasoning") block.text += event.text;
        break;
      }
      case "reasoning-signature": {
        const block = byIndex.get(event.index);
        if (block?.kind === "reasoning") block.signatures.push(event.signature);
        break;
      }
      case "tool-call-delta":
        argumentText.set(event.index, (argumentText.get(event.index) ?? "") + event.argumentsDelta);
        break;
      case "text-end":
      case "reasoning-end":
      case "tool-call-end": {
        const block = byIndex.get(event.index);
        if (block === undefined) break;
        if (block.kind === "tool-call") block.arguments = JSON.parse(argumentText.get(event.index) ?? "") as unknown;
        out.blocks.push(block);
        break;
      }
      case "native-item":
        out.blocks.push({ kind: "native", value: event.part.value });
        break;
      case "finish":
        out.finish = { unified: event.finishReason.unified, raw: event.finishReason.raw };
        if (event.usage !== undefined) {
          const { inputTokens, cacheReadTokens, outputTokens, reasoningTokens, totalTokens } = event.usage;
          out.usage = { inputTokens, cacheReadTokens, outputTokens, reasoningTokens, totalTokens };
        }
        break;
      case "error":
        out.error = event.error.code;
        break;
      case "start":
      case "usage":
        break;
      default: {
        const unreachable: never = event;
        throw new Error(String(unreachable));
      }
    }
  }
  return out;
}

type Json = Record<string, unknown>;

/** What the recording says, read straight from the chunks (independent of the decoder). */
function readRecording(messages: readonly SseMessage[]) {
  let text = "";
  let reasoning = "";
  const signatures: string[] = [];
  const calls: Array<{ name: string; args: Json; signature?: string }> = [];
  let usage: Json | undefined;
  let finishRaw: string | undefined;
  for (const message of messages) {
    const chunk = JSON.parse(message.data) as Json;
    const candidate = (chunk["candidates"] as Json[] | undefined)?.[0];
    const parts = ((candidate?.["content"] as Json | undefined)?.["parts"] as Json[] | undefined) ?? [];
    for (const part of parts) {
      if (typeof part["text"] === "string") {
        if (part["thought"] === true) reasoning += part["text"];
        else text += part["text"];
        if (typeof part["thoughtSignature"] === "string") signatures.push(part["thoughtSignature"]);
      }
      const call = part["functionCall"] as Json | undefined;
      if (call === undefined) continue;
      if (typeof call["name"] === "string") {
        const entry: { name: string; args: Json; signature?: string } = { name: call["name"], args: (call["args"] as Json | undefined) ?? {} };
        if (typeof part["thoughtSignature"] === "string") entry.signature = part["thoughtSignature"];
        calls.push(entry);
      }
      for (const piece of (call["partialArgs"] as Json[] | undefined) ?? []) {
        const key = String(piece["jsonPath"]).replace(/^\$\./, "");
        const last = calls[calls.length - 1];
        if (last !== undefined) last.args[key] = String(last.args[key] ?? "") + String(piece["stringValue"] ?? "");
      }
    }
    const metadata = chunk["usageMetadata"] as Json | undefined;
    if (metadata?.["promptTokenCount"] !== undefined) usage = metadata;
    if (typeof candidate?.["finishReason"] === "string") finishRaw = candidate["finishReason"];
  }
  return { text, reasoning, signatures, calls, usage, finishRaw };
}

const n = (value: unknown): number => (typeof value === "number" ? value : 0);

describe.skipIf(!fixturesAvailable)("gemini recorded fixtures", () => {
  it("finds the gemini fixtures", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(responses.length).toBeGreaterThan(0);
    expect(streams.length).toBeGreaterThan(0);
  });

  // Exact wire fixpoint: no normalization is needed (snake_case keys, empty generationConfig, content without
  // parts or role, missing finish reasons and ids all round-trip through markers).
  it.each(requests.map((file) => [file.name, file] as const))("request %s re-encodes to itself", (_name, file: FixtureFile) => {
    const body = readJsonFixture(file);
    const decoded = geminiCodec.decodeRequest(body);
    expect(decoded.value.sourceProtocol).toBe("gemini");
    expect(decoded.value.model).toBe("");
    const encoded = geminiCodec.encodeRequest(decoded.value);
    expect(encoded.value).toStrictEqual(body);
    expect(encoded.warnings).toStrictEqual([]);
  });

  it.each(responses.map((file) => [file.name, file] as const))("response %s re-encodes to itself", (_name, file: FixtureFile) => {
    const body = readJsonFixture(file);
    const decoded = geminiCodec.decodeResponse(body);
    const encoded = geminiCodec.encodeResponse(decoded.value);
    expect(encoded.value).toStrictEqual(body);
  });

  it.each(errorResponses.map((file) => [file.name, file] as const))("error %s decodes to a GatewayError and encodes back", (_name, file: FixtureFile) => {
    const body = readJsonFixture(file) as { error: { code: number; message: string; status: string } };
    let thrown: unknown;
    try {
      geminiCodec.decodeResponse(body);
    } catch (error) {
      thrown = error;
    }
    expect(GatewayError.isInstance(thrown)).toBe(true);
    const error = thrown as GatewayError;
    expect(error.upstreamStatus).toBe(body.error.code);
    const encoded = geminiCodec.encodeError(error);
    expect(encoded.status).toBe(body.error.code);
    expect(encoded.body).toStrictEqual(body);
  });

  it.each(streams.map((file) => [file.name, file] as const))("stream %s decodes to the recorded content", (_name, file: FixtureFile) => {
    const messages = readStreamFixture(file);
    const events = decodeStream(messages);
    const got = reassemble(events);
    const recording = readRecording(messages);

    expect(got.error).toBeUndefined();
    const texts = got.blocks.flatMap((block) => (block.kind === "text" ? [block.text] : []));
    expect(texts.join("")).toBe(recording.text);
    const reasoning = got.blocks.flatMap((block) => (block.kind === "reasoning" ? [block] : []));
    expect(reasoning.map((block) => block.text).join("")).toBe(recording.reasoning);
    expect(reasoning.flatMap((block) => block.signatures)).toStrictEqual(recording.signatures);
    const calls = got.blocks.flatMap((block) => (block.kind === "tool-call" ? [block] : []));
    expect(calls.map(({ name, arguments: args, signature }) => (signature === undefined ? { name, args } : { name, args, signature }))).toStrictEqual(recording.calls);
    expect(new Set(calls.map((call) => call.id)).size).toBe(calls.length);

    const usage = recording.usage ?? {};
    const cached = n(usage["cachedContentTokenCount"]);
    expect(got.usage).toStrictEqual({
      inputTokens: n(usage["promptTokenCount"]) - cached + n(usage["toolUsePromptTokenCount"]),
      cacheReadTokens: cached,
      outputTokens: n(usage["candidatesTokenCount"]) + n(usage["thoughtsTokenCount"]),
      reasoningTokens: n(usage["thoughtsTokenCount"]),
      totalTokens: n(usage["totalTokenCount"]),
    });
    expect(got.finish?.raw).toBe(recording.finishRaw);
    expect(got.finish?.unified).toBe(recording.calls.length > 0 ? "tool_calls" : "stop");
  });

  it.each(streams.map((file) => [file.name, file] as const))("stream %s survives our own encoder", (_name, file: FixtureFile) => {
    const events = decodeStream(readStreamFixture(file));
    const encoder = geminiCodec.createStreamEncoder();
    const text = events.map((event) => encoder.push(event)).join("") + encoder.end();
    const again = decodeStream(parseSseText(text));
    expect(reassemble(again)).toStrictEqual(reassemble(events));
    expect(again[0]).toStrictEqual(events[0]);
  });
});

describe.skipIf(fixturesAvailable)("gemini recorded fixtures (absent)", () => {
  it("skips: ../shared/fixtures is not present", () => {
    expect(fixturesAvailable).toBe(false);
  });
});
