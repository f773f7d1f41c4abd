import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, type SseMessage, type StreamEvent, type UnifiedResponse, type UnifiedWarning } from "../../unified/index.js";
import { decodeResponsesEncryptedContent, encodeResponsesEncryptedContent } from "./convert-openai-responses-reasoning-artefact.js";
import { openAiResponsesCodec as codec } from "./index.js";

/**
 * Reasoning of another origin without any artefact (Chat reasoning_content) reaches a Responses client with the bare
 * origin tag as its encrypted_content (`swy1.openai-chat.`); clients replay reasoning items whole, so the origin
 * comes back and only a Chat upstream gets the reasoning again (reasoning-signature.ts).
 */

type Item = Record<string, unknown>;

describe("encrypted_content: bare origin tags", () => {
  it("is written for foreign reasoning without an artefact, and for nothing else", () => {
    const warnings: UnifiedWarning[] = [];
    expect(encodeResponsesEncryptedContent({ origin: { protocol: "openai-chat" } }, warnings)).toBe("swy1.openai-chat.");
    expect(encodeResponsesEncryptedContent({ origin: { protocol: "openai-responses" } }, warnings)).toBeUndefined();
    expect(encodeResponsesEncryptedContent({}, warnings)).toBeUndefined();
    expect(encodeResponsesEncryptedContent({ signature: "c2ln", origin: { protocol: "gemini" } }, warnings)).toBe("swy1.gemini.c2ln");
    expect(warnings).toEqual([]);
  });

  it("reads back as the origin alone", () => {
    expect(decodeResponsesEncryptedContent("swy1.openai-chat.")).toEqual({ origin: { protocol: "openai-chat" } });
    expect(decodeResponsesEncryptedContent("gAAAA")).toEqual({ encryptedContent: "gAAAA", origin: { protocol: "openai-responses" } });
  });
});

describe("responses and replayed items", () => {
  const response: UnifiedResponse = {
    id: "chatcmpl-1",
    model: "deepseek-reasoner",
    output: [
      { type: "reasoning", text: "I should run it.", origin: { protocol: "openai-chat" } },
      { type: "tool-call", id: "call_1", name: "exec_command", arguments: '{"cmd":"ls"}', kind: "function" },
    ],
    finishReason: { unified: "tool_calls", raw: "tool_calls" },
  };

  it("encodeResponse writes the bare tag; the replayed item decodes to Chat's origin, which a Responses upstream does not get", () => {
    const output = codec.encodeResponse(response, { now: () => 0 }).value["output"] as Item[];
    expect(output[0]).toMatchObject({ type: "reasoning", content: [{ type: "reasoning_text", text: "I should run it." }], encrypted_content: "swy1.openai-chat." });
    const request = codec.decodeRequest({ model: "gpt-5", input: [{ role: "user", content: "ls" }, ...output, { type: "function_call_output", call_id: "call_1", output: "a" }] }).value;
    expect(request.messages[1]?.content[0]).toMatchObject({ type: "reasoning", text: "I should run it.", origin: { protocol: "openai-chat" } });
    expect(request.messages[1]?.content[0]).not.toHaveProperty("encryptedContent");
    expect(request.messages[1]?.content[0]).not.toHaveProperty("signature");
    const upstream = codec.encodeRequest({ ...request, model: "gpt-5" });
    expect((upstream.value["input"] as Item[]).some((item) => item["type"] === "reasoning")).toBe(false);
    expect(upstream.warnings.map((warning) => warning.code)).toContain("reasoning-artefact-dropped");
  });

  it("decodeResponse marks upstream reasoning without encrypted_content as Responses'", () => {
    const decoded = codec.decodeResponse({
      id: "resp_1",
      object: "response",
      created_at: 1,
      status: "completed",
      model: "gpt-5",
      output: [{ id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "Plan." }] }],
    }).value;
    expect(decoded.output[0]).toMatchObject({ type: "reasoning", id: "rs_1", summary: ["Plan."], origin: { protocol: "openai-responses" } });
  });
});

describe("streams", () => {
  const events: StreamEvent[] = [
    { type: "start", id: "chatcmpl-1", model: "deepseek-reasoner" },
    { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
    { type: "reasoning-delta", index: 0, text: "I should run it." },
    { type: "reasoning-end", index: 0 },
    { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
  ];

  function encode(stream: readonly StreamEvent[]): SseMessage[] {
    const encoder = codec.createStreamEncoder({ now: () => 0 });
    return parseSseText(stream.map((event) => encoder.push(event)).join("") + encoder.end());
  }

  it("the done item carries the bare tag, also when the origin comes only on reasoning-end", () => {
    const doneItems = (messages: SseMessage[]) =>
      messages.map((message) => JSON.parse(message.data) as Item).filter((frame) => frame["type"] === "response.output_item.done").map((frame) => (frame["item"] as Item)["encrypted_content"]);
    expect(doneItems(encode(events))).toEqual(["swy1.openai-chat."]);
    const late: StreamEvent[] = [events[0] as StreamEvent, { type: "reasoning-start", index: 0 }, events[2] as StreamEvent, { type: "reasoning-end", index: 0, origin: { protocol: "gemini" } }, events[4] as StreamEvent];
    expect(doneItems(encode(late))).toEqual(["swy1.gemini."]);
  });

  it("decodes the bare tag on output_item.done to the block's origin on reasoning-end, with no artefact", () => {
    const decoder = codec.createStreamDecoder();
    const decoded = [...encode(events).flatMap((message) => decoder.push(message)), ...decoder.end()];
    assertWellFormedStream(decoded);
    expect(decoded.filter((event) => event.type === "reasoning-start" || event.type === "reasoning-end" || event.type === "reasoning-signature")).toEqual([
      { type: "reasoning-start", index: 0, id: "rs_chatcmpl-1_0", origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 0, summary: [], origin: { protocol: "openai-chat" } },
    ]);
  });
});
