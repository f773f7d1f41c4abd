import { describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import { assertWellFormedStream, type ProtocolCodec, type ProtocolId, type SseMessage, type StreamEvent } from "../../src/unified/index.js";
import { loadCodecs } from "../support/load-codecs.js";
import { decodeStreamMessages, encodeStreamEvents, fixedClock } from "../support/run-codec-stream.js";
import { reassembleStreamEvents, streamArtefactOrigins, type StreamArtefactOrigin } from "../support/stream-content.js";

/**
 * Reasoning artefacts crossing protocols in streams (the rule is in src/unified/stream-event.ts): a stream of
 * protocol A is decoded, encoded for a client of protocol B, and decoded again as B's client would send it back.
 * A's artefacts must come back exactly, still known as A's (so that they are replayed to A only), or be dropped with
 * a `reasoning-artefact-dropped` warning where B has no slot for them. Hops chain: A → B → C → A gives A's own
 * untagged artefact back to A's client.
 */
const { codecs, missing } = await loadCodecs();

function codecFor(protocol: ProtocolId): ProtocolCodec {
  const codec = codecs.get(protocol);
  if (codec === undefined) throw new Error(`codec ${protocol} is missing: ${missing.get(protocol) ?? ""}`);
  return codec;
}

const anthropicSignature = "EqQBCkgIARAYanthropicSignature==";
const anthropicRedacted = "EmwKAhgBEgyanthropicRedacted==";
const geminiSignature = "CiQBcsjafGeminiThoughtSignature==";
const geminiTextSignature = "CiQBcsjafGeminiTextSignature==";
const responsesEncrypted = "gAAAAABoFinalEncryptedContent==";

function sse(frames: ReadonlyArray<Record<string, unknown>>, named = true): SseMessage[] {
  return frames.map((data) => (named ? { event: String(data["type"]), data: JSON.stringify(data) } : { data: JSON.stringify(data) }));
}

/** Claude thinking with a signature, then text (the real event order: signature_delta just before the stop). */
const anthropicThinkingStream = sse([
  { type: "message_start", message: { id: "msg_origin", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], usage: { input_tokens: 12, output_tokens: 1 } } },
  { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Two plus two" } },
  { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: " is four." } },
  { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: anthropicSignature } },
  { type: "content_block_stop", index: 0 },
  { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "4" } },
  { type: "content_block_stop", index: 1 },
  { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 30 } },
  { type: "message_stop" },
]);

/** Claude redacted thinking, then text. */
const anthropicRedactedStream = sse([
  { type: "message_start", message: { id: "msg_redacted", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], usage: { input_tokens: 12, output_tokens: 1 } } },
  { type: "content_block_start", index: 0, content_block: { type: "redacted_thinking", data: anthropicRedacted } },
  { type: "content_block_stop", index: 0 },
  { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Done." } },
  { type: "content_block_stop", index: 1 },
  { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 30 } },
  { type: "message_stop" },
]);

/** Gemini thoughts with a signature on the last thought, and a signature on the answer's text part. */
const geminiThoughtStream = sse(
  [
    { candidates: [{ content: { role: "model", parts: [{ text: "Counting the r's.", thought: true }] }, index: 0 }], responseId: "r_origin", modelVersion: "gemini-3-pro-preview" },
    { candidates: [{ content: { role: "model", parts: [{ text: " Three.", thought: true, thoughtSignature: geminiSignature }] }, index: 0 }], responseId: "r_origin", modelVersion: "gemini-3-pro-preview" },
    {
      candidates: [{ content: { role: "model", parts: [{ text: "There are 3.", thoughtSignature: geminiTextSignature }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, thoughtsTokenCount: 20, totalTokenCount: 34 },
      responseId: "r_origin",
      modelVersion: "gemini-3-pro-preview",
    },
  ],
  false,
);

const responsesHead = [
  { type: "response.created", sequence_number: 0, response: { id: "resp_origin", object: "response", created_at: 1_750_000_000, status: "in_progress", model: "gpt-5", output: [], usage: null } },
];
const responsesTail = (output: unknown[]): Array<Record<string, unknown>> => [
  { type: "response.output_item.added", output_index: 1, item: { id: "msg_origin", type: "message", status: "in_progress", role: "assistant", content: [] } },
  { type: "response.output_text.delta", output_index: 1, item_id: "msg_origin", content_index: 0, delta: "4" },
  {
    type: "response.output_item.done",
    output_index: 1,
    item: { id: "msg_origin", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", annotations: [], text: "4" }] },
  },
  {
    type: "response.completed",
    response: {
      id: "resp_origin",
      object: "response",
      created_at: 1_750_000_000,
      status: "completed",
      model: "gpt-5",
      output,
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 30 }, total_tokens: 50 },
    },
  },
];

/** OpenAI reasoning with a summary and encrypted_content (provisional on output_item.added, final on done). */
function responsesEncryptedStream(): SseMessage[] {
  const reasoning = { id: "rs_origin", type: "reasoning", summary: [{ type: "summary_text", text: "Adding." }], encrypted_content: responsesEncrypted };
  return sse([
    ...responsesHead,
    { type: "response.output_item.added", output_index: 0, item: { id: "rs_origin", type: "reasoning", summary: [], encrypted_content: "gAAAAABoProvisional==" } },
    { type: "response.reasoning_summary_part.added", output_index: 0, item_id: "rs_origin", summary_index: 0, part: { type: "summary_text", text: "" } },
    { type: "response.reasoning_summary_text.delta", output_index: 0, item_id: "rs_origin", summary_index: 0, delta: "Adding." },
    { type: "response.output_item.done", output_index: 0, item: reasoning },
    ...responsesTail([reasoning]),
  ]);
}

/**
 * A Responses stream (a gateway in front of Claude) whose reasoning item carries Anthropic redacted thinking only
 * on output_item.done: the added item has no encrypted_content.
 */
function responsesLateRedactedStream(): SseMessage[] {
  const reasoning = { id: "rs_late", type: "reasoning", summary: [], encrypted_content: `swy1.anthropic-messages.redacted:${anthropicRedacted}` };
  return sse([
    ...responsesHead,
    { type: "response.output_item.added", output_index: 0, item: { id: "rs_late", type: "reasoning", summary: [] } },
    { type: "response.output_item.done", output_index: 0, item: reasoning },
    ...responsesTail([reasoning]),
  ]);
}

interface Hop {
  events: StreamEvent[];
  text: string;
  warnings: string[];
}

/** `events` → `target`'s SSE → `target`'s decoder: what a client of `target` sends back later. */
function hop(events: readonly StreamEvent[], target: ProtocolId): Hop {
  const codec = codecFor(target);
  const encoded = encodeStreamEvents(codec, events, { now: fixedClock });
  const decoded = decodeStreamMessages(codec, parseSseText(encoded.text));
  assertWellFormedStream(decoded.events);
  return { events: decoded.events, text: encoded.text, warnings: [...encoded.warnings, ...decoded.warnings].map((warning) => warning.code) };
}

function decodeSource(protocol: ProtocolId, messages: readonly SseMessage[]): StreamEvent[] {
  const { events } = decodeStreamMessages(codecFor(protocol), messages);
  assertWellFormedStream(events);
  return events;
}

const others = (protocol: ProtocolId): ProtocolId[] => (["openai-chat", "openai-responses", "anthropic-messages", "gemini"] as const).filter((other) => other !== protocol);

describe("reasoning artefact origins across protocol streams", () => {
  it("decoders name the origin of their own artefacts", () => {
    const expected: Array<[ProtocolId, SseMessage[], StreamArtefactOrigin[]]> = [
      ["anthropic-messages", anthropicThinkingStream, [{ artefact: `signature:${anthropicSignature}`, origin: "anthropic-messages" }]],
      ["anthropic-messages", anthropicRedactedStream, [{ artefact: `redacted:${anthropicRedacted}`, origin: "anthropic-messages" }]],
      [
        "gemini",
        geminiThoughtStream,
        [
          { artefact: `signature:${geminiSignature}`, origin: "gemini" },
          { artefact: `signature:${geminiTextSignature}`, origin: "gemini" },
        ],
      ],
      ["openai-responses", responsesEncryptedStream(), [{ artefact: `encrypted:${responsesEncrypted}`, origin: "openai-responses" }]],
      ["openai-responses", responsesLateRedactedStream(), [{ artefact: `redacted:${anthropicRedacted}`, origin: "anthropic-messages" }]],
    ];
    for (const [protocol, messages, origins] of expected) expect(streamArtefactOrigins(decodeSource(protocol, messages))).toEqual(origins);
  });

  for (const target of others("anthropic-messages")) {
    it(`an Anthropic thinking signature crosses to ${target} and back as Anthropic's`, () => {
      const source = decodeSource("anthropic-messages", anthropicThinkingStream);
      const client = hop(source, target);
      expect(client.text).toContain(`swy1.anthropic-messages.${anthropicSignature}`);
      expect(streamArtefactOrigins(client.events)).toEqual([{ artefact: `signature:${anthropicSignature}`, origin: "anthropic-messages" }]);
      const content = reassembleStreamEvents(client.events);
      expect({ reasoning: content.reasoningText, text: content.text }).toEqual({ reasoning: "Two plus two is four.", text: "4" });
      expect(client.warnings).toEqual([]);
      // Back to an Anthropic client: the signature is Anthropic's own again, written untagged.
      const back = hop(client.events, "anthropic-messages");
      expect(back.text).toContain(`"signature":"${anthropicSignature}"`);
      expect(back.text).not.toContain("swy1.");
      expect(streamArtefactOrigins(back.events)).toEqual([{ artefact: `signature:${anthropicSignature}`, origin: "anthropic-messages" }]);
    });
  }

  it("keeps an Anthropic signature's origin over a chain of hops (Chat → Responses → Gemini → Anthropic)", () => {
    let events = decodeSource("anthropic-messages", anthropicThinkingStream);
    for (const target of ["openai-chat", "openai-responses", "gemini"] as const) {
      events = hop(events, target).events;
      expect(streamArtefactOrigins(events)).toEqual([{ artefact: `signature:${anthropicSignature}`, origin: "anthropic-messages" }]);
    }
    const last = hop(events, "anthropic-messages");
    expect(last.text).toContain(`"signature":"${anthropicSignature}"`);
    expect(streamArtefactOrigins(last.events)).toEqual([{ artefact: `signature:${anthropicSignature}`, origin: "anthropic-messages" }]);
  });

  it("Gemini thought signatures cross to Anthropic tagged, and come back to a Gemini client as Gemini's", () => {
    const client = hop(decodeSource("gemini", geminiThoughtStream), "anthropic-messages");
    expect(client.text).toContain(`"signature":"swy1.gemini.${geminiSignature}"`);
    expect(client.text).toContain(`"signature":"swy1.gemini.${geminiTextSignature}"`);
    expect(streamArtefactOrigins(client.events)).toEqual([
      { artefact: `signature:${geminiSignature}`, origin: "gemini" },
      { artefact: `signature:${geminiTextSignature}`, origin: "gemini" },
    ]);
    expect(reassembleStreamEvents(client.events)).toMatchObject({ reasoningText: "Counting the r's. Three.", text: "There are 3." });
    const back = hop(client.events, "gemini");
    expect(back.text).not.toContain("swy1.");
    expect(streamArtefactOrigins(back.events)).toEqual([
      { artefact: `signature:${geminiSignature}`, origin: "gemini" },
      { artefact: `signature:${geminiTextSignature}`, origin: "gemini" },
    ]);
  });

  for (const target of ["anthropic-messages", "openai-chat", "gemini"] as const) {
    it(`Responses encrypted reasoning to ${target}: carried tagged with its kind (and item id) and read back as Responses'`, () => {
      const client = hop(decodeSource("openai-responses", responsesEncryptedStream()), target);
      // Chat keeps the item id in the detail's own `id`; Anthropic and Gemini have no slot for it but the tag.
      const tagged = target === "openai-chat" ? `swy1.openai-responses.encrypted:${responsesEncrypted}` : `swy1.openai-responses.encrypted@rs_origin:${responsesEncrypted}`;
      expect(client.text).toContain(tagged);
      expect(streamArtefactOrigins(client.events)).toEqual([{ artefact: `encrypted:${responsesEncrypted}`, origin: "openai-responses" }]);
      expect(reassembleStreamEvents(client.events)).toMatchObject({ reasoningText: "Adding.", text: "4" });
      expect(client.warnings).toEqual([]);
    });
  }

  for (const target of others("openai-responses")) {
    it(`redacted data first seen on Responses output_item.done reaches ${target} as Anthropic's`, () => {
      const client = hop(decodeSource("openai-responses", responsesLateRedactedStream()), target);
      expect(streamArtefactOrigins(client.events)).toEqual([{ artefact: `redacted:${anthropicRedacted}`, origin: "anthropic-messages" }]);
      expect(client.warnings).toEqual([]);
      if (target === "anthropic-messages") expect(client.text).toContain(`"content_block":{"type":"redacted_thinking","data":"${anthropicRedacted}"}`);
      else expect(client.text).toContain(`swy1.anthropic-messages.`);
    });
  }

  for (const target of others("anthropic-messages")) {
    it(`Anthropic redacted thinking crosses to ${target} and back to an Anthropic client untagged`, () => {
      const client = hop(decodeSource("anthropic-messages", anthropicRedactedStream), target);
      expect(streamArtefactOrigins(client.events)).toEqual([{ artefact: `redacted:${anthropicRedacted}`, origin: "anthropic-messages" }]);
      const back = hop(client.events, "anthropic-messages");
      expect(back.text).toContain(`"content_block":{"type":"redacted_thinking","data":"${anthropicRedacted}"}`);
      expect(streamArtefactOrigins(back.events)).toEqual([{ artefact: `redacted:${anthropicRedacted}`, origin: "anthropic-messages" }]);
    });
  }
});
