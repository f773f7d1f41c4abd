import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import type { StreamEvent, UnifiedResponse } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

/**
 * Responses reasoning (summary + `encrypted_content`, item `rs_…`) behind a Gemini client: the payload rides as a
 * thought's thoughtSignature tagged with its origin, kind and the item id Gemini has no slot for, by the grammar all
 * codecs share (reasoning-signature.ts), and comes back as encrypted content of Responses origin with its id.
 */

const response: UnifiedResponse = {
  id: "resp_1",
  model: "gpt-5",
  output: [
    { type: "reasoning", text: "", summary: ["Check the weather."], encryptedContent: "gAAAenc", id: "rs_1", origin: { protocol: "openai-responses" } },
    { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" },
  ],
  finishReason: { unified: "tool_calls", raw: "completed" },
};

describe("Gemini client behind a Responses upstream: encrypted reasoning", () => {
  it("writes the summary as a thought carrying the payload tagged with kind and item id", () => {
    const { value, warnings } = geminiCodec.encodeResponse(response);
    const parts = (value["candidates"] as Array<{ content: { parts: unknown[] } }>)[0]?.content.parts;
    expect(parts).toEqual([
      { text: "Check the weather.", thought: true, thoughtSignature: "swy1.openai-responses.encrypted@rs_1:gAAAenc" },
      { functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } } },
    ]);
    expect(warnings).toEqual([]);
  });

  it("reads the replayed thought back as encrypted content of Responses origin with its item id", () => {
    const model = (geminiCodec.encodeResponse(response).value["candidates"] as Array<{ content: unknown }>)[0]?.content;
    const { value } = geminiCodec.decodeRequest({ contents: [{ role: "user", parts: [{ text: "Weather?" }] }, model] });
    expect(value.messages[1]?.content[0]).toEqual({
      type: "reasoning",
      text: "Check the weather.",
      encryptedContent: "gAAAenc",
      id: "rs_1",
      origin: { protocol: "openai-responses" },
    });
  });

  it("drops encrypted data claiming Gemini's own origin, and a second artefact, with warnings", () => {
    const { value, warnings } = geminiCodec.encodeResponse({
      ...response,
      output: [
        { type: "reasoning", text: "mine", encryptedContent: "bogus" },
        { type: "reasoning", text: "two", signature: "c2ln", redactedData: "b3Bx", origin: { protocol: "anthropic-messages" } },
      ],
    });
    expect((value["candidates"] as Array<{ content: { parts: unknown[] } }>)[0]?.content.parts).toEqual([
      { text: "mine", thought: true },
      { text: "two", thought: true, thoughtSignature: "swy1.anthropic-messages.c2ln" },
    ]);
    expect(warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ["reasoning-artefact-dropped", "output[0]"],
      ["reasoning-artefact-dropped", "output[1]"],
    ]);
  });

  it("streams the payload with the reasoning-start's item id in the tag, and decodes it back", () => {
    const events: StreamEvent[] = [
      { type: "start", id: "resp_1", model: "gpt-5" },
      { type: "reasoning-start", index: 0, id: "rs_1", origin: { protocol: "openai-responses" } },
      { type: "reasoning-delta", index: 0, text: "Check.", summaryIndex: 0 },
      { type: "reasoning-end", index: 0, encryptedContent: "gAAAenc" },
      { type: "finish", finishReason: { unified: "stop", raw: "completed" } },
    ];
    const encoder = geminiCodec.createStreamEncoder();
    const messages = parseSseText(events.map((event) => encoder.push(event)).join("") + encoder.end());
    const parts = messages.flatMap((message) => (JSON.parse(message.data) as { candidates: Array<{ content: { parts: unknown[] } }> }).candidates[0]?.content.parts ?? []);
    expect(parts).toContainEqual({ text: "", thought: true, thoughtSignature: "swy1.openai-responses.encrypted@rs_1:gAAAenc" });
    expect(encoder.warnings).toEqual([]);
    const decoder = geminiCodec.createStreamDecoder();
    const decoded = [...messages.flatMap((message) => decoder.push(message)), ...decoder.end()];
    expect(decoded.filter((event) => event.type === "reasoning-end")).toEqual([
      { type: "reasoning-end", index: 0, encryptedContent: "gAAAenc", origin: { protocol: "openai-responses" } },
    ]);
  });
});
