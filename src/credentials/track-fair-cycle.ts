import { z } from "zod";
import type { StateStore } from "../state/index.js";

/**
 * Which requests share one fair cycle: `quota-group` — one cycle per quota group (the model's group, else the model),
 * since a credential exhausted for one quota may still have another; `credential` — one cycle for the whole provider,
 * a credential exhausted for any model counting as exhausted.
 */
export type FairCycleScope = "quota-group" | "credential";

/** One cycle as selection reads it: the credential serving it and those exhausted since it started. */
export interface FairCycle {
  readonly currentId: string | undefined;
  readonly exhausted: ReadonlySet<string>;
}

/** How a `fair-cycle` selection changes its cycle. */
export type FairCycleStep =
  /** The credential serves the cycle from now on (it was already serving, or the one serving is unhealthy). */
  | { kind: "serve"; credentialId: string }
  /** A new cycle starts with this credential; the exhaustion marks of `restartIds` (its tier) are dropped. */
  | { kind: "restart"; credentialId: string; restartIds: readonly string[] };

/** Most cycles one provider keeps in memory (one per quota group or model name seen). */
const maxCycles = 10_000;

/** The fair cycles of one provider's pool: in memory, authoritative, written through to the store. */
export interface FairCycleTracker {
  /** The key of the cycle a request for `model` (in quota group `group`) belongs to. */
  keyOf(model: string, group: string | undefined): string;
  /** The cycle under `key` at `now`; one older than the cycle duration starts over. Synchronous: no await on the acquire path. */
  read(key: string, now: number): FairCycle;
  /** The credential ran out (rate limited, quota exhausted, a cap hit): it waits until the cycle restarts. */
  exhaust(key: string, credentialId: string, now: number): void;
  /** Apply a selection's step to the cycle under `key`. */
  advance(key: string, step: FairCycleStep, now: number): void;
  /** Forget the exhaustion marks of one credential (a manual reset), or every cycle. */
  forget(credentialId?: string): void;
  /** Load the cycles an earlier process left in the store. */
  hydrate(): Promise<void>;
}

interface CycleState {
  currentId: string | undefined;
  exhausted: Set<string>;
  startedAt: number;
}

const storedCycleSchema = z.object({ currentId: z.string().optional(), exhausted: z.array(z.string()), startedAt: z.number() });
/** A cycle nobody touched for this long is dropped from the store; it would restart anyway. */
const idleTtlMs = 7 * 86_400_000;

/**
 * The cycles of `provider`. A cycle holds the credential serving it (sticky, like `sequential`) and the credentials
 * exhausted in it; `durationMs` bounds how long a cycle lasts before every credential is fresh again.
 */
export function createFairCycleTracker(provider: string, options: { scope: FairCycleScope; durationMs: number | undefined }, store: StateStore): FairCycleTracker {
  const cycles = new Map<string, CycleState>();
  const prefix = `fair-cycle:${encodeURIComponent(provider)}:`;

  // Not awaited: the request path never waits for the store; memory and file backends apply a write at once, in order.
  const persist = (key: string, cycle: CycleState): void => {
    const value = { ...(cycle.currentId === undefined ? {} : { currentId: cycle.currentId }), exhausted: [...cycle.exhausted], startedAt: cycle.startedAt };
    void store.set(`${prefix}${encodeURIComponent(key)}`, value, { ttlMs: Math.max(idleTtlMs, options.durationMs ?? 0) }).catch(() => undefined);
  };

  const cycleAt = (key: string, now: number): CycleState => {
    const cycle = cycles.get(key);
    if (cycle === undefined) {
      const fresh: CycleState = { currentId: undefined, exhausted: new Set(), startedAt: now };
      cycles.set(key, fresh);
      // Keys come from client model names: bounded, least recently used first out. An evicted cycle only restarts.
      if (cycles.size > maxCycles) cycles.delete(cycles.keys().next().value as string);
      return fresh;
    }
    cycles.delete(key);
    cycles.set(key, cycle);
    if (options.durationMs !== undefined && now - cycle.startedAt >= options.durationMs) {
      cycle.exhausted.clear();
      cycle.startedAt = now;
      persist(key, cycle);
    }
    return cycle;
  };

  return {
    keyOf: (model, group) => (options.scope === "credential" ? "*" : (group ?? model)),

    read: cycleAt,

    exhaust(key, credentialId, now) {
      const cycle = cycleAt(key, now);
      if (cycle.exhausted.has(credentialId)) return;
      cycle.exhausted.add(credentialId);
      // The next request picks the next credential not yet exhausted; this one waits for the next cycle.
      if (cycle.currentId === credentialId) cycle.currentId = undefined;
      persist(key, cycle);
    },

    advance(key, step, now) {
      const cycle = cycleAt(key, now);
      if (step.kind === "restart") {
        for (const id of step.restartIds) cycle.exhausted.delete(id);
        cycle.startedAt = now;
      } else if (cycle.currentId === step.credentialId) {
        return;
      }
      cycle.currentId = step.credentialId;
      persist(key, cycle);
    },

    forget(credentialId) {
      for (const [key, cycle] of cycles) {
        if (credentialId === undefined ? cycle.exhausted.size === 0 : !cycle.exhausted.delete(credentialId)) continue;
        if (credentialId === undefined) cycle.exhausted.clear();
        persist(key, cycle);
      }
    },

    async hydrate() {
      for (const entry of await store.list(prefix)) {
        const parsed = storedCycleSchema.safeParse(entry.value);
        if (!parsed.success) continue;
        const key = decodeURIComponent(entry.key.slice(prefix.length));
        // A cycle this process already touched is newer than the stored one.
        if (cycles.has(key)) continue;
        cycles.set(key, { currentId: parsed.data.currentId, exhausted: new Set(parsed.data.exhausted), startedAt: parsed.data.startedAt });
      }
    },
  };
}

/**
 * How the strategy picked under `fair-cycle`: `current` — the credential serving the cycle; `fresh` — one not yet
 * exhausted in it; `overflow` — an exhausted one, because the fresh ones of the tier are only busy; `restart` — every
 * candidate of the tier is exhausted, so a new cycle starts.
 */
export type FairCyclePick = "current" | "fresh" | "overflow" | "restart";

/** A pool member's standing in one acquire, as far as the cycle cares. */
export interface FairCycleMemberState {
  readonly member: { readonly credential: { readonly id: string }; readonly tier: number };
  readonly state: { readonly kind: string };
}

const isHealthyState = (entry: FairCycleMemberState): boolean => entry.state.kind === "ready" || entry.state.kind === "busy";

/** Tiers holding a healthy credential not yet exhausted in `cycle` that this request cannot have (busy, excluded, steered away). */
export function heldTiersOf(states: readonly FairCycleMemberState[], usable: readonly FairCycleMemberState[], cycle: FairCycle): Set<number> {
  const held = new Set<number>();
  for (const entry of states) {
    if (cycle.exhausted.has(entry.member.credential.id) || !isHealthyState(entry) || usable.includes(entry)) continue;
    held.add(entry.member.tier);
  }
  return held;
}

/**
 * Apply one selection to the cycle under `key`: a fresh pick takes the cycle over only when the credential serving
 * it is gone (unhealthy; busy or excluded is overflow); a restart always does, clearing the marks of its tier.
 */
export function advanceFairCycle(
  cycles: FairCycleTracker,
  key: string,
  pick: { cycle: FairCycle; selection: { id: string; cycle?: FairCyclePick }; tier: number; states: readonly FairCycleMemberState[] },
  now: number,
): void {
  const { cycle, selection, tier, states } = pick;
  if (selection.cycle === "restart") {
    const restartIds = states.filter((entry) => entry.member.tier === tier).map((entry) => entry.member.credential.id);
    cycles.advance(key, { kind: "restart", credentialId: selection.id, restartIds }, now);
    return;
  }
  if (selection.cycle !== "fresh") return;
  const current = cycle.currentId === undefined ? undefined : states.find((entry) => entry.member.credential.id === cycle.currentId);
  if (current === undefined || !isHealthyState(current)) cycles.advance(key, { kind: "serve", credentialId: selection.id }, now);
}
