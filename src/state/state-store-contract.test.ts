import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStateStore, openFileStateStore, type StateStore } from "./index.js";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now(): number; advance(ms: number): void } {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

const backends: Array<[string, (clock: { now(): number }, maxEntries?: number) => Promise<StateStore>]> = [
  ["memory", async (clock, maxEntries) => createMemoryStateStore({ clock, ...(maxEntries === undefined ? {} : { maxEntries }) })],
  [
    "file",
    async (clock, maxEntries) => {
      const directory = await mkdtemp(join(tmpdir(), "switchyard-state-"));
      directories.push(directory);
      return openFileStateStore({ path: join(directory, "state.json"), clock, debounceMs: 5, ...(maxEntries === undefined ? {} : { maxEntries }) });
    },
  ],
];

describe.each(backends)("StateStore contract (%s)", (_name, open) => {
  it("expires values after their TTL and copies values in and out", async () => {
    const clock = manualClock();
    const store = await open(clock);
    const value = { a: [1, 2] };
    await store.set("k", value, { ttlMs: 100 });
    value.a.push(3);
    const read = await store.get("k");
    expect(read).toEqual({ a: [1, 2] });
    clock.advance(99);
    expect(await store.get("k")).toEqual({ a: [1, 2] });
    clock.advance(1);
    expect(await store.get("k")).toBeUndefined();
    expect(await store.delete("k")).toBe(false);
    await store.set("k", null);
    expect(await store.delete("k")).toBe(true);
    await store.close();
  });

  it("increments within a window and restarts the count when the window expires", async () => {
    const clock = manualClock(5_000);
    const store = await open(clock);
    expect(await store.increment("c", 1, { windowMs: 1_000 })).toEqual({ value: 1, expiresAt: 6_000 });
    clock.advance(500);
    expect(await store.increment("c", 2, { windowMs: 1_000 })).toEqual({ value: 3, expiresAt: 6_000 });
    clock.advance(500);
    expect(await store.get("c")).toBeUndefined();
    expect(await store.increment("c", 1, { windowMs: 1_000 })).toEqual({ value: 1, expiresAt: 7_000 });
    expect(await store.increment("daily", 1, { expiresAt: 86_400_000 })).toEqual({ value: 1, expiresAt: 86_400_000 });
    expect(await store.increment("plain", 4)).toEqual({ value: 4 });
    await store.set("text", "x");
    await expect(store.increment("text", 1)).rejects.toMatchObject({ code: "internal" });
    await store.close();
  });

  it("lets exactly one of two racing compare-and-sets win, and resolves a race of many writers", async () => {
    const store = await open(manualClock());
    expect(await store.compareAndSet("x", undefined, { v: 1 })).toBe(true);
    const [first, second] = await Promise.all([store.compareAndSet("x", { v: 1 }, { v: 2 }), store.compareAndSet("x", { v: 1 }, { v: 3 })]);
    expect([first, second]).toEqual([true, false]);
    expect(await store.get("x")).toEqual({ v: 2 });

    // 200 writers each read-modify-write with retry: no update may be lost.
    const addOne = async (): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        const current = await store.get("n");
        const next = (typeof current === "number" ? current : 0) + 1;
        await Promise.resolve();
        if (await store.compareAndSet("n", current, next)) return attempt;
      }
    };
    const attempts = await Promise.all(Array.from({ length: 200 }, addOne));
    expect(await store.get("n")).toBe(200);
    expect(attempts.some((count) => count > 1)).toBe(true);
    expect(await store.compareAndSet("n", 200, undefined)).toBe(true);
    expect(await store.get("n")).toBeUndefined();
    await store.close();
  });

  it("lists unexpired entries by prefix in key order", async () => {
    const clock = manualClock();
    const store = await open(clock);
    await store.set("cooldown:b", 2);
    await store.set("cooldown:a", 1, { ttlMs: 10 });
    await store.set("cooldown:c", 3, { ttlMs: 100 });
    await store.set("other", 0);
    expect(await store.list("cooldown:")).toEqual([
      { key: "cooldown:a", value: 1, expiresAt: clock.now() + 10 },
      { key: "cooldown:b", value: 2 },
      { key: "cooldown:c", value: 3, expiresAt: clock.now() + 100 },
    ]);
    clock.advance(10);
    expect((await store.list("cooldown:")).map((entry) => entry.key)).toEqual(["cooldown:b", "cooldown:c"]);
    await store.close();
  });

  it("keeps at most maxEntries, evicting the least recently used", async () => {
    const store = await open(manualClock(), 3);
    await store.set("a", 1);
    await store.set("b", 2);
    await store.set("c", 3);
    await store.get("a");
    await store.set("d", 4);
    expect(await store.get("b")).toBeUndefined();
    expect(await store.list("")).toEqual([
      { key: "a", value: 1 },
      { key: "c", value: 3 },
      { key: "d", value: 4 },
    ]);
    for (let index = 0; index < 1_000; index++) await store.set(`bulk:${index}`, index);
    expect((await store.list("")).length).toBe(3);
    await store.close();
  });
});
