import { mkdir, readdir, unlink, writeFile, appendFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A directory of diagnostic files that keeps at most `maxFiles` of them: names start with a sortable timestamp, so
 * the oldest are the first in name order. Files hold prompts and completions, hence owner-only modes.
 */
export interface BoundedDirectory {
  readonly path: string;
  /** A new, unique, sortable file name (`<iso time>-<seq>-<label><suffix>`). */
  nextName(label: string, now: number): string;
  /** Creates the directory (owner-only) if needed. */
  ensure(): Promise<void>;
  /** Appends text to a file of this directory, creating it owner-only. */
  append(name: string, text: string): Promise<void>;
  /** Writes a whole file. */
  write(name: string, text: string): Promise<void>;
  /** Deletes the oldest files until at most `maxFiles` remain; `keep` is never deleted (the file just created). */
  prune(keep?: string): Promise<void>;
}

const fileMode = 0o600;
const directoryMode = 0o700;

/** A bounded directory at `path` for files ending in `suffix`. */
export function createBoundedDirectory(path: string, suffix: string, maxFiles: number): BoundedDirectory {
  let sequence = 0;
  let ensured = false;
  return {
    path,
    nextName(label, now) {
      sequence = (sequence + 1) % 1_000_000;
      const stamp = new Date(now).toISOString().replace(/[:.]/g, "-");
      // Labels come from request ids (client-influenced): keep them to a safe, short file-name alphabet.
      const safe = label.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
      return `${stamp}-${String(sequence).padStart(6, "0")}-${safe}${suffix}`;
    },
    async ensure() {
      if (ensured) return;
      await mkdir(path, { recursive: true, mode: directoryMode });
      ensured = true;
    },
    async append(name, text) {
      await appendFile(join(path, name), text, { mode: fileMode });
    },
    async write(name, text) {
      await writeFile(join(path, name), text, { mode: fileMode });
    },
    async prune(keep) {
      const names = (await readdir(path)).filter((name) => name.endsWith(suffix)).sort();
      const excess = names.length - maxFiles;
      if (excess <= 0) return;
      const victims = names.filter((name) => name !== keep).slice(0, excess);
      // One failed unlink (a file removed by hand meanwhile) must not stop the rest.
      await Promise.allSettled(victims.map((name) => unlink(join(path, name))));
    },
  };
}
