import { z } from "zod";
import { fieldCacheRuleSchema, type FieldCacheRuleDeclaration } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { serializeCanonicalJson } from "./compute-field-cache-key.js";

/** What switchyard.json may change on a provider-declared rule: only ever towards keeping more, longer. */
export interface FieldCacheRuleOverride {
  ttlMs?: number;
  maxValueBytes?: number;
  maxTotalBytes?: number;
  maxEntries?: number;
  enabled?: boolean;
}

/** The `fieldCache` section of switchyard.json, per provider id. */
export interface FieldCacheSettings {
  /** Extra rules per provider id (names must not clash with the provider's declared rules). */
  rules?: Readonly<Record<string, readonly FieldCacheRuleDeclaration[]>>;
  /** Per provider id, per declared rule name. */
  overrides?: Readonly<Record<string, Readonly<Record<string, FieldCacheRuleOverride>>>>;
}

const positive = z.number().int().positive();

/** The zod schema of switchyard.json's `fieldCache` section. */
export const fieldCacheSettingsSchema = z.strictObject({
  rules: z.record(z.string().min(1), z.array(fieldCacheRuleSchema)).optional(),
  overrides: z
    .record(
      z.string().min(1),
      z.record(
        z.string().min(1),
        z.strictObject({ ttlMs: positive.optional(), maxValueBytes: positive.optional(), maxTotalBytes: positive.optional(), maxEntries: positive.optional(), enabled: z.boolean().optional() }),
      ),
    )
    .optional(),
});

const boundNames = ["ttlMs", "maxValueBytes", "maxTotalBytes", "maxEntries"] as const;

/**
 * A provider's effective rules: its declared (and shared built-in) rules with config overrides applied, then the
 * rules config adds. "Weaken" means anything that could make a declared rule replay less than the provider needs:
 * switching it off, a shorter TTL, or smaller value, byte or entry bounds; and redefining it (a configured rule with
 * a declared rule's name). Each is a `config` error at startup, naming the provider and rule. Raising a bound is fine.
 */
export function resolveFieldCacheRules(
  providerId: string,
  declared: readonly FieldCacheRuleDeclaration[],
  settings: FieldCacheSettings = {},
): FieldCacheRuleDeclaration[] {
  const label = (rule: string) => `fieldCache: provider "${providerId}", rule "${rule}"`;
  const overrides = settings.overrides?.[providerId] ?? {};
  for (const name of Object.keys(overrides)) {
    if (!declared.some((rule) => rule.name === name)) throw new GatewayError("config", `${label(name)}: overrides a rule the provider does not declare`);
  }
  const resolved = declared.map((rule) => {
    const override = overrides[rule.name];
    if (override === undefined) return rule;
    if (override.enabled === false) throw new GatewayError("config", `${label(rule.name)}: a provider-declared rule cannot be switched off`);
    const strengthened: Record<string, number> = {};
    for (const bound of boundNames) {
      const value = override[bound];
      if (value === undefined) continue;
      if (value < rule[bound]) throw new GatewayError("config", `${label(rule.name)}: ${bound} ${value} is below the declared ${rule[bound]} (config may raise it, never lower it)`);
      strengthened[bound] = value;
    }
    return { ...rule, ...strengthened };
  });
  const seen = new Set(declared.map((rule) => rule.name));
  for (const rule of settings.rules?.[providerId] ?? []) {
    if (seen.has(rule.name)) {
      const same = serializeCanonicalJson(rule) === serializeCanonicalJson(declared.find((declaredRule) => declaredRule.name === rule.name));
      if (!same) throw new GatewayError("config", `${label(rule.name)}: redefines a provider-declared rule (use fieldCache.overrides to raise its bounds)`);
      continue;
    }
    seen.add(rule.name);
    if (rule.enabled !== false) resolved.push(rule);
  }
  return resolved;
}
