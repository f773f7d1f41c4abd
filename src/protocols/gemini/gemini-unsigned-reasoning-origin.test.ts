import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, type StreamEvent, type UnifiedResponse } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

/**
 * Unsigned thought text of another origin (Chat reasoning_content) reaches a Gemini client with the bare origin tag
 * as its thoughtSignature (`swy1.openai-chat.`), never a fabricated signature, and the origin comes back with the
 * replayed thought (reasoning-signature.ts).
 */

type Part = Record<string, unknown>;

function partsOf(body: Record<string, unknown>): Part[] {
  return ((body["candidates"] as Array<{ content: { parts: Part[] } }>)[0]?.content.parts ?? []) as Part[];
}

describe("Gemini responses: unsigned thoughts of another origin", () => {
  const response: UnifiedResponse = {
    id: "chatcmpl-1",
    model: "deepseek-reasoner",
    output: [
      { type: "reasoning", text: "I should read the note.", origin: { protocol: "openai-chat" } },
      { type: "reasoning", text: "own thought", origin: { protocol: "gemini" } },
      { type: "reasoning", text: "no origin" },
      { type: "tool-call", id: "call_1", name: "Read", arguments: '{"file_path":"/a"}', kind: "function" },
    ],
    finishReason: { unified: "tool_calls", raw: "tool_calls" },
  };

  it("encodeResponse tags only the foreign thought, with an empty artefact", () => {
    expect(partsOf(geminiCodec.encodeResponse(response).value)).toStrictEqual([
      { text: "I should read the note.", thought: true, thoughtSignature: "swy1.openai-chat." },
      { text: "own thought", thought: true },
      { text: "no origin", thought: true },
      { functionCall: { id: "call_1", name: "Read", args: { file_path: "/a" } } },
    ]);
  });

  it("the replayed turn decodes to the origin without a signature, and a Gemini upstream does not get it", () => {
    const model = (geminiCodec.encodeResponse(response).value["candidates"] as Array<{ content: unknown }>)[0]?.content;
    const request = geminiCodec.decodeRequest({
      contents: [{ role: "user", parts: [{ text: "read it" }] }, model, { role: "user", parts: [{ functionResponse: { id: "call_1", name: "Read", response: { output: "x" } } }] }],
    }).value;
    expect(request.messages[1]?.content[0]).toStrictEqual({ type: "reasoning", text: "I should read the note.", origin: { protocol: "openai-chat" } });
    const upstream = geminiCodec.encodeRequest({ ...request, model: "gemini-3-pro-preview" });
    const contents = upstream.value["contents"] as Array<{ parts: Part[] }>;
    // Another model's thoughts are not sent to Gemini (no artefact dropped, so no warning).
    expect(contents[1]?.parts[0]).toStrictEqual({ text: "own thought", thought: true });
    expect(upstream.warnings.map((warning) => warning.code)).not.toContain("reasoning-artefact-dropped");
  });

  it("a streamed thought kept as separate parts takes the origin of the bare tag that ends it", () => {
    const request = geminiCodec.decodeRequest({
      contents: [
        { role: "user", parts: [{ text: "read it" }] },
        {
          role: "model",
          parts: [
            { text: "signed", thought: true, thoughtSignature: "c2ln" },
            { text: "I should ", thought: true },
            { text: "read.", thought: true },
            { text: "", thought: true, thoughtSignature: "swy1.openai-chat." },
            { text: "answer" },
          ],
        },
      ],
    }).value;
    expect(request.messages[1]?.content.slice(0, 5)).toStrictEqual([
      // A signed thought before them is a thought of its own: it keeps its origin.
      { type: "reasoning", text: "signed", signature: "c2ln", origin: { protocol: "gemini" } },
      { type: "reasoning", text: "I should ", origin: { protocol: "openai-chat" } },
      { type: "reasoning", text: "read.", origin: { protocol: "openai-chat" } },
      { type: "reasoning", text: "", origin: { protocol: "openai-chat" }, extensions: { gemini: { $thought: true } } },
      { type: "text", text: "answer" },
    ]);
  });

  it("decodeResponse marks upstream thoughts as Gemini's, signed or not", () => {
    const decoded = geminiCodec.decodeResponse({
      candidates: [{ content: { role: "model", parts: [{ text: "plan", thought: true }, { text: "answer" }] }, finishReason: "STOP", index: 0 }],
    }).value;
    expect(decoded.output[0]).toStrictEqual({ type: "reasoning", text: "plan", origin: { protocol: "gemini" } });
  });
});

describe("Gemini streams: unsigned thoughts of another origin", () => {
  function encode(events: readonly StreamEvent[]): Part[][] {
    const encoder = geminiCodec.createStreamEncoder({});
    const text = events.map((event) => encoder.push(event)).join("") + encoder.end();
    return parseSseText(text).map((message) => partsOf(JSON.parse(message.data) as Record<string, unknown>));
  }

  const chatEvents: StreamEvent[] = [
    { type: "start", id: "chatcmpl-1", model: "deepseek-reasoner" },
    { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
    { type: "reasoning-delta", index: 0, text: "I should " },
    { type: "reasoning-delta", index: 0, text: "read." },
    { type: "reasoning-end", index: 0 },
    { type: "text-start", index: 1 },
    { type: "text-delta", index: 1, text: "A" },
    { type: "text-end", index: 1 },
    { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
  ];

  it("ends a foreign unsigned thought with a thought part carrying the bare origin tag", () => {
    expect(encode(chatEvents)).toStrictEqual([
      [{ text: "I should ", thought: true }],
      [{ text: "read.", thought: true }],
      [{ text: "", thought: true, thoughtSignature: "swy1.openai-chat." }],
      [{ text: "A" }],
      [{ text: "" }],
    ]);
  });

  it("adds nothing after a signature, to Gemini's own thoughts or to an empty block", () => {
    const frames = encode([
      { type: "start", id: "r" },
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-signature", index: 0, signature: "c2ln" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 1, text: "own" },
      { type: "reasoning-end", index: 1 },
      { type: "reasoning-start", index: 2, origin: { protocol: "openai-chat" } },
      { type: "reasoning-end", index: 2 },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
    ]);
    const signatures = frames.flat().flatMap((part) => (typeof part["thoughtSignature"] === "string" ? [part["thoughtSignature"]] : []));
    expect(signatures).toStrictEqual(["swy1.anthropic-messages.c2ln"]);
  });

  it("decodes the bare tag back: the block ends naming its origin, with no artefact", () => {
    const encoder = geminiCodec.createStreamEncoder({});
    const text = chatEvents.map((event) => encoder.push(event)).join("") + encoder.end();
    const decoder = geminiCodec.createStreamDecoder();
    const events = [...parseSseText(text).flatMap((message) => decoder.push(message)), ...decoder.end()];
    assertWellFormedStream(events);
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toStrictEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 0, text: "I should " },
      { type: "reasoning-delta", index: 0, text: "read." },
      { type: "reasoning-end", index: 0, origin: { protocol: "openai-chat" } },
    ]);
  });

  it("a thought opened by a bare tag takes its origin at reasoning-start; a stray bare tag opens nothing", () => {
    const decoder = geminiCodec.createStreamDecoder();
    const chunk = (parts: Part[], finish?: string) => ({
      data: JSON.stringify({ candidates: [{ content: { role: "model", parts }, index: 0, ...(finish === undefined ? {} : { finishReason: finish }) }] }),
    });
    const events = [
      ...decoder.push(chunk([{ text: "t", thought: true, thoughtSignature: "swy1.openai-chat." }])),
      ...decoder.push(chunk([{ text: "A" }])),
      ...decoder.push(chunk([{ text: "", thought: true, thoughtSignature: "swy1.openai-chat." }, { text: "", thoughtSignature: "swy1.openai-chat." }], "STOP")),
      ...decoder.end(),
    ];
    assertWellFormedStream(events);
    expect(events.filter((event) => event.type !== "start" && event.type !== "finish")).toStrictEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-end", index: 0 },
      { type: "text-start", index: 1 },
      { type: "text-delta", index: 1, text: "A" },
      { type: "text-end", index: 1 },
    ]);
  });
});
