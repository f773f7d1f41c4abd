import { describe, expect, it } from "vitest";
import { createMemoryStateStore } from "../state/index.js";
import { createSessionAffinity } from "./create-session-affinity.js";

describe("session affinity bounds", () => {
  it("keeps at most maxEntries bindings, evicting the least recently used from memory and the store", async () => {
    let now = 1_000;
    const store = createMemoryStateStore({ clock: { now: () => now } });
    const affinity = createSessionAffinity("openai", { ttlMs: 60_000, maxEntries: 2 }, store);
    await affinity.bind("session-1", "openai:aaaa", now);
    await affinity.bind("session-2", "openai:bbbb", now);
    // A request of session-1 (the pool looks up, then binds again) makes session-2 the least recently used.
    expect(await affinity.lookup("session-1", now)).toBe("openai:aaaa");
    await affinity.bind("session-1", "openai:aaaa", now);
    await affinity.bind("session-3", "openai:cccc", now);
    expect(affinity.size).toBe(2);
    expect(await store.list("affinity:openai:")).toHaveLength(2);
    expect(await affinity.lookup("session-2", now)).toBeUndefined();
    expect(await affinity.lookup("session-1", now)).toBe("openai:aaaa");
    // The TTL runs from the last bind; the session id itself is never a store key.
    now += 60_000;
    expect(await affinity.lookup("session-3", now)).toBeUndefined();
    expect(JSON.stringify(await store.list(""))).not.toContain("session-");
  });
});
