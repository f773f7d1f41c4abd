import type * as fsPromises from "node:fs/promises";
import { dirname } from "node:path";

/** The part of `node:fs/promises` the file backend uses; injected so tests can make a step fail. */
export type StateFileSystem = Pick<typeof fsPromises, "open" | "rename" | "readFile" | "unlink" | "mkdir" | "readdir">;

/** Options for one atomic write. */
export interface AtomicWriteOptions {
  /** Rename the current file to `<path>.bak` before replacing it, so the previous good copy survives. */
  keepBackup: boolean;
}

let temporarySequence = 0;

/** The suffix of temporary files; a start-up cleans leftovers whose names end with it. */
export const temporaryFileSuffix = ".tmp";

/**
 * Replace `path` with `data` so that a reader (or a crash) sees either the old or the new content, never a torn file:
 * write a temporary file beside it, fsync it, then rename over the target (rename is atomic within a directory).
 * The directory is fsynced too, because without it the rename itself may not survive a power loss.
 */
export async function writeFileAtomically(fileSystem: StateFileSystem, path: string, data: string, options: AtomicWriteOptions): Promise<void> {
  const temporaryPath = `${path}.${process.pid}.${++temporarySequence}${temporaryFileSuffix}`;
  try {
    const handle = await fileSystem.open(temporaryPath, "w", 0o600);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.keepBackup) await renameIfPresent(fileSystem, path, `${path}.bak`);
    await fileSystem.rename(temporaryPath, path);
  } catch (error) {
    await fileSystem.unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(fileSystem, dirname(path));
}

async function renameIfPresent(fileSystem: StateFileSystem, from: string, to: string): Promise<void> {
  try {
    await fileSystem.rename(from, to);
  } catch (error) {
    if (!isMissingFile(error)) throw error;
  }
}

async function syncDirectory(fileSystem: StateFileSystem, directory: string): Promise<void> {
  try {
    const handle = await fileSystem.open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms and file systems refuse fsync on a directory; the data file itself is already synced.
  }
}

/** True for ENOENT. */
export function isMissingFile(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT";
}
