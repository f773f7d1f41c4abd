import { describe, expect, it } from "vitest";
import { readTrailingJsonMember } from "./read-trailing-json-member.js";

describe("readTrailingJsonMember", () => {
  it("reads the last member of that name, not one quoted inside a string value", () => {
    const text = JSON.stringify({ content: 'say {"usage": {"x": 1}} and "usage":{"y":2}', usage: { input_tokens: 3, note: "a } brace" } });
    expect(readTrailingJsonMember(text, "usage")).toEqual({ input_tokens: 3, note: "a } brace" });
  });

  it("tolerates pretty-printed JSON", () => {
    expect(readTrailingJsonMember(JSON.stringify({ a: 1, usageMetadata: { totalTokenCount: 9 } }, null, 2), "usageMetadata")).toEqual({ totalTokenCount: 9 });
  });

  it("is undefined when the member is absent, not an object, or cut off", () => {
    expect(readTrailingJsonMember('{"a":1}', "usage")).toBeUndefined();
    expect(readTrailingJsonMember('{"usage":null}', "usage")).toBeUndefined();
    expect(readTrailingJsonMember('{"usage":{"a":1', "usage")).toBeUndefined();
  });
});
