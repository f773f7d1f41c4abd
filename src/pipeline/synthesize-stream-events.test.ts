import { describe, expect, it } from "vitest";
import { findStreamGrammarProblems, type UnifiedResponse } from "../unified/index.js";
import { synthesizeStreamEvents } from "./synthesize-stream-events.js";

const response: UnifiedResponse = {
  id: "resp_1",
  model: "m",
  created: 1_700_000_000,
  output: [
    { type: "reasoning", text: "thinking", summary: ["a summary"], signature: "sig", id: "rs_1" },
    { type: "text", text: "Hello" },
    { type: "refusal", text: "I won't do that part." },
    { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" },
    { type: "image", source: { kind: "url", url: "https://example.test/cat.png" } },
    { type: "native", protocol: "openai-responses", value: { type: "web_search_call", id: "ws_1" } },
  ],
  finishReason: { unified: "tool_calls", raw: "tool_calls" },
  usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 2, totalTokens: 15 },
};

describe("synthesizeStreamEvents", () => {
  it("turns a whole response into a well-formed stream: one block per part, usage, then the finish", () => {
    const { events, warnings } = synthesizeStreamEvents(response);
    expect(findStreamGrammarProblems(events)).toEqual([]);
    expect(events.map((event) => event.type)).toEqual([
      "start",
      "reasoning-start",
      "reasoning-delta",
      "reasoning-delta",
      "reasoning-signature",
      "reasoning-end",
      "text-start",
      "text-delta",
      "text-end",
      "text-start",
      "text-delta",
      "text-end",
      "tool-call-start",
      "tool-call-delta",
      "tool-call-end",
      "native-item",
      "usage",
      "finish",
    ]);
    expect(events[0]).toEqual({ type: "start", id: "resp_1", model: "m", created: 1_700_000_000 });
    expect(events.filter((event) => event.type === "text-delta").map((event) => event.text)).toEqual(["Hello", "I won't do that part."]);
    expect(events.find((event) => event.type === "tool-call-delta")).toEqual({ type: "tool-call-delta", index: 3, argumentsDelta: '{"city":"Paris"}' });
    expect(events.at(-1)).toEqual({ type: "finish", finishReason: response.finishReason, usage: response.usage });
    // An image has no stream event: it is left out, with a warning.
    expect(warnings.map((warning) => warning.code)).toEqual(["image-output-dropped-in-stream"]);
  });

  it("an empty answer is a start and a finish, nothing in between", () => {
    const { events } = synthesizeStreamEvents({ id: "r", model: "m", output: [], finishReason: { unified: "stop", raw: "stop" } });
    expect(events.map((event) => event.type)).toEqual(["start", "finish"]);
  });
});
