import { z } from "zod";
import type { JsonValue, StateStore } from "../state/index.js";
import { GatewayError, gatewayErrorCodes, type GatewayErrorCode } from "../unified/index.js";
import { createPairMemo } from "./create-pair-memo.js";
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
  /**
   * Remove the cooldowns of `targets` set before `before` (newer ones are newer evidence and stay). Undefined: an
   * in-process store showed at once that there was nothing to clear (the common case after a success).
   */
  clearOlderThan(targets: readonly CooldownTarget[], before: number): Promise<void> | undefined;
  /** For each credential id, what blocks it for `model` (of quota `group`, when it belongs to one) now. */
  blocksFor(credentialIds: readonly string[], model: string, group?: string): Promise<ReadonlyMap<string, CredentialBlock>>;
  /** What `blocksFor` answers, synchronously; undefined when the store has no synchronous read (`readNow`). */
  blocksNow(credentialIds: readonly string[], model: string, group?: string): ReadonlyMap<string, CredentialBlock> | undefined;
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
  // Every acquire reads 2 + 4 keys per credential and every success clears 4 or 5; building each (URI-encoding every
  // segment) cost more than the reads. Memoised per scope on (credential, model or group), and per target object
  // for the (memoised) targets a success clears.
  const disabledKeyOf = createPairMemo((credentialId) => disabledPrefix + encodeURIComponent(credentialId));
  const credentialKeyOf = createPairMemo((credentialId) => keyOf({ scope: "credential", credentialId }));
  const credentialModelKeyOf = createPairMemo((credentialId, model) => keyOf({ scope: "credential-model", credentialId, model }));
  const credentialGroupKeyOf = createPairMemo((credentialId, group) => keyOf({ scope: "credential-group", credentialId, group }));
  const modelKeyOf = createPairMemo((_unused, model) => keyOf({ scope: "model", model }));
  const providerKey = keyOf({ scope: "provider" });
  const keysOfTargets = new WeakMap<CooldownTarget, string>();
  const targetKeyOf = (target: CooldownTarget): string => {
    let key = keysOfTargets.get(target);
    if (key === undefined) {
      key = keyOf(target);
      keysOfTargets.set(target, key);
    }
    return key;
  };
  // A success clears a memoised list of targets: their keys, looked up once per list rather than once per target.
  const keyLists = new WeakMap<readonly CooldownTarget[], readonly string[]>();
  const keysOf = (targets: readonly CooldownTarget[]): readonly string[] => {
    let keys = keyLists.get(targets);
    if (keys === undefined) {
      keys = targets.map(targetKeyOf);
      keyLists.set(targets, keys);
    }
    return keys;
  };
  const readNow = store.readNow?.bind(store);
  const readRecord = (value: JsonValue | undefined): CooldownRecord | undefined => {
    // Most keys are absent on the request path: a failed safeParse builds a ZodError, which costs more than the read.
    if (value === undefined) return undefined;
    const parsed = cooldownRecordSchema.safeParse(value);
    return parsed.success ? stripUndefined(parsed.data) : undefined;
  };

  /** An in-process store answers at once: the same reads as the async path, without a promise (and a turn) per key. */
  const blocksNow = (credentialIds: readonly string[], model: string, group?: string): ReadonlyMap<string, CredentialBlock> | undefined => {
    if (readNow === undefined) return undefined;
    let blocks: Map<string, CredentialBlock> | undefined;
    const providerWide = readRecord(readNow(providerKey));
    const modelWide = readRecord(readNow(modelKeyOf("", model)));
    for (const credentialId of credentialIds) {
      const block = blockOf(
        readNow(disabledKeyOf(credentialId, "")),
        providerWide,
        modelWide,
        readRecord(readNow(credentialKeyOf(credentialId, ""))),
        readRecord(readNow(credentialModelKeyOf(credentialId, model))),
        group === undefined ? undefined : readRecord(readNow(credentialGroupKeyOf(credentialId, group))),
      );
      if (block !== undefined) (blocks ??= new Map()).set(credentialId, block);
    }
    // Nothing blocked is the common case: one shared empty map instead of one per request.
    return blocks ?? noBlocks;
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

    clearOlderThan(targets, before) {
      if (readNow !== undefined) {
        // An in-process store answers at once; a cooldown to clear after a success is rare, so usually nothing is awaited.
        let stale: Array<Promise<boolean>> | undefined;
        for (const key of keysOf(targets)) {
          const current = readNow(key);
          const existing = readRecord(current);
          if (existing !== undefined && existing.since < before) (stale ??= []).push(store.compareAndSet(key, current, undefined));
        }
        return stale === undefined ? undefined : Promise.all(stale).then(ignore);
      }
      return Promise.all(
        targets.map(async (target) => {
          const key = targetKeyOf(target);
          const current = await store.get(key);
          const existing = readRecord(current);
          // Compare-and-set: a cooldown extended meanwhile by a newer failure must survive this success.
          if (existing !== undefined && existing.since < before) await store.compareAndSet(key, current, undefined);
        }),
      ).then(ignore);
    },

    blocksNow,

    blocksFor(credentialIds, model, group) {
      const known = blocksNow(credentialIds, model, group);
      if (known !== undefined) return Promise.resolve(known);
      return (async () => {
        const blocks = new Map<string, CredentialBlock>();
        const [providerWide, modelWide] = await Promise.all([store.get(providerKey).then(readRecord), store.get(modelKeyOf("", model)).then(readRecord)]);
        await Promise.all(
          credentialIds.map(async (credentialId) => {
            const [disabled, credentialWide, credentialModel, credentialGroup] = await Promise.all([
              store.get(disabledKeyOf(credentialId, "")),
              store.get(credentialKeyOf(credentialId, "")).then(readRecord),
              store.get(credentialModelKeyOf(credentialId, model)).then(readRecord),
              group === undefined ? undefined : store.get(credentialGroupKeyOf(credentialId, group)).then(readRecord),
            ]);
            const block = blockOf(disabled, providerWide, modelWide, credentialWide, credentialModel, credentialGroup);
            if (block !== undefined) blocks.set(credentialId, block);
          }),
        );
        return blocks;
      })();
    },

    async disable(credentialId, code, now) {
      await store.set(disabledKeyOf(credentialId, ""), { code, since: now });
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

const noBlocks: ReadonlyMap<string, CredentialBlock> = new Map();
const ignore = (): void => undefined;

/** What blocks one credential: its disabled mark, else the longest of the cooldowns that apply to it. */
function blockOf(disabled: JsonValue | undefined, ...records: Array<CooldownRecord | undefined>): CredentialBlock | undefined {
  const disabledRecord = disabled === undefined ? undefined : disabledRecordSchema.safeParse(disabled);
  if (disabledRecord?.success === true) return { kind: "disabled", code: disabledRecord.data.code };
  let longest: CooldownRecord | undefined;
  for (const record of records) if (record !== undefined && (longest === undefined || record.until > longest.until)) longest = record;
  return longest === undefined ? undefined : { kind: "cooling", record: longest };
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
