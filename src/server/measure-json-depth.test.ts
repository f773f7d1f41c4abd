import { describe, expect, it } from "vitest";
import { exceedsJsonDepth } from "./measure-json-depth.js";

describe("exceedsJsonDepth", () => {
  it("counts object and array nesting but not brackets inside strings", () => {
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false);
  });

  it("ends a string only at a quote that is not escaped, however many backslashes precede it", () => {
    // `"\\\\"` is a string holding two backslashes: the quote after them closes it, so the brackets after it count.
    expect(exceedsJsonDepth('{"a":"x\\\\\\\\","b":[[1]]}', 2)).toBe(true);
    expect(exceedsJsonDepth('{"a":"x\\\\\\"[[[","b":1}', 1)).toBe(false);
    expect(exceedsJsonDepth('{"k\\\\":[[[1]]]}', 3)).toBe(true);
    expect(exceedsJsonDepth('{"k\\\\":[[[1]]]}', 4)).toBe(false);
  });

  it("agrees with JSON.parse's nesting on parsed bodies", () => {
    const depthOf = (value: unknown): number =>
      typeof value === "object" && value !== null ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf)) : 0;
    const bodies = [
      { messages: [{ role: "user", content: 'say "[{" then \\ and "}]"' }], tools: [{ schema: { type: "object", properties: { a: { type: ["string"] } } } }] },
      ["\\", "\\\"", { "\\\\": [[["\"]"]]] }],
    ];
    for (const body of bodies) {
      const text = JSON.stringify(body);
      const depth = depthOf(body);
      expect(exceedsJsonDepth(text, depth)).toBe(false);
      expect(exceedsJsonDepth(text, depth - 1)).toBe(true);
    }
  });

  it("decides on bracket counts alone only where they cannot reach past the limit", () => {
    const nested = (levels: number): string => "[".repeat(levels) + "]".repeat(levels);
    expect(exceedsJsonDepth(nested(256), 256)).toBe(false);
    expect(exceedsJsonDepth(nested(257), 256)).toBe(true);
    // More brackets than the limit, all inside strings or side by side: the full scan decides, and finds it shallow.
    expect(exceedsJsonDepth(JSON.stringify({ text: "{[".repeat(300), list: Array.from({ length: 300 }, () => [{}]) }), 4)).toBe(false);
  });
});
