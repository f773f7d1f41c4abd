import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import type { SseMessage, StreamEvent } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

/** Reasoning artefact origins in Anthropic streams (the rule is in src/unified/stream-event.ts). */

function sse(...payloads: Array<Record<string, unknown>>): SseMessage[] {
  return payloads.map((payload) => ({ event: String(payload["type"]), data: JSON.stringify(payload) }));
}

function decode(messages: readonly SseMessage[]): StreamEvent[] {
  const decoder = anthropicMessagesCodec.createStreamDecoder();
  return [...messages.flatMap((message) => decoder.push(message)), ...decoder.end()];
}

const start = { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], usage: { input_tokens: 10, output_tokens: 1 } } };
const blockStart = (index: number, block: Record<string, unknown>) => ({ type: "content_block_start", index, content_block: block });
const blockDelta = (index: number, delta: Record<string, unknown>) => ({ type: "content_block_delta", index, delta });
const blockStop = (index: number) => ({ type: "content_block_stop", index });
const messageDelta = (stopReason: string, usage: Record<string, unknown>) => ({ type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage });
const stopEvent = { type: "message_stop" };

describe("stream decoder: reasoning origins", () => {
  it("gives every reasoning block an origin and a later signature of another origin its own", () => {
    const events = decode(
      sse(
        start,
        blockStart(0, { type: "thinking", thinking: "", signature: "" }),
        blockDelta(0, { type: "thinking_delta", thinking: "Hm." }),
        blockDelta(0, { type: "signature_delta", signature: "swy1.gemini.Z3Np" }),
        blockStop(0),
        blockStart(1, { type: "redacted_thinking", data: "swy1.openai-chat.b3Bx" }),
        blockStop(1),
        blockStart(2, { type: "thinking", thinking: "Ok.", signature: "swy1.gemini.c2ln" }),
        blockStop(2),
        messageDelta("end_turn", { output_tokens: 9 }),
        stopEvent,
      ),
    );
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "Hm." },
      { type: "reasoning-signature", index: 0, signature: "Z3Np", origin: { protocol: "gemini" } },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, redactedData: "b3Bx", origin: { protocol: "openai-chat" } },
      { type: "reasoning-end", index: 1 },
      // A signature given at block start sets the block's origin.
      { type: "reasoning-start", index: 2, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 2, text: "Ok." },
      { type: "reasoning-signature", index: 2, signature: "c2ln" },
      { type: "reasoning-end", index: 2 },
    ]);
  });
});

describe("stream encoder: reasoning origins", () => {
  const encoderFor = () => anthropicMessagesCodec.createStreamEncoder({ now: () => 1700000000000, request: { model: "claude-x", system: [], messages: [], generation: {}, stream: true } });

  it("tags foreign artefacts with the origin of their event, else of their block", () => {
    const encoder = encoderFor();
    const events: StreamEvent[] = [
      { type: "start", id: "msg_o" },
      { type: "reasoning-start", index: 0, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 0, text: "a" },
      { type: "reasoning-signature", index: 0, signature: "Z3Np" },
      { type: "reasoning-signature", index: 0, signature: "Q2hh", origin: { protocol: "openai-chat" } },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, redactedData: "b3Bx", origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 1 },
      { type: "reasoning-start", index: 2 },
      { type: "reasoning-signature", index: 2, signature: "OWN" },
      { type: "reasoning-end", index: 2 },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ];
    const frames = parseSseText(events.map((event) => encoder.push(event)).join("")).map((frame) => JSON.parse(frame.data) as Record<string, unknown>);
    expect(frames.slice(1, -2)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "a" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "swy1.gemini.Z3Np" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "swy1.openai-chat.Q2hh" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "swy1.openai-responses.redacted:b3Bx" } },
      { type: "content_block_stop", index: 1 },
      // No origin: Anthropic's own signature, written as it is.
      { type: "content_block_start", index: 2, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 2, delta: { type: "signature_delta", signature: "OWN" } },
      { type: "content_block_stop", index: 2 },
    ]);
    expect(encoder.warnings).toEqual([]);
  });

  it("holds a thinking block's start until it has content, so redacted data known only at reasoning-end still fits", () => {
    const encoder = encoderFor();
    const events: StreamEvent[] = [
      { type: "start", id: "msg_r" },
      // Redacted data on reasoning-end only (a Responses upstream's output_item.done): one redacted_thinking block.
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 0, redactedData: "RED1", origin: { protocol: "anthropic-messages" } },
      // Thinking text first, then redacted data: a thinking block, then a redacted_thinking block of its own.
      { type: "reasoning-start", index: 1, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 1, text: "t" },
      { type: "reasoning-end", index: 1, redactedData: "RED2" },
      // Nothing Anthropic can show (encrypted data claiming to be Anthropic's): no block at all, and no gap in the
      // wire indexes.
      { type: "reasoning-start", index: 2, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 2, encryptedContent: "gAAA" },
      { type: "text-start", index: 3 },
      { type: "text-delta", index: 3, text: "x" },
      { type: "text-end", index: 3 },
      { type: "reasoning-start", index: 4 },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ];
    const frames = parseSseText(events.map((event) => encoder.push(event)).join("")).map((frame) => JSON.parse(frame.data) as Record<string, unknown>);
    expect(frames.slice(1, -2)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "redacted_thinking", data: "RED1" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "thinking_delta", thinking: "t" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "redacted_thinking", data: "RED2" } },
      { type: "content_block_stop", index: 2 },
      { type: "content_block_start", index: 3, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 3, delta: { type: "text_delta", text: "x" } },
      { type: "content_block_stop", index: 3 },
    ]);
    expect(encoder.warnings.map((warning) => warning.code)).toEqual(["reasoning-artefact-dropped"]);
  });
});
