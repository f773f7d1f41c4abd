/**
 * Deterministic structural mutations of parsed JSON for fuzzing decoders: delete a key, change a value's type,
 * null it, swap array and object, truncate a string, or put a random JSON value anywhere. A seeded generator keeps
 * every failure reproducible from its seed.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** mulberry32: tiny, fast, seeded. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The mutation kinds, named in failure messages. */
export const mutationKinds = ["delete-key", "change-type", "null-out", "swap-array-object", "truncate-string", "random-value"] as const;
/** One mutation kind. */
export type MutationKind = (typeof mutationKinds)[number];

/** Where and how a value was mutated. */
export interface Mutation {
  kind: MutationKind;
  path: string;
  value: unknown;
}

type Container = JsonValue[] | { [key: string]: JsonValue };

interface Slot {
  parent: Container;
  key: string | number;
  path: string;
}

function collectSlots(value: JsonValue, path: string, slots: Slot[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      slots.push({ parent: value, key: index, path: `${path}[${index}]` });
      collectSlots(item, `${path}[${index}]`, slots);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      slots.push({ parent: value, key, path: path === "" ? key : `${path}.${key}` });
      collectSlots(item, path === "" ? key : `${path}.${key}`, slots);
    }
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

/** A random JSON value, nested at most `depth` deep. */
export function randomJsonValue(random: () => number, depth = 2): JsonValue {
  const choice = Math.floor(random() * (depth > 0 ? 8 : 6));
  switch (choice) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -1, 1.5, 1e308, -0, 2 ** 53, Number.MAX_SAFE_INTEGER]);
    case 3:
      return pick(random, ["", "x", "\u0000", "🚀", "a".repeat(300), "{\"nested\":true}", "user", "assistant", "text", "tool_use", "function_call", "model", "[DONE]"]);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return [randomJsonValue(random, depth - 1), randomJsonValue(random, depth - 1)];
    default:
      return { type: randomJsonValue(random, 0), value: randomJsonValue(random, depth - 1) };
  }
}

function changeType(value: JsonValue, random: () => number): JsonValue {
  if (typeof value === "string") return pick(random, [42, true, [value], { text: value }]);
  if (typeof value === "number") return pick(random, [String(value), [value], false]);
  if (typeof value === "boolean") return pick(random, ["true", 1, null]);
  if (Array.isArray(value)) return pick(random, ["[]", value.length, true]);
  if (value === null) return pick(random, [0, "", {}]);
  return pick(random, ["{}", 1, [value]]);
}

/** A mutated deep copy of `input` (the input is not touched) and what was done. */
export function mutateJson(input: unknown, random: () => number): { value: unknown; mutation: Mutation } {
  const root = structuredClone(input) as JsonValue;
  const slots: Slot[] = [];
  collectSlots(root, "", slots);
  if (slots.length === 0) {
    const value = randomJsonValue(random);
    return { value, mutation: { kind: "random-value", path: "", value } };
  }
  const slot = pick(random, slots);
  const kind = pick(random, mutationKinds);
  const current = (slot.parent as Record<string | number, JsonValue>)[slot.key] ?? null;
  let next: JsonValue;
  switch (kind) {
    case "delete-key":
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
      else delete slot.parent[String(slot.key)];
      return { value: root, mutation: { kind, path: slot.path, value: undefined } };
    case "change-type":
      next = changeType(current, random);
      break;
    case "null-out":
      next = null;
      break;
    case "swap-array-object":
      next = Array.isArray(current) ? Object.fromEntries(current.map((item, index) => [String(index), item])) : current !== null && typeof current === "object" ? Object.values(current) : [current];
      break;
    case "truncate-string":
      next = typeof current === "string" ? current.slice(0, Math.floor(random() * current.length)) : randomJsonValue(random);
      break;
    case "random-value":
      next = randomJsonValue(random);
      break;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown mutation ${String(unreachable)}`);
    }
  }
  (slot.parent as Record<string | number, JsonValue>)[slot.key] = next;
  return { value: root, mutation: { kind, path: slot.path, value: next } };
}
