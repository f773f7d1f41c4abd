import * as fsPromises from "node:fs/promises";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileStateStore, type FileStateEvent, type StateFileSystem } from "./index.js";

let directory = "";
let path = "";
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-file-state-"));
  path = join(directory, "state.json");
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("openFileStateStore", () => {
  it("survives a restart: a new instance reads what the old one wrote after flush", async () => {
    const first = await openFileStateStore({ path, debounceMs: 60_000 });
    expect(first.loadedFrom).toBe("empty");
    await first.set("cooldown:a", { until: Date.now() + 60_000, reason: "rate_limited" }, { ttlMs: 60_000 });
    await first.increment("usage:a", 3, { windowMs: 60_000 });
    await first.set("gone", 1, { ttlMs: 1 });
    await first.flush();
    await first.close();

    const second = await openFileStateStore({ path });
    expect(second.loadedFrom).toBe("main");
    expect(await second.get("cooldown:a")).toMatchObject({ reason: "rate_limited" });
    expect(await second.increment("usage:a", 1, { windowMs: 60_000 })).toMatchObject({ value: 4 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await second.get("gone")).toBeUndefined();
    await second.close();
  });

  it("writes in the background after the debounce, without the caller waiting for the disk", async () => {
    let opens = 0;
    const countingFileSystem: StateFileSystem = { ...fsPromises, open: (async (...args: Parameters<typeof fsPromises.open>) => {
      opens++;
      return fsPromises.open(...args);
    }) as typeof fsPromises.open };
    const store = await openFileStateStore({ path, debounceMs: 20, fileSystem: countingFileSystem });
    for (let index = 0; index < 50; index++) await store.set(`k${index}`, index);
    expect(opens).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    // One snapshot for 50 changes: the temporary file plus the directory fsync.
    expect(opens).toBe(2);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ format: "switchyard-state", version: 1 });
    await store.close();
  });

  it("never blocks a request on disk I/O, even when the disk hangs", async () => {
    const hangingFileSystem: StateFileSystem = { ...fsPromises, open: (() => new Promise(() => undefined)) as typeof fsPromises.open };
    const store = await openFileStateStore({ path, debounceMs: 1, fileSystem: hangingFileSystem });
    await store.set("a", 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The first snapshot is stuck writing; requests still read and write memory at once.
    await store.set("b", 2);
    expect(await store.get("a")).toBe(1);
    expect(await store.increment("c", 1)).toEqual({ value: 1 });
  });

  it("recovers from the .bak copy when the main file is corrupt, and keeps the good copy", async () => {
    const events: FileStateEvent[] = [];
    const first = await openFileStateStore({ path });
    await first.set("generation", 1);
    await first.flush();
    await first.set("generation", 2);
    await first.close();
    // The main file now holds generation 2 and .bak generation 1; tear the main file.
    const text = await readFile(path, "utf8");
    await writeFile(path, text.slice(0, text.length / 2));

    const second = await openFileStateStore({ path, onEvent: (event) => events.push(event) });
    expect(second.loadedFrom).toBe("backup");
    expect(await second.get("generation")).toBe(1);
    expect(events).toEqual([{ kind: "recovered", source: "backup", problems: ["state.json: not valid JSON (torn or truncated write)"] }]);
    expect((await readdir(directory)).sort()).toEqual(["state.json.bak", "state.json.corrupt"]);

    // The next write must not rotate anything over the good backup.
    await second.set("generation", 3);
    await second.close();
    expect(JSON.parse(await readFile(`${path}.bak`, "utf8"))).toMatchObject({ entries: [["generation", 1, null]] });
    const third = await openFileStateStore({ path });
    expect(await third.get("generation")).toBe(3);
    await third.close();
  });

  it("starts empty, and says why, when neither copy is usable", async () => {
    await writeFile(path, JSON.stringify({ something: "else" }));
    await writeFile(`${path}.bak`, "{");
    const events: FileStateEvent[] = [];
    const store = await openFileStateStore({ path, onEvent: (event) => events.push(event) });
    expect(store.loadedFrom).toBe("empty");
    expect(events).toEqual([
      { kind: "recovered", source: "empty", problems: ["state.json: not a Switchyard state snapshot", "state.json.bak: not valid JSON (torn or truncated write)"] },
    ]);
    await store.close();
  });

  it("replaces the file atomically: a failed rename leaves the old file whole and no temporary file behind", async () => {
    const first = await openFileStateStore({ path });
    await first.set("version", "old");
    await first.close();
    const before = await readFile(path, "utf8");

    const events: FileStateEvent[] = [];
    let failRenames = true;
    const failingFileSystem: StateFileSystem = {
      ...fsPromises,
      rename: (async (from: string, to: string) => {
        if (failRenames && from.endsWith(".tmp")) throw Object.assign(new Error("EIO"), { code: "EIO" });
        return fsPromises.rename(from, to);
      }) as typeof fsPromises.rename,
    };
    const second = await openFileStateStore({ path, fileSystem: failingFileSystem, onEvent: (event) => events.push(event) });
    await second.set("version", "new");
    await expect(second.flush()).rejects.toMatchObject({ code: "internal" });
    expect(events.map((event) => event.kind)).toEqual(["write-failed"]);
    expect((await readdir(directory)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    // The main file was rotated to .bak before the failed rename: a restart finds the old state there.
    const recovered = await openFileStateStore({ path, fileSystem: failingFileSystem });
    expect(await recovered.get("version")).toBe("old");
    expect(JSON.parse(await readFile(`${path}.bak`, "utf8"))).toEqual(JSON.parse(before));

    // Once the disk works again the pending change is written.
    failRenames = false;
    await second.flush();
    const third = await openFileStateStore({ path });
    expect(await third.get("version")).toBe("new");
  });

  it("removes temporary files left by a crash mid-write", async () => {
    await writeFile(`${path}.4242.7.tmp`, '{"format":"switchyard-state","vers');
    await writeFile(join(directory, "unrelated.tmp"), "keep");
    const store = await openFileStateStore({ path });
    expect((await readdir(directory)).sort()).toEqual(["unrelated.tmp"]);
    await store.close();
  });

  it("bounds the snapshot size by dropping the least recently used entries", async () => {
    const events: FileStateEvent[] = [];
    const store = await openFileStateStore({ path, maxBytes: 128 + 3 * 28, onEvent: (event) => events.push(event) });
    for (let index = 0; index < 10; index++) await store.set(`key-${index}`, "x".repeat(8));
    await store.flush();
    expect(events).toEqual([{ kind: "trimmed", droppedEntries: 7, maxBytes: 212 }]);
    expect((await store.list("")).map((entry) => entry.key)).toEqual(["key-7", "key-8", "key-9"]);
    expect((await readFile(path)).byteLength).toBeLessThanOrEqual(212);
    await store.close();
  });
});
