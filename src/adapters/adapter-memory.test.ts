import { describe, expect, it } from "vitest";
import { createAdapterMemory } from "./adapter-memory.js";
import { createAdapterRegistry, defineAdapterFactory } from "./adapter-registry.js";
import { z } from "zod";

describe("createAdapterMemory", () => {
  it("recalls a key until its TTL has passed on the given clock, then forgets it", () => {
    const memory = createAdapterMemory();
    memory.remember("openrouter/lfm", 1_000, 500);
    expect(memory.recalls("openrouter/lfm", 1_000)).toBe(true);
    expect(memory.recalls("openrouter/lfm", 1_499)).toBe(true);
    expect(memory.recalls("openrouter/lfm", 1_500)).toBe(false);
    expect(memory.size).toBe(0);
    expect(memory.recalls("never/seen", 0)).toBe(false);
  });

  it("stays within its bound: expired entries go first, then the least recently remembered", () => {
    const memory = createAdapterMemory(2);
    memory.remember("a", 0, 10);
    memory.remember("b", 0, 1_000);
    memory.remember("c", 20, 1_000); // "a" has expired: it makes room
    expect([memory.recalls("b", 20), memory.recalls("c", 20), memory.size]).toEqual([true, true, 2]);
    memory.remember("b", 30, 1_000); // refreshed: "c" is now the oldest
    memory.remember("d", 40, 1_000);
    expect([memory.recalls("b", 40), memory.recalls("c", 40), memory.recalls("d", 40), memory.size]).toEqual([true, false, true, 2]);
  });
});

describe("adapter registry scope", () => {
  /** An adapter whose request side reports whether its memory holds the target, and remembers it. */
  const probe = defineAdapterFactory({
    name: "probe",
    description: "test",
    options: z.object({}),
    create: (_options, { memory }) => ({
      name: "probe",
      phase: "normal",
      request(body, context) {
        const seen = memory.recalls(context.model, 0);
        memory.remember(context.model, 0, 1_000);
        return { value: { ...body, seen }, changes: [], warnings: [] };
      },
    }),
  });
  const context = { protocol: "openai-chat" as const, provider: "p", model: "m", stream: false };

  it("gives every instance of one adapter name the same memory, and each registry its own", () => {
    const registry = createAdapterRegistry([probe]);
    expect(registry.create("probe").request?.({}, context).value["seen"]).toBe(false);
    expect(registry.create("probe").request?.({}, context).value["seen"]).toBe(true);
    expect(createAdapterRegistry([probe]).create("probe").request?.({}, context).value["seen"]).toBe(false);
  });
});
