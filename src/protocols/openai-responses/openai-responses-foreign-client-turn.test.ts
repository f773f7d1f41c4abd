import { describe, expect, it } from "vitest";
import type { UnifiedRequest } from "../../unified/index.js";
import { decodeResponsesEncryptedContent } from "./convert-openai-responses-reasoning-artefact.js";
import { openAiResponsesCodec as codec } from "./index.js";

/**
 * A Responses upstream's turn coming back through a client of another protocol: empty text parts that client echoes
 * (Gemini streams end with one) make no message item, and reasoning whose encrypted_content and item id rode in an
 * origin tag goes back as OpenAI accepts a reasoning input item (summary + encrypted_content, empty `content`).
 */

const weatherCall = { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" } as const;

function request(messages: UnifiedRequest["messages"], sourceProtocol: UnifiedRequest["sourceProtocol"]): UnifiedRequest {
  return { model: "gpt-5", system: [], messages, generation: {}, stream: false, ...(sourceProtocol === undefined ? {} : { sourceProtocol }) };
}

describe("encodeRequest: empty text parts", () => {
  it("drops them when the request came from another protocol (or none is recorded)", () => {
    const messages: UnifiedRequest["messages"] = [
      { role: "user", content: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", content: [weatherCall, { type: "text", text: "" }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", content: [{ type: "text", text: "Sunny" }] }] },
      { role: "assistant", content: [{ type: "text", text: "" }, { type: "text", text: "It is sunny." }] },
    ];
    for (const source of ["gemini", undefined] as const) {
      const { value, warnings } = codec.encodeRequest(request(messages, source));
      expect(value["input"]).toEqual([
        { type: "message", role: "user", content: [{ type: "input_text", text: "Weather?" }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "Sunny" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "It is sunny." }] },
      ]);
      expect(warnings).toEqual([]);
    }
  });

  it("keeps a Responses client's own empty output_text, so that its body round-trips exactly", () => {
    const body = {
      model: "gpt-5",
      input: [
        { role: "user", content: "Weather?" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "", annotations: [] }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "" }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "" }] },
      ],
    };
    expect(codec.encodeRequest(codec.decodeRequest(body).value).value).toEqual(body);
  });
});

describe("encodeRequest: Responses reasoning back from another client", () => {
  it("sends the item with its id and encrypted_content, the text the client showed as its summary", () => {
    const { value, warnings } = codec.encodeRequest(
      request(
        [
          { role: "user", content: [{ type: "text", text: "Weather?" }] },
          {
            role: "assistant",
            content: [{ type: "reasoning", text: "Check.", encryptedContent: "gAAAenc", id: "rs_1", origin: { protocol: "openai-responses" } }, weatherCall],
          },
        ],
        "anthropic-messages",
      ),
    );
    expect((value["input"] as unknown[])[1]).toEqual({ type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Check." }], encrypted_content: "gAAAenc" });
    expect(warnings).toEqual([]);
  });

  it("keeps summaries the client kept apart, and a Responses client's reasoning_text content as sent", () => {
    const { value } = codec.encodeRequest(
      request([{ role: "assistant", content: [{ type: "reasoning", text: "", summary: ["a", "b"], encryptedContent: "gAAA", id: "rs_2", origin: { protocol: "openai-responses" } }] }], "openai-chat"),
    );
    expect(value["input"]).toEqual([
      { type: "reasoning", id: "rs_2", summary: [{ type: "summary_text", text: "a" }, { type: "summary_text", text: "b" }], encrypted_content: "gAAA" },
    ]);
    const own = { model: "gpt-oss", input: [{ type: "reasoning", id: "rs_3", summary: [], content: [{ type: "reasoning_text", text: "hm" }], encrypted_content: "gAAA" }] };
    expect(codec.encodeRequest(codec.decodeRequest(own).value).value).toEqual(own);
  });
});

describe("decodeResponsesEncryptedContent: the shared tag grammar", () => {
  it("reads the kind marker; an id in the tag is left to the item's own id", () => {
    expect(decodeResponsesEncryptedContent("swy1.anthropic-messages.redacted:b3Bx")).toEqual({ redactedData: "b3Bx", origin: { protocol: "anthropic-messages" } });
    expect(decodeResponsesEncryptedContent("swy1.gemini.signature@x:c2ln")).toEqual({ signature: "c2ln", origin: { protocol: "gemini" } });
    expect(decodeResponsesEncryptedContent("swy1.gemini.c2ln")).toEqual({ signature: "c2ln", origin: { protocol: "gemini" } });
    expect(decodeResponsesEncryptedContent("gAAA")).toEqual({ encryptedContent: "gAAA", origin: { protocol: "openai-responses" } });
  });
});
