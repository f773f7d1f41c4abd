import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ProtocolId } from "../unified/index.js";
import { isEmptyAnswer } from "./detect-empty-answer.js";
import { provesVisibleText } from "./prove-visible-answer-text.js";

/** The full check on the parsed text (a `json` result never takes the textual shortcut). */
function fullCheckEmpty(text: string, protocol: ProtocolId): boolean {
  return isEmptyAnswer({ kind: "json", status: 200, headers: {}, body: JSON.parse(text) as unknown }, protocol);
}

const chat = (message: string, choice = '"index":0,') =>
  `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{${choice}"message":${message},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`;
const messages = (content: string) => `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":${content},"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}}`;

describe("provesVisibleText (the empty-answer check's shortcut)", () => {
  it("proves the common answers of Chat and Messages", () => {
    expect(provesVisibleText(chat('{"role":"assistant","content":"Hello {there}, \\"you\\"","refusal":null}'), "openai-chat")).toBe(true);
    expect(provesVisibleText(chat('{ "role" : "assistant" , "content" : "  \\u00a0x" }'), "openai-chat")).toBe(false);
    expect(provesVisibleText(chat('{"role":"assistant","content":"   Hi"}'), "openai-chat")).toBe(true);
    expect(provesVisibleText(chat('{"role":"assistant","content":"é"}'), "openai-chat")).toBe(true);
    expect(provesVisibleText(messages('[{"type":"text","text":"Hello"}]'), "anthropic-messages")).toBe(true);
    // OpenAI writes its answers indented.
    const indented = JSON.stringify(JSON.parse(chat('{"role":"assistant","content":"Hi","refusal":null,"annotations":[]}')), null, 2);
    expect(provesVisibleText(indented, "openai-chat")).toBe(true);
    expect(provesVisibleText(chat('{"role":"assistant","content":"Hi \\"there\\" \\\\","refusal":null}'), "openai-chat")).toBe(true);
  });

  it("does not prove what the full check must judge", () => {
    const unproven: [string, ProtocolId][] = [
      [chat('{"role":"assistant","content":""}'), "openai-chat"],
      [chat('{"role":"assistant","content":"  \\n "}'), "openai-chat"],
      [chat('{"role":"assistant","content":"\u00a0\u3000"}'), "openai-chat"],
      [chat('{"role":"assistant","content":null,"tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]}'), "openai-chat"],
      // A later duplicate key wins in JSON.parse.
      [chat('{"role":"assistant","content":"hi","content":""}'), "openai-chat"],
      [`{"choices":[{"index":0,"message":{"content":"hi"}}],"choices":[]}`, "openai-chat"],
      // A key spelled with an escape could be `content`.
      [chat('{"role":"assistant","content":"hi","cont\\u0065nt":""}'), "openai-chat"],
      // The decoder may pick another choice than the first.
      [chat('{"role":"assistant","content":"hi"}', '"index":1,'), "openai-chat"],
      [chat('{"role":"assistant","content":"hi"}', ""), "openai-chat"],
      [messages('[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"text","text":" "}]'), "anthropic-messages"],
      [messages('[{"type":"text","text":"hi","type":"thinking"}]'), "anthropic-messages"],
      [messages("[]"), "anthropic-messages"],
      // Not an object at the top: the decoders reject it.
      ['[{"index":0,"message":{"content":"hi"}}]', "openai-chat"],
      ['[{"type":"text","text":"hi"}]', "anthropic-messages"],
      // Shapes the pattern does not read are left to the full check, even when they have text.
      [messages('[{"type":"thinking","thinking":"hm","signature":"s"},{"text":"Hi","type":"text"}]'), "anthropic-messages"],
      [chat('{"role":"assistant","content":"hi","refusal":"\\u0020"}'), "openai-chat"],
      [chat('{"role":"assistant","tool_calls":[],"content":"hi"}'), "openai-chat"],
      ['{"output":[{"type":"message","content":[{"type":"output_text","text":"hi"}]}]}', "openai-responses"],
      ['{"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}', "gemini"],
    ];
    for (const [text, protocol] of unproven) expect(provesVisibleText(text, protocol), text).toBe(false);
  });

  it("reads nothing past a truncated or non-JSON text as proof of a parse", () => {
    // Whatever it answers for these, the full check calls them non-empty (they do not parse); it must only not throw.
    for (const text of ["", "{", '{"choices":[{"index":0,"message":{"content":"h', "[1,2]", "null", '{"choices":[{"index":0,"message":{"content":"hi"}'])
      expect(typeof provesVisibleText(text, "openai-chat")).toBe("boolean");
  });

  it("never proves an answer the full check calls empty (random Chat answers)", () => {
    const piece = fc.constantFrom("", " ", "\n", "\t", "\u00a0", "\u2028", "\ufeff", "x", "é", '"', "\\", "{", "}", "[", "]", ",", ":", "content", "\u0000");
    const content = fc.oneof(fc.array(piece, { maxLength: 6 }).map((parts) => parts.join("")), fc.constant(null));
    const member = fc.oneof(
      content.map((value) => ({ key: "content", value })),
      fc.constantFrom("assistant", "user").map((value) => ({ key: "role", value })),
      fc.constantFrom(null, "no").map((value) => ({ key: "refusal", value })),
      fc.constant({ key: "annotations", value: [{ a: "b" }] }),
    );
    const answer = fc.record({
      members: fc.array(member, { maxLength: 4 }),
      index: fc.constantFrom(0, 1, undefined),
      extraChoice: fc.boolean(),
      finish: fc.constantFrom("stop", "length"),
      spaced: fc.boolean(),
    });
    let proven = 0;
    fc.assert(
      fc.property(answer, ({ members, index, extraChoice, finish, spaced }) => {
        // Members written by hand so that duplicate keys survive into the text.
        const message = `{${members.map((entry) => `${JSON.stringify(entry.key)}${spaced ? " : " : ":"}${JSON.stringify(entry.value)}`).join(spaced ? " , " : ",")}}`;
        const first = `{${index === undefined ? "" : `"index":${index},`}"message":${message},"finish_reason":"${finish}"}`;
        const text = `{"id":"c","choices":[${first}${extraChoice ? ',{"index":0,"message":{"content":""},"finish_reason":"stop"}' : ""}]}`;
        if (!provesVisibleText(text, "openai-chat")) return;
        proven += 1;
        expect(fullCheckEmpty(text, "openai-chat")).toBe(false);
      }),
      { numRuns: 5_000 },
    );
    // The property is not vacuous: the shortcut does answer for some of them.
    expect(proven).toBeGreaterThan(10);
  });

  it("never proves an answer the full check calls empty (random Messages answers)", () => {
    const piece = fc.constantFrom("", " ", "\n", "\u3000", "x", '"', "\\", "}", "text", "type");
    const block = fc.record({
      type: fc.constantFrom("text", "thinking", "tool_use"),
      text: fc.array(piece, { maxLength: 5 }).map((parts) => parts.join("")),
      typeLast: fc.boolean(),
    });
    let proven = 0;
    fc.assert(
      fc.property(fc.array(block, { maxLength: 3 }), fc.constantFrom("end_turn", "max_tokens"), (blocks, stop) => {
        const written = blocks.map((entry) => {
          const extra = entry.type === "thinking" ? ',"signature":"s","thinking":"t"' : entry.type === "tool_use" ? ',"id":"t","name":"f","input":{}' : "";
          return entry.typeLast ? `{"text":${JSON.stringify(entry.text)}${extra},"type":"${entry.type}"}` : `{"type":"${entry.type}","text":${JSON.stringify(entry.text)}${extra}}`;
        });
        const text = messages(`[${written.join(",")}]`).replace("end_turn", stop);
        if (!provesVisibleText(text, "anthropic-messages")) return;
        proven += 1;
        expect(fullCheckEmpty(text, "anthropic-messages")).toBe(false);
      }),
      { numRuns: 2_000 },
    );
    expect(proven).toBeGreaterThan(20);
  });
});

describe("isEmptyAnswer on passthrough text", () => {
  const bytes = (body: string) => ({ kind: "bytes", status: 200, headers: {}, body }) as const;

  it("still finds an empty answer the shortcut cannot prove non-empty", () => {
    expect(isEmptyAnswer(bytes(chat('{"role":"assistant","content":""}')), "openai-chat")).toBe(true);
    expect(isEmptyAnswer(bytes(chat('{"role":"assistant","content":" \\n"}')), "openai-chat")).toBe(true);
    expect(isEmptyAnswer(bytes(messages('[{"type":"text","text":""}]')), "anthropic-messages")).toBe(true);
    expect(isEmptyAnswer(bytes(messages("[]")), "anthropic-messages")).toBe(true);
  });

  it("calls an answer with text, or one the full check proves non-empty, not empty", () => {
    expect(isEmptyAnswer(bytes(chat('{"role":"assistant","content":"hi"}')), "openai-chat")).toBe(false);
    expect(isEmptyAnswer(bytes(chat('{"role":"assistant","content":"\\nhi"}')), "openai-chat")).toBe(false);
    expect(isEmptyAnswer(bytes(messages('[{"type":"text","text":"hi"}]')), "anthropic-messages")).toBe(false);
    expect(isEmptyAnswer(bytes(messages('[{"type":"tool_use","id":"t","name":"f","input":{}}]')), "anthropic-messages")).toBe(false);
  });
});
