import { GatewayError } from "../unified/index.js";
import type { SelectionStrategy } from "./credential-pool-settings.js";
import type { FairCycle, FairCyclePick } from "./track-fair-cycle.js";

/** A credential that could take a request now (healthy, under its cap and under its max concurrency). */
export interface SelectionCandidate {
  id: string;
  /** Position in the pool's configuration; the deterministic tie-break. */
  order: number;
  tier: number;
  inFlight: number;
  optimalConcurrency: number;
  usage: number;
}

/** Everything a selection depends on besides the candidates. */
export interface SelectionInput {
  strategy: SelectionStrategy;
  tolerance: number;
  random: () => number;
  /** `sequential`: the credential the pool is staying on. */
  stickyId?: string;
  /** `fair-cycle`: the cycle the request belongs to (absent: a cycle with nothing exhausted and nobody serving). */
  cycle?: FairCycle;
  /**
   * `fair-cycle`: tiers holding a healthy credential not yet exhausted in the cycle that cannot take this request
   * (at max concurrency, already failed on this request, steered away). Spilling onto an exhausted credential there is
   * overflow, not a new cycle.
   */
  heldTiers?: ReadonlySet<number>;
  /** The credential the request's session is bound to. */
  affinityId?: string;
}

/**
 * The chosen credential. `cycle`, for `fair-cycle` picks made by the strategy (not by affinity): `current` — the
 * credential serving the cycle; `fresh` — one not yet exhausted in it; `overflow` — an exhausted one, because the
 * fresh ones of the tier are only busy; `restart` — every candidate of the tier is exhausted: a new cycle starts.
 */
export interface Selection {
  id: string;
  cycle?: FairCyclePick;
}

/**
 * Pick one of `candidates` (never empty): restrict to the highest tier present, honour session affinity within it,
 * prefer credentials under their optimal concurrency, then apply the strategy.
 */
export function selectCredential(candidates: readonly SelectionCandidate[], input: SelectionInput): Selection {
  let bestTier = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) bestTier = Math.min(bestTier, candidate.tier);
  const tier = candidates.filter((candidate) => candidate.tier === bestTier);
  if (tier.length > 1) tier.sort((left, right) => left.order - right.order);
  const first = tier[0];
  if (first === undefined) throw new GatewayError("internal", "selectCredential called without candidates");
  if (input.affinityId !== undefined && tier.some((candidate) => candidate.id === input.affinityId)) {
    return { id: input.affinityId };
  }
  const underOptimal = tier.filter((candidate) => candidate.inFlight < candidate.optimalConcurrency);
  const preferred = underOptimal.length > 0 ? underOptimal : tier;

  switch (input.strategy) {
    case "balanced":
      return { id: pickBalanced(preferred, input.tolerance, input.random) };
    case "sequential": {
      // Stickiness beats the optimal-concurrency preference: staying on one credential is what keeps its prompt cache warm.
      if (input.stickyId !== undefined && tier.some((candidate) => candidate.id === input.stickyId)) return { id: input.stickyId };
      const stickyOrder = candidates.find((candidate) => candidate.id === input.stickyId)?.order ?? -1;
      const next = preferred.find((candidate) => candidate.order > stickyOrder) ?? preferred[0] ?? first;
      return { id: next.id };
    }
    case "fair-cycle": {
      // Like sequential, the serving credential stays until it is exhausted; unlike it, the optimal-concurrency
      // preference still applies (overflow goes to a fresh credential without moving the cycle).
      const currentId = input.cycle?.currentId;
      if (currentId !== undefined && preferred.some((candidate) => candidate.id === currentId)) return { id: currentId, cycle: "current" };
      const exhausted = input.cycle?.exhausted;
      const isFresh = (candidate: SelectionCandidate): boolean => exhausted?.has(candidate.id) !== true;
      const fresh = preferred.find(isFresh) ?? tier.find(isFresh);
      if (fresh !== undefined) return { id: fresh.id, cycle: "fresh" };
      const id = (preferred[0] ?? first).id;
      // A recovered credential is reused only once every credential of the tier was exhausted in this cycle.
      return { id, cycle: input.heldTiers?.has(bestTier) === true ? "overflow" : "restart" };
    }
    default: {
      const unreachable: never = input.strategy;
      throw new GatewayError("config", `unknown selection strategy ${String(unreachable)}`);
    }
  }
}

/**
 * Weighted random among the candidates within `tolerance` of the least used: weight = tolerance + 1 − distance from
 * the minimum, so the least used is the likeliest and the spread stays bounded. Tolerance 0 = the least used, first
 * in configuration order on ties (deterministic).
 */
function pickBalanced(candidates: readonly SelectionCandidate[], tolerance: number, random: () => number): string {
  // Loops rather than map/filter/reduce: this runs on every request, and the arithmetic (and its order) is the same.
  let least = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) least = Math.min(least, candidate.usage);
  if (tolerance <= 0) {
    const leastUsed = candidates.find((candidate) => candidate.usage === least);
    if (leastUsed === undefined) throw new GatewayError("internal", "balanced selection found no least-used candidate");
    return leastUsed.id;
  }
  let total = 0;
  for (const candidate of candidates) {
    const weight = tolerance + 1 - (candidate.usage - least);
    if (weight > 0) total += weight;
  }
  let point = random() * total;
  let last: SelectionCandidate | undefined;
  for (const candidate of candidates) {
    const weight = tolerance + 1 - (candidate.usage - least);
    if (!(weight > 0)) continue;
    point -= weight;
    if (point < 0) return candidate.id;
    last = candidate;
  }
  if (last === undefined) throw new GatewayError("internal", "balanced selection found no candidate within tolerance");
  return last.id;
}
