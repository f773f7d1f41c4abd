import { basename, dirname, join } from "node:path";
import { z } from "zod";
import type { TableEntry } from "./bounded-state-table.js";
import type { JsonValue } from "./state-store.js";
import { isMissingFile, temporaryFileSuffix, type StateFileSystem } from "./write-file-atomically.js";

/** Identifies a Switchyard state file, so a stray JSON file is never taken for one. */
const snapshotFormat = "switchyard-state";

const snapshotSchema = z.object({
  format: z.literal(snapshotFormat),
  version: z.literal(1),
  savedAt: z.number(),
  entries: z.array(z.tuple([z.string(), z.json(), z.number().nullable()])),
});

/** Where the loaded state came from. */
export type SnapshotSource = "main" | "backup" | "empty";

/** The outcome of reading the state file at start-up. */
export interface LoadedSnapshot {
  entries: Array<[string, TableEntry]>;
  source: SnapshotSource;
  /** Why the main file was not used (missing, unreadable, corrupt), when it was not. */
  problems: string[];
}

/** Serialize entries (least recently used first) into the snapshot text; one entry per line keeps diffs and partial reads legible. */
export function serializeStateSnapshot(entryLines: string[], savedAt: number): string {
  return `{"format":"${snapshotFormat}","version":1,"savedAt":${savedAt},"entries":[\n${entryLines.join(",\n")}\n]}\n`;
}

/** One entry as its snapshot line. */
export function serializeSnapshotEntry(key: string, entry: TableEntry): string {
  return JSON.stringify([key, entry.value, entry.expiresAt ?? null]);
}

/**
 * Read the state at `path`, falling back to `<path>.bak` (the previous good copy) when the main file is missing or
 * corrupt. A corrupt main file is moved aside to `<path>.corrupt` so the next write does not rotate it into `.bak`
 * over the good copy, and so someone can inspect it. Leftover temporary files from a crash mid-write are removed.
 */
export async function loadStateSnapshot(fileSystem: StateFileSystem, path: string): Promise<LoadedSnapshot> {
  await removeTemporaryLeftovers(fileSystem, path);
  const problems: string[] = [];
  const main = await readSnapshotFile(fileSystem, path);
  if (main.kind === "ok") return { entries: main.entries, source: "main", problems };
  problems.push(`${basename(path)}: ${main.reason}`);
  if (main.kind === "corrupt") await fileSystem.rename(path, `${path}.corrupt`).catch(() => undefined);
  const backup = await readSnapshotFile(fileSystem, `${path}.bak`);
  if (backup.kind === "ok") return { entries: backup.entries, source: "backup", problems };
  // Neither file on a first start is not a problem worth reporting.
  if (main.kind === "missing" && backup.kind === "missing") return { entries: [], source: "empty", problems: [] };
  problems.push(`${basename(path)}.bak: ${backup.reason}`);
  return { entries: [], source: "empty", problems };
}

type SnapshotRead = { kind: "ok"; entries: Array<[string, TableEntry]> } | { kind: "missing" | "corrupt"; reason: string };

async function readSnapshotFile(fileSystem: StateFileSystem, path: string): Promise<SnapshotRead> {
  let text: string;
  try {
    text = await fileSystem.readFile(path, "utf8");
  } catch (error) {
    return isMissingFile(error) ? { kind: "missing", reason: "missing" } : { kind: "corrupt", reason: `unreadable (${describeError(error)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "corrupt", reason: "not valid JSON (torn or truncated write)" };
  }
  const checked = snapshotSchema.safeParse(parsed);
  if (!checked.success) return { kind: "corrupt", reason: "not a Switchyard state snapshot" };
  const entries: Array<[string, TableEntry]> = checked.data.entries.map(([key, value, expiresAt]) => {
    const entry: TableEntry = { value: value as JsonValue };
    if (expiresAt !== null) entry.expiresAt = expiresAt;
    return [key, entry];
  });
  return { kind: "ok", entries };
}

async function removeTemporaryLeftovers(fileSystem: StateFileSystem, path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await fileSystem.readdir(dirname(path));
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && name.endsWith(temporaryFileSuffix))
      .map((name) => fileSystem.unlink(join(dirname(path), name)).catch(() => undefined)),
  );
}

function describeError(error: unknown): string {
  return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string" ? String((error as { code: string }).code) : "error";
}
