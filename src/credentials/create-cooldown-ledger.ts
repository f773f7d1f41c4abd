import { z } from "zod";
import type { JsonValue, StateStore } from "../state/index.js";
import { GatewayError, gatewayErrorCodes, type GatewayErrorCode } from "../unified/index.js";
import type { CooldownRecord, CooldownScope } from "./credential-pool-settings.js";

const cooldownRecordSchema = z.object({
  provider: z.string(),
  scope: z.enum(["credential", "credential-model", "credential-group", "model", "provider"]),
  credentialId: z.string().optional(),
  model: z.string().optional(),
  group: z.string().optional(),
  since: z.number(),
  until: z.number(),
  code: z.enum(gatewayErrorCodes),
});

const disabledRecordSchema = z.object({ code: z.enum(gatewayErrorCodes), since: z.number() });

/** What a cooldown applies to. */
export interface CooldownTarget {
  scope: CooldownScope;
  credentialId?: string;
  model?: string;
  group?: string;
}

/** The cooldown that blocks one credential for one model right now, if any (the longest of the scopes that apply). */
export type CredentialBlock = { kind: "cooling"; record: CooldownRecord } | { kind: "disabled"; code: GatewayErrorCode };

/** Extend-only, scoped cooldowns and disabled credentials of one provider, kept in the state store. */
export interface CooldownLedger {
  /** Cool `target` until `until`, unless it is already cooling longer (cooldowns never shorten). Returns the record in force. */
  extend(target: CooldownTarget, until: number, code: GatewayErrorCode, now: number): Promise<CooldownRecord>;
  /** Remove the cooldowns of `targets` set before `before` (newer ones are newer evidence and stay). */
  clearOlderThan(targets: CooldownTarget[], before: number): Promise<void>;
  /** For each credential id, what blocks it for `model` (of quota `group`, when it belongs to one) now. */
  blocksFor(credentialIds: readonly string[], model: string, group?: string): Promise<Map<string, CredentialBlock>>;
  disable(credentialId: string, code: GatewayErrorCode, now: number): Promise<void>;
  /** Every active cooldown of the provider. */
  list(): Promise<CooldownRecord[]>;
  /** Clear cooldowns and the disabled mark of one credential, or everything of the provider. Returns how many entries went. */
  reset(credentialId?: string): Promise<number>;
}

/** Bounded retries of the extend loop; contention on one key is a handful of writers at most. */
const maxCompareAndSetAttempts = 16;

/** The ledger of `provider` over `store`. Keys: `cooldown:<provider>:<scope>[:<credential>][:<model> | :<group>]`, segments URI-encoded. */
export function createCooldownLedger(provider: string, store: StateStore): CooldownLedger {
  const prefix = `cooldown:${encodeURIComponent(provider)}:`;
  const disabledPrefix = `disabled:${encodeURIComponent(provider)}:`;
  const keyOf = (target: CooldownTarget): string => {
    const segments: string[] = [target.scope];
    switch (target.scope) {
      case "credential":
        segments.push(requireField(target.credentialId, "credentialId"));
        break;
      case "credential-model":
        segments.push(requireField(target.credentialId, "credentialId"), requireField(target.model, "model"));
        break;
      case "credential-group":
        segments.push(requireField(target.credentialId, "credentialId"), requireField(target.group, "group"));
        break;
      case "model":
        segments.push(requireField(target.model, "model"));
        break;
      case "provider":
        break;
      default: {
        const unreachable: never = target.scope;
        throw new GatewayError("internal", `unknown cooldown scope ${String(unreachable)}`);
      }
    }
    return prefix + segments.map(encodeURIComponent).join(":");
  };
  // Every acquire reads 2 + 4 keys per credential; building each (URI-encoding every segment) cost more than the reads.
  const builtKeys = new Map<string, string>();
  const cachedKeyOf = (scope: CooldownScope | "disabled", credentialId = "", modelOrGroup = ""): string => {
    const lookup = `${scope}\u0000${credentialId}\u0000${modelOrGroup}`;
    let key = builtKeys.get(lookup);
    if (key === undefined) {
      // Models come from clients: bound the memo instead of letting odd names grow it.
      if (builtKeys.size >= 4096) builtKeys.clear();
      if (scope === "disabled") key = disabledPrefix + encodeURIComponent(credentialId);
      else if (scope === "model") key = keyOf({ scope, model: modelOrGroup });
      else if (scope === "credential-group") key = keyOf({ scope, credentialId, group: modelOrGroup });
      else key = keyOf({ scope, credentialId, model: modelOrGroup });
      builtKeys.set(lookup, key);
    }
    return key;
  };
  const readRecord = (value: JsonValue | undefined): CooldownRecord | undefined => {
    // Most keys are absent on the request path: a failed safeParse builds a ZodError, which costs more than the read.
    if (value === undefined) return undefined;
    const parsed = cooldownRecordSchema.safeParse(value);
    return parsed.success ? stripUndefined(parsed.data) : undefined;
  };

  return {
    async extend(target, until, code, now) {
      const key = keyOf(target);
      for (let attempt = 0; attempt < maxCompareAndSetAttempts; attempt++) {
        const current = await store.get(key);
        const existing = readRecord(current);
        if (existing !== undefined && existing.until >= until) return existing;
        const record: CooldownRecord = { provider, scope: target.scope, since: now, until, code };
        if (target.credentialId !== undefined && target.scope !== "model" && target.scope !== "provider") record.credentialId = target.credentialId;
        if (target.model !== undefined && (target.scope === "credential-model" || target.scope === "model")) record.model = target.model;
        if (target.group !== undefined && target.scope === "credential-group") record.group = target.group;
        if (await store.compareAndSet(key, current, toJson(record), { ttlMs: until - now })) return record;
      }
      throw new GatewayError("internal", `cooldown ${key} kept changing under ${maxCompareAndSetAttempts} attempts`);
    },

    async clearOlderThan(targets, before) {
      await Promise.all(
        targets.map(async (target) => {
          const key = keyOf(target);
          const current = await store.get(key);
          const existing = readRecord(current);
          // Compare-and-set: a cooldown extended meanwhile by a newer failure must survive this success.
          if (existing !== undefined && existing.since < before) await store.compareAndSet(key, current, undefined);
        }),
      );
    },

    async blocksFor(credentialIds, model, group) {
      const [providerWide, modelWide] = await Promise.all([
        store.get(cachedKeyOf("provider")).then(readRecord),
        store.get(cachedKeyOf("model", "", model)).then(readRecord),
      ]);
      const blocks = new Map<string, CredentialBlock>();
      await Promise.all(
        credentialIds.map(async (credentialId) => {
          const [disabled, credentialWide, credentialModel, credentialGroup] = await Promise.all([
            store.get(cachedKeyOf("disabled", credentialId)),
            store.get(cachedKeyOf("credential", credentialId)).then(readRecord),
            store.get(cachedKeyOf("credential-model", credentialId, model)).then(readRecord),
            group === undefined ? undefined : store.get(cachedKeyOf("credential-group", credentialId, group)).then(readRecord),
          ]);
          const disabledRecord = disabled === undefined ? undefined : disabledRecordSchema.safeParse(disabled);
          if (disabledRecord?.success === true) {
            blocks.set(credentialId, { kind: "disabled", code: disabledRecord.data.code });
            return;
          }
          const longest = [providerWide, modelWide, credentialWide, credentialModel, credentialGroup].reduce<CooldownRecord | undefined>(
            (best, record) => (record !== undefined && (best === undefined || record.until > best.until) ? record : best),
            undefined,
          );
          if (longest !== undefined) blocks.set(credentialId, { kind: "cooling", record: longest });
        }),
      );
      return blocks;
    },

    async disable(credentialId, code, now) {
      await store.set(disabledPrefix + encodeURIComponent(credentialId), { code, since: now });
    },

    async list() {
      const entries = await store.list(prefix);
      return entries.map((entry) => readRecord(entry.value)).filter((record): record is CooldownRecord => record !== undefined);
    },

    async reset(credentialId) {
      const cooldowns = await store.list(prefix);
      const disabled = await store.list(disabledPrefix);
      const encoded = credentialId === undefined ? undefined : encodeURIComponent(credentialId);
      const doomed = [
        ...cooldowns.filter((entry) => credentialId === undefined || readRecord(entry.value)?.credentialId === credentialId),
        ...disabled.filter((entry) => encoded === undefined || entry.key === disabledPrefix + encoded),
      ];
      const removed = await Promise.all(doomed.map((entry) => store.delete(entry.key)));
      return removed.filter(Boolean).length;
    },
  };
}

function requireField(value: string | undefined, name: string): string {
  if (value === undefined) throw new GatewayError("internal", `cooldown target needs ${name}`);
  return value;
}

function toJson(record: CooldownRecord): JsonValue {
  return { ...record };
}

function stripUndefined(record: z.infer<typeof cooldownRecordSchema>): CooldownRecord {
  const result: CooldownRecord = { provider: record.provider, scope: record.scope, since: record.since, until: record.until, code: record.code };
  if (record.credentialId !== undefined) result.credentialId = record.credentialId;
  if (record.model !== undefined) result.model = record.model;
  if (record.group !== undefined) result.group = record.group;
  return result;
}
