import { describe, expect, it } from "vitest";
import { fixturesAvailable, listFixtures, readJsonFixture, readStreamFixture, type FixtureFile } from "../../../test/support/fixtures.js";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, GatewayError, type SseMessage, type StreamEvent, type UnifiedRequest, type Usage } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/**
 * Every recorded Chat fixture in ../shared/fixtures/openai-chat: requests and responses survive decode → encode as
 * equal parsed JSON (normalizations: none), error bodies decode to the right GatewayError and re-encode in the same
 * shape, and every stream decodes well formed with the content an independent reading of the chunks gives, then
 * survives this codec's own stream encoder → SSE text → decoder.
 */
const files = listFixtures("openai-chat");
const fixedClock = (): number => 1_750_000_000_000;

function isErrorBody(body: unknown): boolean {
  return typeof body === "object" && body !== null && "error" in body && !("choices" in body);
}

function siblingRequest(file: FixtureFile): UnifiedRequest | undefined {
  const request = files.find((candidate) => candidate.kind === "request" && candidate.scenario === file.scenario);
  return request === undefined ? undefined : openAiChatCodec.decodeRequest(readJsonFixture(request)).value;
}

describe.skipIf(!fixturesAvailable)("openai-chat recorded fixtures", () => {
  it("has fixtures to check", () => {
    expect(files.filter((file) => file.kind === "request").length).toBeGreaterThan(10);
  });

  for (const file of files.filter((candidate) => candidate.kind === "request")) {
    it(`request ${file.name}: decode → encode gives the same body`, () => {
      const body = readJsonFixture(file);
      const decoded = openAiChatCodec.decodeRequest(structuredClone(body));
      expect(decoded.value.sourceProtocol).toBe("openai-chat");
      expect(openAiChatCodec.encodeRequest(decoded.value).value).toEqual(body);
    });
  }

  for (const file of files.filter((candidate) => candidate.kind === "response" || candidate.kind === "error-response")) {
    const body = readJsonFixture(file);
    if (isErrorBody(body)) {
      it(`error ${file.name}: decodes to a GatewayError and re-encodes in OpenAI's error shape`, () => {
        let thrown: unknown;
        try {
          openAiChatCodec.decodeResponse(structuredClone(body));
        } catch (error) {
          thrown = error;
        }
        expect(GatewayError.isInstance(thrown)).toBe(true);
        const error = thrown as GatewayError;
        const inner = (body as { error: Record<string, unknown> }).error;
        expect(error.message).toBe(inner["message"]);
        const encoded = openAiChatCodec.encodeError(error);
        const encodedInner = (encoded.body as { error: Record<string, unknown> }).error;
        expect(Object.keys(encodedInner).sort()).toEqual(["code", "message", "param", "type"]);
        expect(encodedInner["message"]).toBe(inner["message"]);
      });
      continue;
    }
    it(`response ${file.name}: decode → encode gives the same body`, () => {
      const decoded = openAiChatCodec.decodeResponse(structuredClone(body));
      const request = siblingRequest(file);
      const encoded = openAiChatCodec.encodeResponse(decoded.value, { now: fixedClock, ...(request === undefined ? {} : { request }) });
      expect(encoded.value).toEqual(body);
    });
  }

  for (const file of files.filter((candidate) => candidate.kind === "stream")) {
    const messages = readStreamFixture(file);
    it(`stream ${file.name}: decodes well formed with the recorded content`, () => {
      const events = decodeAll(messages);
      assertWellFormedStream(events);
      expect(contentOfEvents(events)).toEqual(contentOfRecording(messages));
    });
    it(`stream ${file.name}: re-encodes and decodes back to the same content`, () => {
      const events = decodeAll(messages);
      const request = siblingRequest(file) ?? { model: "m", system: [], messages: [], generation: {}, stream: true, includeUsage: true };
      const encoder = openAiChatCodec.createStreamEncoder({ request, now: fixedClock });
      let text = "";
      for (const event of events) text += encoder.push(event);
      text += encoder.end();
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      const again = decodeAll(parseSseText(text));
      assertWellFormedStream(again);
      expect(contentOfEvents(again)).toEqual(contentOfEvents(events));
    });
  }
});

function decodeAll(messages: readonly SseMessage[]): StreamEvent[] {
  const decoder = openAiChatCodec.createStreamDecoder();
  const events: StreamEvent[] = [];
  for (const message of messages) events.push(...decoder.push(message));
  events.push(...decoder.end());
  return events;
}

interface Content {
  /** Text and reasoning per block, in order. */
  blocks: Array<{ kind: "text" | "reasoning"; text: string }>;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  usage?: Record<string, number>;
  ending: { unified: string; raw: string | null } | { error: string } | null;
}

function contentOfEvents(events: readonly StreamEvent[]): Content {
  const content: Content = { blocks: [], toolCalls: [], ending: null };
  const blocks = new Map<number, { kind: "text" | "reasoning"; text: string }>();
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const event of events) {
    switch (event.type) {
      case "text-start":
      case "reasoning-start": {
        const block = { kind: event.type === "text-start" ? ("text" as const) : ("reasoning" as const), text: "" };
        blocks.set(event.index, block);
        content.blocks.push(block);
        break;
      }
      case "text-delta":
      case "reasoning-delta": {
        const block = blocks.get(event.index);
        if (block !== undefined) block.text += event.text;
        break;
      }
      case "tool-call-start": {
        const call = { id: event.id, name: event.name, arguments: "" };
        calls.set(event.index, call);
        content.toolCalls.push(call);
        break;
      }
      case "tool-call-delta": {
        const call = calls.get(event.index);
        if (call !== undefined) call.arguments += event.argumentsDelta;
        break;
      }
      case "usage":
        content.usage = withoutRaw(event.usage);
        break;
      case "finish":
        if (event.usage !== undefined) content.usage = withoutRaw(event.usage);
        content.ending = { unified: event.finishReason.unified, raw: event.finishReason.raw };
        break;
      case "error":
        content.ending = { error: event.error.code };
        break;
      default:
        break;
    }
  }
  return content;
}

function withoutRaw(usage: Usage): Record<string, number> {
  const { raw: _raw, ...counts } = usage;
  return counts;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asNumber = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** An independent reading of the recorded chunks (no codec code involved). */
function contentOfRecording(messages: readonly SseMessage[]): Content {
  const content: Content = { blocks: [], toolCalls: [], ending: null };
  const callAtIndex = new Map<number, { id: string; name: string; arguments: string }>();
  let finishReason: string | undefined;
  const append = (kind: "text" | "reasoning", text: string | undefined): void => {
    if (text === undefined || text === "") return;
    const last = content.blocks[content.blocks.length - 1];
    if (last !== undefined && last.kind === kind) last.text += text;
    else content.blocks.push({ kind, text });
  };
  for (const message of messages) {
    if (message.data.trim() === "[DONE]") continue;
    const chunk = asObject(JSON.parse(message.data));
    if (typeof chunk["usage"] === "object" && chunk["usage"] !== null) {
      const usage = asObject(chunk["usage"]);
      const prompt = asNumber(usage["prompt_tokens"]) ?? 0;
      // OpenAI counts cached tokens inside prompt_tokens; DeepSeek reports hit/miss.
      const cached = asNumber(asObject(usage["prompt_tokens_details"])["cached_tokens"]) ?? asNumber(usage["prompt_cache_hit_tokens"]) ?? 0;
      content.usage = {
        inputTokens: prompt - cached,
        cacheReadTokens: cached,
        cacheWriteTokens: 0,
        outputTokens: asNumber(usage["completion_tokens"]) ?? 0,
        reasoningTokens: asNumber(asObject(usage["completion_tokens_details"])["reasoning_tokens"]) ?? 0,
        totalTokens: asNumber(usage["total_tokens"]) ?? 0,
      };
    }
    for (const choiceValue of asArray(chunk["choices"])) {
      const choice = asObject(choiceValue);
      const delta = asObject(choice["delta"]);
      append("reasoning", asString(delta["reasoning_content"]));
      append("text", asString(delta["content"]));
      for (const callValue of asArray(delta["tool_calls"])) {
        const call = asObject(callValue);
        const index = asNumber(call["index"]) ?? 0;
        const id = asString(call["id"]);
        let current = callAtIndex.get(index);
        if (current === undefined || (id !== undefined && id !== current.id)) {
          current = { id: id ?? "", name: "", arguments: "" };
          callAtIndex.set(index, current);
          content.toolCalls.push(current);
        }
        const fn = asObject(call["function"]);
        current.name += asString(fn["name"]) ?? "";
        current.arguments += asString(fn["arguments"]) ?? "";
      }
      finishReason = asString(choice["finish_reason"]) ?? finishReason;
    }
  }
  if (finishReason !== undefined) {
    const unified = finishReason === "tool_calls" ? "tool_calls" : finishReason === "length" ? "length" : finishReason === "stop" ? "stop" : "other";
    content.ending = { unified, raw: finishReason };
  }
  return content;
}
