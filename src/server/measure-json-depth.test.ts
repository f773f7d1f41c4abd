import { describe, expect, it } from "vitest";
import { exceedsJsonDepth } from "./measure-json-depth.js";

describe("exceedsJsonDepth", () => {
  it("counts object and array nesting but not brackets inside strings", () => {
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false);
  });
});
