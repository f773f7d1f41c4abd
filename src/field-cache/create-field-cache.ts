import { formatWirePath } from "../adapters/index.js";
import { matchModelPattern, sharedFieldCacheRules, type FieldCacheRuleDeclaration, type ProviderDefinition } from "../providers/index.js";
import type { JsonValue, StateStore } from "../state/index.js";
import type { ProtocolId } from "../unified/index.js";
import { digestKey } from "./compute-field-cache-key.js";
import { createFieldCacheStore, fieldCacheKeyPrefix } from "./create-field-cache-store.js";
import { extractFieldValues } from "./extract-field-values.js";
import { findInjectionSites, writeInjection } from "./inject-field-values.js";
import { resolveFieldCacheRules, type FieldCacheSettings } from "./resolve-field-cache-rules.js";

/** The call a rule runs for: who the values belong to, for the rule's scope. */
export interface FieldCacheTarget {
  providerId: string;
  model: string;
  credentialId?: string;
  proxyKeyId?: string;
  sessionKey?: string;
}

/** One injection, extraction or refusal, for the transaction trace (values themselves are not in it). */
export interface FieldCachePass {
  rule: string;
  action: "inject" | "extract" | "skip";
  path?: string;
  /** Injections: a cached value or the rule's fallback. */
  source?: "cache" | "fallback";
  reason?: "value_too_large" | "no_session";
  keys?: number;
}

/** The provider facts rule selection needs. */
export interface FieldCacheProvider {
  readonly id: string;
  readonly protocol: ProtocolId;
  readonly definition: Pick<ProviderDefinition, "fieldCache">;
}

/** The field cache: rules per target, injection into upstream requests, extraction from requests and answers. */
export interface FieldCache {
  /** The rules for one target; the same empty array when none apply, so callers can skip all work. */
  rulesFor(provider: FieldCacheProvider, model: string): readonly FieldCacheRuleDeclaration[];
  /** `body` with cached values written where the client dropped them; `body` itself when nothing was written. */
  inject(rules: readonly FieldCacheRuleDeclaration[], body: Record<string, unknown>, target: FieldCacheTarget, onPass?: (pass: FieldCachePass) => void): Promise<Record<string, unknown>>;
  /** Stores the values the rules reading `from` find in `body` (an upstream request, or an answer in wire shape). */
  extract(rules: readonly FieldCacheRuleDeclaration[], from: "request" | "response", body: unknown, target: FieldCacheTarget, onPass?: (pass: FieldCachePass) => void): Promise<void>;
}

/** Options of `createFieldCache`. */
export interface FieldCacheOptions {
  store: StateStore;
  settings?: FieldCacheSettings;
  /** Provider definitions to validate the settings against at startup (a weakening override fails here). */
  providers?: readonly { readonly id: string; readonly definition: Pick<ProviderDefinition, "fieldCache"> }[];
}

const noRules: readonly FieldCacheRuleDeclaration[] = Object.freeze([]);

/** One provider's rules of its protocol; `byModel` only when some of them are limited to model patterns. */
interface ProtocolRules {
  protocol: ProtocolId;
  rules: readonly FieldCacheRuleDeclaration[];
  byModel: Map<string, readonly FieldCacheRuleDeclaration[]> | undefined;
}

/** Builds the field cache on a StateStore (the server's file store persists it). */
export function createFieldCache(options: FieldCacheOptions): FieldCache {
  const values = createFieldCacheStore(options.store);
  const byProvider = new Map<string, readonly FieldCacheRuleDeclaration[]>();
  const providerRules = (provider: { readonly id: string; readonly definition: Pick<ProviderDefinition, "fieldCache"> }) => {
    let rules = byProvider.get(provider.id);
    if (rules === undefined) {
      const declared = [...provider.definition.fieldCache, ...sharedFieldCacheRules.filter((shared) => !provider.definition.fieldCache.some((own) => own.name === shared.name))];
      rules = resolveFieldCacheRules(provider.id, declared, options.settings).filter((rule) => rule.enabled !== false);
      byProvider.set(provider.id, rules);
    }
    return rules;
  };
  for (const provider of options.providers ?? []) providerRules(provider);
  // provider id → the rules of its protocol, and per model the ones whose patterns match: no key built per request,
  // and no model lookup at all when no rule of the protocol names models.
  const byTarget = new Map<string, ProtocolRules>();
  let modelEntries = 0;

  return {
    rulesFor(provider, model) {
      let entry = byTarget.get(provider.id);
      if (entry === undefined || entry.protocol !== provider.protocol) {
        const ofProtocol = providerRules(provider).filter((rule) => rule.protocol === provider.protocol);
        const everyModel = ofProtocol.every((rule) => rule.models === undefined);
        entry = { protocol: provider.protocol, rules: ofProtocol.length === 0 ? noRules : Object.freeze(ofProtocol), byModel: everyModel ? undefined : new Map() };
        byTarget.set(provider.id, entry);
      }
      if (entry.byModel === undefined) return entry.rules;
      let rules = entry.byModel.get(model);
      if (rules === undefined) {
        const matching = entry.rules.filter((rule) => rule.models === undefined || matchModelPattern(rule.models, model) !== undefined);
        rules = matching.length === 0 ? noRules : Object.freeze(matching);
        // Bounded because clients choose model names.
        if (modelEntries >= 10_000) {
          for (const other of byTarget.values()) other.byModel?.clear();
          modelEntries = 0;
        }
        entry.byModel.set(model, rules);
        modelEntries += 1;
      }
      return rules;
    },

    async inject(rules, body, target, onPass) {
      let current: Record<string, unknown> = body;
      for (const rule of rules) {
        const scope = scopeOf(rule, target);
        if (scope === undefined) {
          onPass?.({ rule: rule.name, action: "skip", reason: "no_session" });
          continue;
        }
        const sites = findInjectionSites(rule, current);
        let unkeyed: { value: JsonValue | undefined } | undefined;
        for (const site of sites) {
          let value: JsonValue | undefined;
          if (rule.inject.keys === undefined) {
            unkeyed ??= { value: await values.get(rule, entryKey(rule, scope, "")) };
            value = unkeyed.value;
          } else {
            for (const key of site.keys) {
              value = await values.get(rule, entryKey(rule, scope, key));
              if (value !== undefined) break;
            }
          }
          // null: the provider answered this key without a value; nothing to replay, and no fallback either.
          if (value === null) continue;
          let source: "cache" | "fallback" = "cache";
          if (value === undefined && site.fallback && rule.inject.fallback !== undefined && fallbackApplies(rule, target.model)) {
            value = rule.inject.fallback as JsonValue;
            source = "fallback";
          }
          if (value === undefined) continue;
          current = writeInjection(rule, current, site, value) as Record<string, unknown>;
          onPass?.({ rule: rule.name, action: "inject", path: `${formatWirePath(site.path)}.${rule.inject.field}`, source });
        }
      }
      return current;
    },

    async extract(rules, from, body, target, onPass) {
      for (const rule of rules) {
        if (rule.from !== from) continue;
        const scope = scopeOf(rule, target);
        if (scope === undefined) continue;
        for (const found of extractFieldValues(rule, body)) {
          const keys = found.keys.length === 0 ? [""] : found.keys;
          let refused: string | undefined;
          for (const key of keys) {
            refused = rule.mode === "all" ? await values.append(rule, entryKey(rule, scope, key), found.value) : await values.put(rule, entryKey(rule, scope, key), found.value);
            if (refused !== undefined) break;
          }
          onPass?.(refused === undefined ? { rule: rule.name, action: "extract", path: found.path, keys: found.keys.length } : { rule: rule.name, action: "skip", path: found.path, reason: "value_too_large" });
        }
      }
    },
  };
}

/**
 * Who shares a value. Every scope includes the provider: a value only ever goes back to the provider it came from.
 * Without a session key a session-scoped rule does nothing (rather than share across conversations).
 */
function scopeOf(rule: FieldCacheRuleDeclaration, target: FieldCacheTarget): string | undefined {
  switch (rule.scope) {
    case "provider":
      return `p:${target.providerId}`;
    case "model":
      return `m:${target.providerId}/${target.model}`;
    case "credential":
      return `c:${target.providerId}/${target.credentialId ?? ""}`;
    case "proxy-key":
      return `k:${target.providerId}/${target.proxyKeyId ?? ""}`;
    case "session":
      return target.sessionKey === undefined ? undefined : `s:${target.providerId}/${target.sessionKey}`;
    default: {
      const unreachable: never = rule.scope;
      throw new Error(`unknown field-cache scope ${String(unreachable)}`);
    }
  }
}

function fallbackApplies(rule: FieldCacheRuleDeclaration, model: string): boolean {
  const models = rule.inject.fallbackModels;
  return models === undefined || models.some((pattern) => matchModelPattern(pattern, model) !== undefined);
}

function entryKey(rule: FieldCacheRuleDeclaration, scope: string, key: string): string {
  return `${fieldCacheKeyPrefix}${rule.name}/${digestKey(scope)}/${digestKey(key)}`;
}
