import { GatewayError } from "../unified/index.js";
import { compilePattern } from "./match-quota-group.js";

/** What happens when a cap is reached: rest until the usage window resets, or cool down for a fixed time. */
export type CapAction = { kind: "until-reset" } | { kind: "cooldown"; ms: number };

/**
 * A custom cap on requests per usage window, for the credentials of one tier (or all) and one model pattern or quota
 * group (or all models). `limit` is absolute (`500`), an offset from the known limit (`"-100"`) or a share of it
 * (`"80%"`); the known limit comes from the provider's rate-limit headers, else from `knownLimit`.
 */
export interface UsageCapSettings {
  tier?: number;
  /** A model name, a `*` pattern, or the name of a quota group. Absent: counts every model of the credential. */
  models?: string;
  limit: number | string;
  knownLimit?: number;
  onHit?: CapAction;
}

/** A validated cap. */
export interface UsageCap {
  tier?: number;
  models?: string;
  matches(model: string, group: string | undefined): boolean;
  /** The cap in requests, or undefined when it is relative and no limit is known yet (not enforced then). */
  resolve(knownLimit: number | undefined): number | undefined;
  knownLimit?: number;
  onHit: CapAction;
}

/** Validate caps at startup (`config` on a malformed limit). */
export function compileUsageCaps(caps: readonly UsageCapSettings[] | undefined): UsageCap[] {
  return (caps ?? []).map((cap) => {
    const resolve = compileLimit(cap.limit);
    const pattern = cap.models === undefined ? undefined : compilePattern(cap.models);
    const compiled: UsageCap = {
      matches: (model, group) => pattern === undefined || pattern.test(model) || cap.models === group,
      resolve: (known) => resolve(known ?? cap.knownLimit),
      onHit: cap.onHit ?? { kind: "until-reset" },
    };
    if (cap.tier !== undefined) compiled.tier = cap.tier;
    if (cap.models !== undefined) compiled.models = cap.models;
    if (cap.knownLimit !== undefined) compiled.knownLimit = cap.knownLimit;
    return compiled;
  });
}

function compileLimit(limit: number | string): (known: number | undefined) => number | undefined {
  if (typeof limit === "number") {
    if (!(limit >= 0)) throw new GatewayError("config", `cap limit must not be negative, got ${limit}`);
    return () => limit;
  }
  const text = limit.trim();
  const absolute = /^\d+$/.exec(text);
  if (absolute !== null) return () => Number(text);
  const offset = /^-(\d+)$/.exec(text);
  if (offset !== null) return (known) => (known === undefined ? undefined : Math.max(0, known - Number(offset[1])));
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent !== null) return (known) => (known === undefined ? undefined : Math.floor((known * Number(percent[1])) / 100));
  throw new GatewayError("config", `cap limit "${limit}" is not a number, an offset like "-100" or a share like "80%"`);
}
