import { describe, expect, it } from "vitest";
import { mayBecomeToolCall, parseEmulatedToolCalls } from "./parse-emulated-tool-calls.js";

const tools = ["get_weather", "search"];

describe("parseEmulatedToolCalls", () => {
  it("reads the JSON spellings, fenced or not, and several calls", () => {
    expect(parseEmulatedToolCalls('{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"search","arguments":{"q":"x"}}]}', tools)).toEqual({
      calls: [
        { name: "get_weather", arguments: '{"city":"Paris"}' },
        { name: "search", arguments: '{"q":"x"}' },
      ],
      text: "",
    });
    expect(parseEmulatedToolCalls('```json\n{"tool": "get_weather", "arguments": {"city": "Rome"}}\n```', tools)?.calls).toEqual([{ name: "get_weather", arguments: '{"city":"Rome"}' }]);
    expect(parseEmulatedToolCalls('[{"name":"search","arguments":"{\\"q\\":\\"a\\"}"}]', tools)?.calls).toEqual([{ name: "search", arguments: '{"q":"a"}' }]);
  });

  it("reads special tokens with Python-style calls and keeps the text around them", () => {
    expect(parseEmulatedToolCalls('Let me check.<|tool_call_start|>[get_weather(city="Paris", days=2, metric=True)]<|tool_call_end|>', tools)).toEqual({
      calls: [{ name: "get_weather", arguments: '{"city":"Paris","days":2,"metric":true}' }],
      text: "Let me check.",
    });
  });

  it("reads a bare Python-style call with JSON and quoted arguments", () => {
    expect(parseEmulatedToolCalls(`search(q='it\\'s', filters={"lang": "en"})`, tools)?.calls).toEqual([{ name: "search", arguments: '{"q":"it\'s","filters":{"lang":"en"}}' }]);
  });

  it("reads calls written as JSON on new lines after some prose", () => {
    expect(parseEmulatedToolCalls('I will look it up.\n\n```json\n{"tool_calls":[{"name":"search","arguments":{"q":"x"}}]}\n```', tools)).toEqual({
      calls: [{ name: "search", arguments: '{"q":"x"}' }],
      text: "I will look it up.",
    });
    expect(parseEmulatedToolCalls('Example:\n{"a": 1}\nDone.', tools)).toBeUndefined();
  });

  it("leaves ordinary answers, unknown tools and non-object arguments alone", () => {
    expect(parseEmulatedToolCalls("The weather is fine (sunny).", tools)).toBeUndefined();
    expect(parseEmulatedToolCalls('{"answer": 42}', tools)).toBeUndefined();
    expect(parseEmulatedToolCalls('{"tool":"delete_everything","arguments":{}}', tools)).toBeUndefined();
    expect(parseEmulatedToolCalls('{"tool":"search","arguments":[1]}', tools)).toBeUndefined();
    expect(parseEmulatedToolCalls("get_weather is a tool I have", tools)).toBeUndefined();
  });
});

describe("mayBecomeToolCall", () => {
  it("holds JSON starts, token starts and known-name prefixes, and releases prose", () => {
    expect(["", "  ", "{", "```", "<|tool", "get_wea", "get_weather (", "search("].map((text) => mayBecomeToolCall(text, tools))).toEqual([true, true, true, true, true, true, true, true]);
    expect(["Hello", "get_weather is", "<b>"].map((text) => mayBecomeToolCall(text, tools))).toEqual([false, false, false]);
  });
});
