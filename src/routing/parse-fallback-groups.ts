import { GatewayError, type GatewayErrorCode } from "../unified/index.js";

/** The model-string prefix that names a fallback group: `group/coding`. */
export const groupModelPrefix = "group/";

/** A named, ordered list of `provider/model` targets tried one after the other, with optional policy overrides. */
export interface FallbackGroup {
  name: string;
  /** `provider/model` strings in fallback order (at least one, no repeats). */
  targets: readonly string[];
  /** When set, exactly these codes move on to the next target (hard stops excepted). */
  failoverOn?: readonly GatewayErrorCode[];
  /** These codes answer the client at once. */
  stopOn?: readonly GatewayErrorCode[];
}

/** Group names: what may follow `group/` in a model string. */
export const groupNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A target: a provider id, a slash, a non-empty model (which may contain slashes). */
export const groupTargetPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/\S+$/;

/**
 * Parses SWITCHYARD_FALLBACK_GROUPS: `name=provider/model|provider/model;name=…` (groups separated by `;`, targets
 * by `|`, in fallback order). Whitespace is ignored, empty entries skipped. Throws `config` naming `source` and the
 * entry. Per-group `failoverOn` / `stopOn` exist only in the JSON file.
 */
export function parseFallbackGroups(text: string, source = "SWITCHYARD_FALLBACK_GROUPS"): FallbackGroup[] {
  const groups: FallbackGroup[] = [];
  for (const entry of text.split(";")) {
    const trimmed = entry.trim();
    if (trimmed === "") continue;
    const separator = trimmed.indexOf("=");
    const name = separator < 0 ? "" : trimmed.slice(0, separator).trim();
    const targets = separator < 0 ? [] : trimmed.slice(separator + 1).split("|").map((target) => target.trim()).filter((target) => target !== "");
    if (!groupNamePattern.test(name) || targets.length === 0) {
      throw new GatewayError("config", `${source}: "${trimmed}" is not name=provider/model|provider/model (e.g. coding=anthropic/claude-x|openai/gpt-y)`);
    }
    const where = `${source}: group "${name}"`;
    if (groups.some((group) => group.name === name)) throw new GatewayError("config", `${where} is defined twice`);
    checkTargets(targets, where);
    groups.push({ name, targets });
  }
  return groups;
}

/** Groups from the JSON file's `fallbackGroups` (already schema-checked), in key order. */
export function fallbackGroupsFromRecord(
  record: Readonly<Record<string, { targets: readonly string[]; failoverOn?: readonly GatewayErrorCode[] | undefined; stopOn?: readonly GatewayErrorCode[] | undefined }>>,
): FallbackGroup[] {
  return Object.entries(record).map(([name, group]) => ({
    name,
    targets: group.targets,
    ...(group.failoverOn === undefined ? {} : { failoverOn: group.failoverOn }),
    ...(group.stopOn === undefined ? {} : { stopOn: group.stopOn }),
  }));
}

/** Merges group lists: a group of `overriding` replaces the `base` group of the same name (whole, policy included). */
export function mergeFallbackGroups(overriding: readonly FallbackGroup[], base: readonly FallbackGroup[]): FallbackGroup[] {
  const names = new Set(overriding.map((group) => group.name));
  return [...overriding, ...base.filter((group) => !names.has(group.name))];
}

function checkTargets(targets: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const target of targets) {
    if (!groupTargetPattern.test(target)) throw new GatewayError("config", `${where}: "${target}" is not provider/model`);
    if (seen.has(target)) throw new GatewayError("config", `${where}: "${target}" is listed twice`);
    seen.add(target);
  }
}
