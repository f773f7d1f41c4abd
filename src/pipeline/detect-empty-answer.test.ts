import { describe, expect, it } from "vitest";
import { endsWithAssistantTurn, isEmptyAnswer } from "./detect-empty-answer.js";

describe("endsWithAssistantTurn (a prefill may be continued with nothing)", () => {
  it("is true when the last turn is the assistant's, in each protocol", () => {
    expect(endsWithAssistantTurn({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "{" }] }, "anthropic-messages")).toBe(true);
    expect(endsWithAssistantTurn({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "{" }] }, "openai-chat")).toBe(true);
    expect(endsWithAssistantTurn({ contents: [{ role: "user", parts: [] }, { role: "model", parts: [{ text: "{" }] }] }, "gemini")).toBe(true);
    expect(endsWithAssistantTurn({ input: [{ role: "user", content: "hi" }, { role: "assistant", content: "{" }] }, "openai-responses")).toBe(true);
  });

  it("is false for a user or tool turn last, or a body without turns", () => {
    expect(endsWithAssistantTurn({ messages: [{ role: "assistant", content: "x" }, { role: "user", content: "hi" }] }, "openai-chat")).toBe(false);
    expect(endsWithAssistantTurn({ messages: [{ role: "tool", content: "x" }] }, "openai-chat")).toBe(false);
    expect(endsWithAssistantTurn({ input: "hi" }, "openai-responses")).toBe(false);
    expect(endsWithAssistantTurn({}, "gemini")).toBe(false);
  });
});

describe("isEmptyAnswer", () => {
  const chat = (content: string, finish: string) => ({ kind: "json", status: 200, headers: {}, body: { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finish }] } }) as const;

  it("an empty stop is empty; an empty length stop and any text are not", () => {
    expect(isEmptyAnswer(chat("", "stop"), "openai-chat")).toBe(true);
    expect(isEmptyAnswer(chat("", "length"), "openai-chat")).toBe(false);
    expect(isEmptyAnswer(chat("hello", "stop"), "openai-chat")).toBe(false);
  });
});
