import { describe, expect, it } from "vitest";
import { BoundedStateTable } from "./bounded-state-table.js";

const clock = { now: () => 1_000 };

describe("BoundedStateTable copies", () => {
  it("stores and returns nested JSON as copies the caller cannot change", () => {
    const table = new BoundedStateTable({ maxEntries: 10, clock });
    const value = { ids: ["a", "b"], nested: { count: 1, list: [{ x: null }] } };
    table.set("k", value);
    value.ids.push("c");
    value.nested.list[0] = { x: null, y: 2 } as never;
    const read = table.get("k") as typeof value;
    expect(read).toEqual({ ids: ["a", "b"], nested: { count: 1, list: [{ x: null }] } });
    read.ids.push("d");
    expect(table.get("k")).toEqual({ ids: ["a", "b"], nested: { count: 1, list: [{ x: null }] } });
  });

  it("keeps an own __proto__ key as data, never as the copy's prototype", () => {
    const table = new BoundedStateTable({ maxEntries: 10, clock });
    table.set("k", JSON.parse('{"__proto__":{"polluted":true},"a":1}') as never);
    const read = table.get("k") as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(["__proto__", "a"]);
    expect((read as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
