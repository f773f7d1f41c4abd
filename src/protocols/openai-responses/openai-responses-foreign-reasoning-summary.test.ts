import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import type { ReasoningPart, StreamEvent, UnifiedRequest, UnifiedResponse } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/**
 * A client that asks for reasoning summaries (`reasoning.summary`, as Codex always does, and Codex shows only
 * summaries by default) sees the thinking of an Anthropic, Gemini or Chat upstream as summary events and
 * `summary_text` parts; the item it sends back replays that thinking verbatim to its origin. Without the ask, the
 * thinking stays reasoning_text content; Responses' own reasoning keeps the form OpenAI gave it.
 */

const asking = (summary?: string): UnifiedRequest => ({
  model: "gpt-5",
  system: [],
  messages: [],
  generation: {},
  stream: true,
  ...(summary === undefined ? {} : { reasoning: { effort: "medium", summary } }),
});

interface Frame {
  type: string;
  data: Record<string, unknown>;
}

function encodeStream(events: StreamEvent[], request: UnifiedRequest): Frame[] {
  const encoder = codec.createStreamEncoder({ request, now: () => 0 });
  const sse = events.map((event) => encoder.push(event)).join("") + encoder.end();
  return parseSseText(sse).map((message) => {
    const data = JSON.parse(message.data) as Record<string, unknown>;
    return { type: String(data["type"]), data };
  });
}

const reasoningFrames = (frames: Frame[]): string[] =>
  frames.filter((frame) => /reasoning|content_part/.test(frame.type)).map((frame) => `${frame.type.replace(/^response\./, "")}${frame.data["summary_index"] === undefined ? "" : `#${String(frame.data["summary_index"])}`}`);
const doneItems = (frames: Frame[]): unknown[] => frames.filter((frame) => frame.type === "response.output_item.done").map((frame) => frame.data["item"]);

/** Claude's thinking, streamed: two deltas and its signature. */
const claudeThinking: StreamEvent[] = [
  { type: "start", id: "msg_1" },
  { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
  { type: "reasoning-delta", index: 0, text: "Let me " },
  { type: "reasoning-delta", index: 0, text: "think." },
  { type: "reasoning-signature", index: 0, signature: "c2ln" },
  { type: "reasoning-end", index: 0 },
  { type: "finish", finishReason: { unified: "stop", raw: "end_turn" } },
];
const summaryItem = { type: "reasoning", id: "rs_msg_1_0", summary: [{ type: "summary_text", text: "Let me think." }], encrypted_content: "swy1.anthropic-messages.c2ln" };

describe("streamed reasoning of another origin, for a client that asked for summaries", () => {
  it.each(["auto", "concise", "detailed"])("goes out as one summary part (summary %s), with no reasoning_text", (summary) => {
    const frames = encodeStream(claudeThinking, asking(summary));
    expect(reasoningFrames(frames)).toEqual([
      "reasoning_summary_part.added#0",
      "reasoning_summary_text.delta#0",
      "reasoning_summary_text.delta#0",
      "reasoning_summary_text.done#0",
      "reasoning_summary_part.done#0",
    ]);
    expect(frames.find((frame) => frame.type === "response.reasoning_summary_text.done")?.data).toMatchObject({ item_id: "rs_msg_1_0", output_index: 0, text: "Let me think." });
    expect(doneItems(frames)).toEqual([summaryItem]);
  });

  it.each([["no reasoning settings", undefined], ['summary "none"', "none"]])("stays reasoning_text content with %s", (_name, summary) => {
    const frames = encodeStream(claudeThinking, asking(summary));
    expect(reasoningFrames(frames)).toEqual(["content_part.added", "reasoning_text.delta", "reasoning_text.delta", "reasoning_text.done", "content_part.done"]);
    expect(doneItems(frames)).toEqual([{ ...summaryItem, summary: [], content: [{ type: "reasoning_text", text: "Let me think." }] }]);
  });

  it("leaves Responses' own reasoning text as content, and a foreign block's own summaries as they came", () => {
    const own = encodeStream(
      [
        { type: "start", id: "r" },
        { type: "reasoning-start", index: 0, origin: { protocol: "openai-responses" } },
        { type: "reasoning-delta", index: 0, text: "raw" },
        { type: "reasoning-end", index: 0 },
        { type: "finish", finishReason: { unified: "stop", raw: null } },
      ],
      asking("auto"),
    );
    expect(reasoningFrames(own)).toEqual(["content_part.added", "reasoning_text.delta", "reasoning_text.done", "content_part.done"]);
    // OpenRouter gives Chat reasoning summaries of its own: they keep their indexes, and text after them stays content.
    const summarized = encodeStream(
      [
        { type: "start", id: "r" },
        { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
        { type: "reasoning-delta", index: 0, text: "S", summaryIndex: 0 },
        { type: "reasoning-delta", index: 0, text: "t" },
        { type: "reasoning-end", index: 0 },
        { type: "finish", finishReason: { unified: "stop", raw: null } },
      ],
      asking("auto"),
    );
    expect(doneItems(summarized)).toEqual([
      { type: "reasoning", id: "rs_r_0", summary: [{ type: "summary_text", text: "S" }], content: [{ type: "reasoning_text", text: "t" }], encrypted_content: "swy1.openai-chat." },
    ]);
  });

  it("puts summaries of the block's own after its text, one index up", () => {
    const frames = encodeStream(
      [
        { type: "start", id: "r" },
        { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
        { type: "reasoning-delta", index: 0, text: "text" },
        { type: "reasoning-delta", index: 0, text: "own", summaryIndex: 0 },
        { type: "reasoning-end", index: 0 },
        { type: "finish", finishReason: { unified: "stop", raw: null } },
      ],
      asking("auto"),
    );
    expect(reasoningFrames(frames)).toEqual([
      "reasoning_summary_part.added#0",
      "reasoning_summary_text.delta#0",
      "reasoning_summary_text.done#0",
      "reasoning_summary_part.done#0",
      "reasoning_summary_part.added#1",
      "reasoning_summary_text.delta#1",
      "reasoning_summary_text.done#1",
      "reasoning_summary_part.done#1",
    ]);
    expect(doneItems(frames)).toEqual([
      { type: "reasoning", id: "rs_r_0", summary: [{ type: "summary_text", text: "text" }, { type: "summary_text", text: "own" }], encrypted_content: "swy1.openai-chat." },
    ]);
  });
});

describe("non-streamed reasoning of another origin", () => {
  const response = (reasoning: ReasoningPart): UnifiedResponse => ({
    id: "msg_1",
    model: "m",
    output: [reasoning, { type: "text", text: "Hi" }],
    finishReason: { unified: "stop", raw: "end_turn" },
  });

  it("is the same item the stream ends with", () => {
    const streamed = doneItems(encodeStream(claudeThinking, asking("auto")));
    const { value, warnings } = codec.encodeResponse(response({ type: "reasoning", text: "Let me think.", signature: "c2ln", origin: { protocol: "anthropic-messages" } }), { request: asking("auto") });
    expect((value["output"] as unknown[])[0]).toEqual(streamed[0]);
    expect(warnings).toEqual([]);
  });

  it("counts reasoning without an origin as foreign (Gemini thoughts without a signature), but not a Responses item", () => {
    const gemini = codec.encodeResponse(response({ type: "reasoning", text: "thought" }), { request: asking("auto") }).value;
    expect((gemini["output"] as unknown[])[0]).toEqual({ type: "reasoning", id: "rs_msg_1_0", summary: [{ type: "summary_text", text: "thought" }] });
    const fromResponses = codec.decodeResponse({
      id: "resp_1",
      object: "response",
      created_at: 1,
      model: "gpt-oss",
      status: "completed",
      output: [{ type: "reasoning", id: "rs_1", summary: [], content: [{ type: "reasoning_text", text: "raw" }] }],
    }).value;
    const own = codec.encodeResponse(fromResponses, { request: asking("auto") }).value;
    expect((own["output"] as unknown[])[0]).toEqual({ type: "reasoning", id: "rs_1", summary: [], content: [{ type: "reasoning_text", text: "raw" }] });
  });
});

describe("the summary item sent back", () => {
  it("decodes to the reasoning's text, artefact and origin, and re-encodes to the same item", () => {
    const next = codec.decodeRequest({ model: "gpt-5", input: [summaryItem] }).value;
    const part = next.messages[0]?.content[0];
    expect(part).toMatchObject({ type: "reasoning", text: "Let me think.", signature: "c2ln", origin: { protocol: "anthropic-messages" } });
    expect(part).not.toHaveProperty("summary");
    // Shown again to a Responses client (a stored lineage, a client of either setting), it is written as it came.
    for (const request of [asking("auto"), asking()]) {
      const again = codec.encodeResponse({ id: "msg_1", model: "m", output: [part as ReasoningPart], finishReason: { unified: "stop", raw: null } }, { request }).value;
      expect((again["output"] as unknown[])[0]).toEqual(summaryItem);
    }
  });

  it("gives unsigned Chat reasoning (a bare origin tag) its text back, and Codex's content: null changes nothing", () => {
    const chat = { type: "reasoning", summary: [{ type: "summary_text", text: "Because." }], content: null, encrypted_content: "swy1.openai-chat." };
    const part = codec.decodeRequest({ model: "gpt-5", input: [chat] }).value.messages[0]?.content[0];
    expect(part).toMatchObject({ type: "reasoning", text: "Because.", origin: { protocol: "openai-chat" } });
  });

  it("leaves Responses' own summaries, and foreign items with several summaries or with content, as they are", () => {
    const read = (item: Record<string, unknown>): unknown => codec.decodeRequest({ model: "gpt-5", input: [item] }).value.messages[0]?.content[0];
    expect(read({ type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "S" }], encrypted_content: "gAAA" })).toMatchObject({ text: "", summary: ["S"], encryptedContent: "gAAA" });
    expect(read({ ...summaryItem, summary: [{ type: "summary_text", text: "A" }, { type: "summary_text", text: "B" }] })).toMatchObject({ text: "", summary: ["A", "B"] });
    expect(read({ ...summaryItem, content: [{ type: "reasoning_text", text: "raw" }] })).toMatchObject({ text: "raw", summary: ["Let me think."] });
  });
});
