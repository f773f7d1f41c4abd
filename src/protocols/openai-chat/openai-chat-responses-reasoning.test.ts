import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import type { StreamEvent, UnifiedResponse } from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/**
 * Responses reasoning (summaries + `encrypted_content`) behind a Chat client: `reasoning_content` holds the visible
 * reasoning, the summaries when there is no full text, streamed or not; the payload rides in `reasoning_details`
 * tagged with its origin and kind (reasoning-signature.ts), the item id in the entries' own `id`.
 */

const now = (): number => 1_750_000_000_000;

function message(output: UnifiedResponse["output"]): Record<string, unknown> | undefined {
  const body = openAiChatCodec.encodeResponse({ id: "resp_1", model: "gpt-5", output, finishReason: { unified: "stop", raw: "completed" } }, { now }).value;
  return (body["choices"] as Array<{ message: Record<string, unknown> }>)[0]?.message;
}

describe("encodeResponse: reasoning_content from Responses summaries", () => {
  it("joins the summaries as paragraphs when the reasoning has no text", () => {
    const written = message([
      { type: "reasoning", text: "", summary: ["**Plan**", "Call it."], encryptedContent: "gAAA", id: "rs_1", origin: { protocol: "openai-responses" } },
      { type: "text", text: "Done." },
    ]);
    expect(written?.["reasoning_content"]).toBe("**Plan**\n\nCall it.");
    expect(written?.["reasoning_details"]).toEqual([
      { type: "reasoning.summary", summary: "**Plan**", format: "openai-responses-v1", id: "rs_1" },
      { type: "reasoning.summary", summary: "Call it.", format: "openai-responses-v1", id: "rs_1" },
      { type: "reasoning.encrypted", data: "swy1.openai-responses.encrypted:gAAA", format: "openai-responses-v1", id: "rs_1" },
    ]);
  });

  it("prefers full reasoning text over summaries, and writes nothing for reasoning with neither", () => {
    expect(message([{ type: "reasoning", text: "full", summary: ["short"], origin: { protocol: "openai-responses" } }])?.["reasoning_content"]).toBe("full");
    expect(message([{ type: "reasoning", text: "", summary: [] }, { type: "text", text: "x" }])).not.toHaveProperty("reasoning_content");
  });

  it("the client's replayed message gives the payload back as Responses' encrypted content with its id", () => {
    const written = message([{ type: "reasoning", text: "", summary: ["Plan."], encryptedContent: "gAAA", id: "rs_1", origin: { protocol: "openai-responses" } }]);
    const request = openAiChatCodec.decodeRequest({ model: "m", messages: [{ role: "user", content: "q" }, { ...written, content: "a" }] }).value;
    expect(request.messages[1]?.content[0]).toMatchObject({ type: "reasoning", summary: ["Plan."], encryptedContent: "gAAA", id: "rs_1", origin: { protocol: "openai-responses" } });
  });

  it("does not send summaries to a Chat upstream as reasoning_content (only its own text is replayed)", () => {
    const { value } = openAiChatCodec.encodeRequest({
      model: "deepseek-reasoner",
      system: [],
      messages: [{ role: "assistant", content: [{ type: "reasoning", text: "", summary: ["s"] }, { type: "text", text: "a" }] }],
      generation: {},
      stream: false,
      sourceProtocol: "openai-chat",
    });
    expect((value["messages"] as Array<Record<string, unknown>>)[0]).toEqual({ role: "assistant", content: "a" });
  });
});

describe("kind markers in reasoning_details tags win over the slot", () => {
  it("reads an encrypted payload as such even under an anthropic format or in a signature", () => {
    const request = openAiChatCodec.decodeRequest({
      model: "m",
      messages: [
        {
          role: "assistant",
          content: "a",
          reasoning_details: [
            { type: "reasoning.encrypted", data: "swy1.openai-responses.encrypted:gAAA", format: "anthropic-claude-v1", id: "rs_1" },
            { type: "reasoning.text", text: "t", signature: "swy1.anthropic-messages.redacted:b3Bx" },
          ],
        },
      ],
    }).value;
    const parts = request.messages[0]?.content ?? [];
    expect(parts[0]).toMatchObject({ type: "reasoning", encryptedContent: "gAAA", id: "rs_1", origin: { protocol: "openai-responses" } });
    expect(parts[0]).not.toHaveProperty("redactedData");
    expect(parts[1]).toMatchObject({ type: "reasoning", text: "t", redactedData: "b3Bx", origin: { protocol: "anthropic-messages" } });
    expect(parts[1]).not.toHaveProperty("signature");
  });

  it("stream decoder: a marked payload under an anthropic format ends the reasoning block as encrypted content", () => {
    const decoder = openAiChatCodec.createStreamDecoder();
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      data: JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] }),
    });
    const events = [
      ...decoder.push(chunk({ reasoning_content: "Plan." })),
      ...decoder.push(chunk({ reasoning_details: [{ type: "reasoning.encrypted", data: "swy1.openai-responses.encrypted:gAAA", format: "anthropic-claude-v1" }] })),
      ...decoder.push(chunk({}, "stop")),
      ...decoder.end(),
    ];
    expect(events.filter((event) => event.type === "reasoning-end")).toEqual([
      { type: "reasoning-end", index: 0, encryptedContent: "gAAA", origin: { protocol: "openai-responses" } },
    ]);
  });
});

describe("stream encoder: summaries", () => {
  it("keeps summary parts apart as paragraphs in reasoning_content, as the non-streamed response joins them", () => {
    const events: StreamEvent[] = [
      { type: "start", id: "resp_1", model: "gpt-5", created: 1_700_000_000 },
      { type: "reasoning-start", index: 0, id: "rs_1", origin: { protocol: "openai-responses" } },
      { type: "reasoning-delta", index: 0, text: "**Plan**", summaryIndex: 0 },
      { type: "reasoning-delta", index: 0, text: " more", summaryIndex: 0 },
      { type: "reasoning-delta", index: 0, text: "Call it.", summaryIndex: 1 },
      { type: "reasoning-end", index: 0, encryptedContent: "gAAA" },
      { type: "finish", finishReason: { unified: "stop", raw: "completed" } },
    ];
    const encoder = openAiChatCodec.createStreamEncoder({ now });
    const text = events.map((event) => encoder.push(event)).join("") + encoder.end();
    const deltas = parseSseText(text).flatMap((frame) =>
      frame.data === "[DONE]" ? [] : [(JSON.parse(frame.data) as { choices: Array<{ delta: Record<string, unknown> }> }).choices[0]?.delta],
    );
    expect(deltas.flatMap((delta) => (typeof delta?.["reasoning_content"] === "string" ? [delta["reasoning_content"]] : [])).join("")).toBe("**Plan** more\n\nCall it.");
    expect(deltas).toContainEqual({
      reasoning_details: [{ type: "reasoning.encrypted", data: "swy1.openai-responses.encrypted:gAAA", format: "openai-responses-v1", id: "rs_1" }],
    });
  });
});
