import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, type SseMessage, type StreamEvent, type UnifiedRequest, type UnifiedResponse } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

/**
 * Responses reasoning (summary + `encrypted_content`, item `rs_…`) behind an Anthropic client: the encrypted payload
 * rides in the thinking block's signature, tagged with its origin, its kind and the item id Anthropic has no slot for
 * (`swy1.openai-responses.encrypted@rs_…:…`, reasoning-signature.ts), so that the client's next turn restores
 * encrypted content of Responses origin, never a signature, and never reaches an Anthropic upstream.
 */

const tagged = "swy1.openai-responses.encrypted@rs_1:gAAAenc";

const clientRequest: UnifiedRequest = {
  model: "claude-opus-4-8",
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "Weather?" }] }],
  generation: {},
  stream: true,
  sourceProtocol: "anthropic-messages",
};

type Frame = Record<string, unknown>;

function encodeStream(events: readonly StreamEvent[]): { frames: Frame[]; warnings: string[] } {
  const encoder = anthropicMessagesCodec.createStreamEncoder({ now: () => 1_700_000_000_000, request: clientRequest });
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

describe("encodeResponse: Responses encrypted reasoning for an Anthropic client", () => {
  const response = (output: UnifiedResponse["output"]): UnifiedResponse => ({ id: "resp_1", model: "gpt-5", output, finishReason: { unified: "stop", raw: "completed" } });

  it("writes the payload as the thinking signature, tagged with kind and item id, the summary as thinking", () => {
    const { value, warnings } = anthropicMessagesCodec.encodeResponse(
      response([{ type: "reasoning", text: "", summary: ["**Plan**\n\nCheck.", "Call it."], encryptedContent: "gAAAenc", id: "rs_1", origin: { protocol: "openai-responses" } }]),
      { request: clientRequest },
    );
    expect(value["content"]).toEqual([{ type: "thinking", thinking: "**Plan**\n\nCheck.\n\nCall it.", signature: tagged }]);
    expect(warnings).toEqual([]);
  });

  it("writes a payload without summary as a thinking block with empty text; drops what cannot fit, with a warning", () => {
    const { value, warnings } = anthropicMessagesCodec.encodeResponse(
      response([
        { type: "reasoning", text: "", encryptedContent: "gAAAenc", origin: { protocol: "openai-responses" } },
        // Responses' own encrypted content claiming Anthropic's origin cannot exist: there is nothing to tag.
        { type: "reasoning", text: "", encryptedContent: "bogus", origin: { protocol: "anthropic-messages" } },
        // One signature slot: a signature and an encrypted payload cannot both go.
        { type: "reasoning", text: "t", signature: "c2ln", encryptedContent: "gAAA", origin: { protocol: "gemini" } },
      ]),
    );
    expect(value["content"]).toEqual([
      { type: "thinking", thinking: "", signature: "swy1.openai-responses.encrypted:gAAAenc" },
      { type: "thinking", thinking: "t", signature: "swy1.gemini.c2ln" },
    ]);
    expect(warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ["reasoning-artefact-dropped", "content[1]"],
      ["reasoning-artefact-dropped", "content[2]"],
    ]);
  });
});

describe("decodeRequest: the thinking block the client sends back", () => {
  const decode = (content: unknown[]) =>
    anthropicMessagesCodec.decodeRequest({ model: "claude-opus-4-8", max_tokens: 100, messages: [{ role: "user", content: "q" }, { role: "assistant", content }] }).value.messages[1]
      ?.content;

  it("restores encrypted content of Responses origin with its item id, not a signature", () => {
    expect(decode([{ type: "thinking", thinking: "Check.", signature: tagged }])).toEqual([
      { type: "reasoning", text: "Check.", encryptedContent: "gAAAenc", id: "rs_1", origin: { protocol: "openai-responses" } },
    ]);
  });

  it("reads kind markers in redacted_thinking data too, and unmarked tags by their slot", () => {
    expect(
      decode([
        { type: "redacted_thinking", data: "swy1.gemini.b3Bx" },
        { type: "redacted_thinking", data: "swy1.openai-responses.encrypted:gAAA" },
        { type: "thinking", thinking: "", signature: "swy1.anthropic-messages.redacted:UmVk" },
      ]),
    ).toEqual([
      { type: "reasoning", text: "", redactedData: "b3Bx", origin: { protocol: "gemini" } },
      { type: "reasoning", text: "", encryptedContent: "gAAA", origin: { protocol: "openai-responses" } },
      { type: "reasoning", text: "", redactedData: "UmVk", origin: { protocol: "anthropic-messages" } },
    ]);
  });

  it("never sends the restored payload to an Anthropic upstream", () => {
    const request = anthropicMessagesCodec.decodeRequest({
      model: "claude-opus-4-8",
      max_tokens: 100,
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: [{ type: "thinking", thinking: "Check.", signature: tagged }, { type: "text", text: "a" }] },
      ],
    }).value;
    const { value, warnings } = anthropicMessagesCodec.encodeRequest({ ...request, sourceProtocol: "openai-chat" });
    expect((value["messages"] as Frame[])[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "a" }] });
    expect(warnings.map((warning) => warning.code)).toContain("reasoning-artefact-dropped");
  });
});

describe("stream encoder and decoder: encrypted reasoning known at reasoning-end", () => {
  const responsesReasoning: StreamEvent[] = [
    { type: "start", id: "resp_1", model: "gpt-5" },
    { type: "reasoning-start", index: 0, id: "rs_1", origin: { protocol: "openai-responses" } },
    { type: "reasoning-delta", index: 0, text: "Check.", summaryIndex: 0 },
    { type: "reasoning-end", index: 0, encryptedContent: "gAAAenc", summary: ["Check."] },
    { type: "text-start", index: 1 },
    { type: "text-delta", index: 1, text: "Sunny." },
    { type: "text-end", index: 1 },
    { type: "finish", finishReason: { unified: "stop", raw: "completed" } },
  ];

  it("sends the payload as the thinking block's signature_delta before it stops", () => {
    const { frames, warnings } = encodeStream(responsesReasoning);
    expect(frames.slice(1, 5)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Check." } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: tagged } },
      { type: "content_block_stop", index: 0 },
    ]);
    expect(warnings).toEqual([]);
  });

  it("opens a thinking block for a payload without summary text; drops one that would be a second artefact", () => {
    const { frames, warnings } = encodeStream([
      { type: "start", id: "resp_2" },
      { type: "reasoning-start", index: 0, id: "rs_2", origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 0, encryptedContent: "gAAAenc" },
      { type: "reasoning-start", index: 1, origin: { protocol: "gemini" } },
      { type: "reasoning-signature", index: 1, signature: "c2ln" },
      { type: "reasoning-end", index: 1, encryptedContent: "gAAA", origin: { protocol: "openai-responses" } },
      { type: "finish", finishReason: { unified: "stop", raw: "completed" } },
    ]);
    expect(frames.slice(1, -2)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "swy1.openai-responses.encrypted@rs_2:gAAAenc" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "signature_delta", signature: "swy1.gemini.c2ln" } },
      { type: "content_block_stop", index: 1 },
    ]);
    expect(warnings).toEqual(["reasoning-artefact-dropped"]);
  });

  it("decodes the tagged signature_delta as encrypted content of Responses origin on reasoning-end", () => {
    const events = decodeStream(encodeStream(responsesReasoning).frames);
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "Check." },
      { type: "reasoning-end", index: 0, encryptedContent: "gAAAenc", origin: { protocol: "openai-responses" } },
    ]);
    // Given at block start, the tag also sets the block's origin and its item id.
    const started = decodeStream([
      { type: "message_start", message: { id: "m", type: "message", role: "assistant", model: "claude", content: [], usage: { input_tokens: 1, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "Check.", signature: tagged } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: "message_stop" },
    ]);
    expect(started.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-responses" }, id: "rs_1" },
      { type: "reasoning-delta", index: 0, text: "Check." },
      { type: "reasoning-end", index: 0, encryptedContent: "gAAAenc" },
    ]);
  });
});
