import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, type SseMessage, type StreamEvent, type UnifiedRequest, type UnifiedResponse } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

/**
 * Unsigned reasoning of another origin (DeepSeek / Kimi `reasoning_content` behind a Chat upstream) crosses an
 * Anthropic client with the bare origin tag as its thinking signature (`swy1.openai-chat.`), never a fabricated
 * signature, so that the next turn knows it is Chat's (reasoning-signature.ts).
 */

const clientRequest: UnifiedRequest = {
  model: "claude-opus-4-8",
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "Read it" }] }],
  generation: {},
  stream: true,
  sourceProtocol: "anthropic-messages",
};

type Frame = Record<string, unknown>;

function encodeStream(events: readonly StreamEvent[], request: UnifiedRequest | undefined = clientRequest): { frames: Frame[]; warnings: string[] } {
  const encoder = anthropicMessagesCodec.createStreamEncoder({ now: () => 1_700_000_000_000, ...(request === undefined ? {} : { request }) });
  const text = events.map((event) => encoder.push(event)).join("") + encoder.end();
  return { frames: parseSseText(text).map((message) => JSON.parse(message.data) as Frame), warnings: encoder.warnings.map((warning) => warning.code) };
}

function decodeStream(frames: readonly Frame[]): StreamEvent[] {
  const decoder = anthropicMessagesCodec.createStreamDecoder();
  const messages: SseMessage[] = frames.map((frame) => ({ event: String(frame["type"]), data: JSON.stringify(frame) }));
  const events = [...messages.flatMap((message) => decoder.push(message)), ...decoder.end()];
  assertWellFormedStream(events);
  return events;
}

const chatReasoning: StreamEvent[] = [
  { type: "start", id: "chatcmpl-1", model: "deepseek-reasoner" },
  { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
  { type: "reasoning-delta", index: 0, text: "I should read " },
  { type: "reasoning-delta", index: 0, text: "the note." },
  { type: "reasoning-end", index: 0 },
  { type: "tool-call-start", index: 1, id: "call_1", name: "Read", kind: "function" },
  { type: "tool-call-delta", index: 1, argumentsDelta: '{"file_path":"/a"}' },
  { type: "tool-call-end", index: 1 },
  { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
];

describe("stream encoder: unsigned reasoning of another origin", () => {
  it("sends the bare origin tag as a signature_delta just before the thinking block stops, and names the model asked for", () => {
    const { frames, warnings } = encodeStream(chatReasoning);
    expect(frames[0]).toMatchObject({ type: "message_start", message: { id: "chatcmpl-1", model: "claude-opus-4-8" } });
    expect(frames.slice(1, 6)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "I should read " } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "the note." } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "swy1.openai-chat." } },
      { type: "content_block_stop", index: 0 },
    ]);
    expect(warnings).toEqual([]);
  });

  it("uses the origin a reasoning-end names, and tags a block still open at finish", () => {
    const lateOrigin = encodeStream([
      { type: "start", id: "m" },
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-end", index: 0, origin: { protocol: "gemini" } },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ]);
    expect(lateOrigin.frames.filter((frame) => frame["type"] === "content_block_delta").at(-1)).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "signature_delta", signature: "swy1.gemini." },
    });
    const unterminated = encodeStream([
      { type: "start", id: "m" },
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ]);
    expect(unterminated.frames.slice(3, 5)).toEqual([
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "swy1.openai-chat." } },
      { type: "content_block_stop", index: 0 },
    ]);
  });

  it("adds nothing to signed, Anthropic, origin-less or redacted blocks, and keeps the upstream's model then", () => {
    const { frames } = encodeStream([
      { type: "start", id: "m", model: "claude-sonnet-4-5-20250929" },
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "own" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1 },
      { type: "reasoning-delta", index: 1, text: "unknown" },
      { type: "reasoning-end", index: 1 },
      { type: "reasoning-start", index: 2, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 2, text: "signed" },
      { type: "reasoning-signature", index: 2, signature: "R2Vt" },
      { type: "reasoning-end", index: 2 },
      { type: "reasoning-start", index: 3, redactedData: "UmVk", origin: { protocol: "openai-chat" } },
      { type: "reasoning-end", index: 3 },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ]);
    expect(frames[0]).toMatchObject({ type: "message_start", message: { model: "claude-sonnet-4-5-20250929" } });
    const signatures = frames.flatMap((frame) => {
      const delta = frame["delta"] as Frame | undefined;
      return delta?.["type"] === "signature_delta" ? [delta["signature"]] : [];
    });
    expect(signatures).toEqual(["swy1.gemini.R2Vt"]);
    expect(frames).toContainEqual({ type: "content_block_start", index: 3, content_block: { type: "redacted_thinking", data: "swy1.openai-chat.redacted:UmVk" } });
  });

  it("reads the bare tag back: origin on reasoning-end when late, on reasoning-start when the block starts with it, never a signature", () => {
    const events = decodeStream(encodeStream(chatReasoning).frames);
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "I should read " },
      { type: "reasoning-delta", index: 0, text: "the note." },
      { type: "reasoning-end", index: 0, origin: { protocol: "openai-chat" } },
    ]);
    const atStart = decodeStream([
      { type: "message_start", message: { id: "m", type: "message", role: "assistant", model: "x", content: [], usage: { input_tokens: 1, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "t", signature: "swy1.openai-chat." } },
      // A bare tag of the block's own origin changes nothing.
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "swy1.openai-chat." } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "swy1.gemini." } },
      { type: "content_block_stop", index: 1 },
      { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: "message_stop" },
    ]);
    expect(atStart.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, origin: { protocol: "gemini" } },
      { type: "reasoning-end", index: 1 },
    ]);
  });
});

describe("responses and requests: unsigned reasoning of another origin", () => {
  const response: UnifiedResponse = {
    id: "chatcmpl-2",
    model: "deepseek-reasoner",
    output: [
      { type: "reasoning", text: "I should read the note.", origin: { protocol: "openai-chat" } },
      { type: "tool-call", id: "call_1", name: "Read", arguments: '{"file_path":"/a"}', kind: "function" },
    ],
    finishReason: { unified: "tool_calls", raw: "tool_calls" },
  };

  it("encodeResponse writes the bare origin tag as the signature and names the model asked for", () => {
    const body = anthropicMessagesCodec.encodeResponse(response, { request: clientRequest }).value;
    expect(body["model"]).toBe("claude-opus-4-8");
    expect(body["content"]).toEqual([
      { type: "thinking", thinking: "I should read the note.", signature: "swy1.openai-chat." },
      { type: "tool_use", id: "call_1", name: "Read", input: { file_path: "/a" } },
    ]);
    // No request known: the upstream's model; reasoning of no known origin: the usual empty signature.
    const anonymous = anthropicMessagesCodec.encodeResponse({ ...response, output: [{ type: "reasoning", text: "t" }] }).value;
    expect({ model: anonymous["model"], content: anonymous["content"] }).toEqual({
      model: "deepseek-reasoner",
      content: [{ type: "thinking", thinking: "t", signature: "" }],
    });
  });

  it("decodeRequest keeps the origin of a bare tag and sets no signature; an empty signature stays origin-less", () => {
    const decoded = anthropicMessagesCodec.decodeRequest({
      model: "claude-opus-4-8",
      max_tokens: 100,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "I should read the note.", signature: "swy1.openai-chat." },
            { type: "thinking", thinking: "unsigned", signature: "" },
            { type: "redacted_thinking", data: "swy1.gemini." },
          ],
        },
      ],
    }).value;
    expect(decoded.messages[0]?.content).toEqual([
      { type: "reasoning", text: "I should read the note.", origin: { protocol: "openai-chat" } },
      { type: "reasoning", text: "unsigned" },
      { type: "reasoning", text: "", origin: { protocol: "gemini" } },
    ]);
  });

  it("encodeRequest still never sends unsigned thinking to Anthropic: dropped with a warning", () => {
    const result = anthropicMessagesCodec.encodeRequest({
      ...clientRequest,
      stream: false,
      generation: { maxOutputTokens: 100 },
      sourceProtocol: "openai-chat",
      messages: [
        { role: "user", content: [{ type: "text", text: "Read it" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "I should read the note.", origin: { protocol: "openai-chat" } },
            { type: "tool-call", id: "call_1", name: "Read", arguments: "{}", kind: "function" },
          ],
        },
      ],
    });
    expect(result.value["messages"]).toEqual([
      { role: "user", content: "Read it" },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "Read", input: {} }] },
    ]);
    expect(result.warnings).toEqual([
      { code: "reasoning-artefact-dropped", message: "a reasoning block cannot be replayed to Anthropic: it has no signature", path: "messages[1].content[0]" },
    ]);
  });
});
