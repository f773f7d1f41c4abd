import type { FieldCacheRuleDeclaration } from "../providers/index.js";
import type { JsonValue, StateStore } from "../state/index.js";

/** Why a value was not stored. */
export type FieldCacheRejection = "value_too_large";

/** Field-cache values on the StateStore, with each rule's entry and byte bounds kept least-recently-used first. */
export interface FieldCacheStore {
  get(rule: FieldCacheRuleDeclaration, key: string): Promise<JsonValue | undefined>;
  /** Stores (`last`-style: replaces) a value; a value over the rule's `maxValueBytes` is refused. */
  put(rule: FieldCacheRuleDeclaration, key: string, value: JsonValue): Promise<FieldCacheRejection | undefined>;
  /** `all` mode: appends to the list under `key`, dropping the oldest values beyond the rule's bounds. */
  append(rule: FieldCacheRuleDeclaration, key: string, value: JsonValue): Promise<FieldCacheRejection | undefined>;
}

/** The state-store prefix of every field-cache entry. */
export const fieldCacheKeyPrefix = "field-cache/";

/**
 * Recency and sizes are tracked in process (a Map in use order per rule), seeded once per rule from the store, so a
 * restart with the file backend keeps counting persisted entries. With a store shared by several instances each
 * instance bounds what it wrote and read; TTLs bound the rest.
 */
export function createFieldCacheStore(store: StateStore): FieldCacheStore {
  const usage = new Map<string, Promise<Map<string, number>>>();

  const entriesOf = (rule: FieldCacheRuleDeclaration): Promise<Map<string, number>> => {
    let entries = usage.get(rule.name);
    if (entries === undefined) {
      entries = store.list(`${fieldCacheKeyPrefix}${rule.name}/`).then(
        (listed) => new Map(listed.map((entry) => [entry.key, byteLength(entry.value)])),
        () => new Map<string, number>(),
      );
      usage.set(rule.name, entries);
    }
    return entries;
  };

  const write = async (rule: FieldCacheRuleDeclaration, key: string, value: JsonValue, bytes: number): Promise<void> => {
    const entries = await entriesOf(rule);
    await store.set(key, value, { ttlMs: rule.ttlMs });
    entries.delete(key);
    entries.set(key, bytes);
    let total = 0;
    for (const size of entries.values()) total += size;
    for (const [oldest, size] of entries) {
      if (entries.size <= rule.maxEntries && total <= rule.maxTotalBytes) break;
      if (oldest === key) continue;
      entries.delete(oldest);
      total -= size;
      await store.delete(oldest);
    }
  };

  return {
    async get(rule, key) {
      const entries = await entriesOf(rule);
      const value = await store.get(key);
      const size = entries.get(key);
      entries.delete(key);
      if (value !== undefined) entries.set(key, size ?? byteLength(value));
      return value;
    },
    async put(rule, key, value) {
      const bytes = byteLength(value);
      if (bytes > rule.maxValueBytes) return "value_too_large";
      await write(rule, key, value, bytes);
      return undefined;
    },
    async append(rule, key, value) {
      const bytes = byteLength(value);
      if (bytes > rule.maxValueBytes) return "value_too_large";
      const previous = await store.get(key);
      const list = [...(Array.isArray(previous) ? previous : []), value];
      let listBytes = byteLength(list);
      while (list.length > 1 && (list.length > rule.maxEntries || listBytes > rule.maxTotalBytes)) {
        list.shift();
        listBytes = byteLength(list);
      }
      await write(rule, key, list, listBytes);
      return undefined;
    },
  };
}

function byteLength(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value));
}
