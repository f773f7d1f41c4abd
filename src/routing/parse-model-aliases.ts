import { GatewayError } from "../unified/index.js";

/** One alias: a model name or glob (`claude-*`) and what it stands for (`openai/gpt-5.5`, or a bare model). */
export interface ModelAlias {
  pattern: string;
  target: string;
}

/**
 * Parses `pattern=target,pattern=target` (SWITCHYARD_ALIASES). Whitespace around entries is ignored; empty entries
 * are skipped. Throws `config` naming `source` and the entry for a malformed one.
 */
export function parseModelAliases(text: string, source = "SWITCHYARD_ALIASES"): ModelAlias[] {
  const aliases: ModelAlias[] = [];
  for (const entry of text.split(",")) {
    const trimmed = entry.trim();
    if (trimmed === "") continue;
    const separator = trimmed.indexOf("=");
    const pattern = separator < 0 ? "" : trimmed.slice(0, separator).trim();
    const target = separator < 0 ? "" : trimmed.slice(separator + 1).trim();
    if (pattern === "" || target === "") {
      throw new GatewayError("config", `${source}: "${trimmed}" is not pattern=target (e.g. claude-*=openai/gpt-5.5)`);
    }
    aliases.push({ pattern, target });
  }
  return aliases;
}

/** Aliases from a JSON object (`{"claude-*": "openai/gpt-5.5"}`), in key order. */
export function aliasesFromRecord(record: Readonly<Record<string, string>>): ModelAlias[] {
  return Object.entries(record).map(([pattern, target]) => ({ pattern, target }));
}

/** Merges alias lists: entries of `overriding` win over `base` entries with the same pattern and come first. */
export function mergeModelAliases(overriding: readonly ModelAlias[], base: readonly ModelAlias[]): ModelAlias[] {
  const patterns = new Set(overriding.map((alias) => alias.pattern));
  return [...overriding, ...base.filter((alias) => !patterns.has(alias.pattern))];
}
