import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { findWirePaths, formatWirePath, parseWirePath, removeAllWirePaths, removeWirePath, writeWirePath } from "./wire-path.js";

const body = { messages: [{ role: "system", content: "a" }, { role: "user", content: "b" }], "a.b": { c: 1 } };

describe("wire paths", () => {
  it("parses dotted keys, bracket and dotted indexes, wildcards and quoted keys", () => {
    expect(parseWirePath('messages[-1].content')).toEqual([{ key: "messages", wildcard: false }, { key: "-1", wildcard: false }, { key: "content", wildcard: false }]);
    expect(parseWirePath("messages.*.role")).toEqual([{ key: "messages", wildcard: false }, { key: "*", wildcard: true }, { key: "role", wildcard: false }]);
    expect(parseWirePath('["a.b"].c')).toEqual([{ key: "a.b", wildcard: false }, { key: "c", wildcard: false }]);
  });

  it("rejects malformed paths as config errors", () => {
    for (const bad of ["", "a..b", "a[", "a[x]", "a."]) {
      const error = (() => {
        try {
          parseWirePath(bad);
          return undefined;
        } catch (caught) {
          return caught;
        }
      })();
      expect(GatewayError.isInstance(error) && error.code).toBe("config");
    }
  });

  it("finds -1, dotted indexes and * matches in document order", () => {
    expect(findWirePaths(body, "messages[-1].content").map(formatWirePath)).toEqual(["messages[1].content"]);
    expect(findWirePaths(body, "messages.0.role").map(formatWirePath)).toEqual(["messages[0].role"]);
    expect(findWirePaths(body, "messages[*].role").map(formatWirePath)).toEqual(["messages[0].role", "messages[1].role"]);
    expect(findWirePaths(body, '["a.b"].c').map(formatWirePath)).toEqual(['["a.b"].c']);
    expect(findWirePaths(body, "messages[5].role")).toEqual([]);
  });

  it("writes and removes without mutating, sharing untouched branches", () => {
    const frozen = structuredClone(body);
    const written = writeWirePath(body, ["messages", 1, "name"], "x");
    expect(written.messages[1]).toEqual({ role: "user", content: "b", name: "x" });
    expect(written.messages[0]).toBe(body.messages[0]);
    expect(writeWirePath({}, ["a", 0, "b"], 1)).toEqual({ a: [{ b: 1 }] });
    expect(removeWirePath(body, ["messages", 0])).toEqual({ messages: [{ role: "user", content: "b" }], "a.b": { c: 1 } });
    expect(removeWirePath(body, ["nope"])).toBe(body);
    expect(removeAllWirePaths(body, "messages[*]").value).toEqual({ messages: [], "a.b": { c: 1 } });
    expect(body).toEqual(frozen);
  });
});
