import { GatewayError } from "../unified/index.js";
import type { SelectionStrategy } from "./credential-pool-settings.js";

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
  /** `fair-cycle`: credentials already used in the current cycle. */
  usedInCycle: ReadonlySet<string>;
  /** The credential the request's session is bound to. */
  affinityId?: string;
}

/** The chosen credential, and whether a fair cycle had to restart to find it. */
export interface Selection {
  id: string;
  cycleRestarted: boolean;
}

/**
 * Pick one of `candidates` (never empty): restrict to the highest tier present, honour session affinity within it,
 * prefer credentials under their optimal concurrency, then apply the strategy.
 */
export function selectCredential(candidates: readonly SelectionCandidate[], input: SelectionInput): Selection {
  const bestTier = Math.min(...candidates.map((candidate) => candidate.tier));
  const tier = candidates.filter((candidate) => candidate.tier === bestTier).sort((left, right) => left.order - right.order);
  const first = tier[0];
  if (first === undefined) throw new GatewayError("internal", "selectCredential called without candidates");
  if (input.affinityId !== undefined && tier.some((candidate) => candidate.id === input.affinityId)) {
    return { id: input.affinityId, cycleRestarted: false };
  }
  const underOptimal = tier.filter((candidate) => candidate.inFlight < candidate.optimalConcurrency);
  const preferred = underOptimal.length > 0 ? underOptimal : tier;

  switch (input.strategy) {
    case "balanced":
      return { id: pickBalanced(preferred, input.tolerance, input.random), cycleRestarted: false };
    case "sequential": {
      // Stickiness beats the optimal-concurrency preference: staying on one credential is what keeps its prompt cache warm.
      if (input.stickyId !== undefined && tier.some((candidate) => candidate.id === input.stickyId)) return { id: input.stickyId, cycleRestarted: false };
      const stickyOrder = candidates.find((candidate) => candidate.id === input.stickyId)?.order ?? -1;
      const next = preferred.find((candidate) => candidate.order > stickyOrder) ?? preferred[0] ?? first;
      return { id: next.id, cycleRestarted: false };
    }
    case "fair-cycle": {
      const unused = preferred.find((candidate) => !input.usedInCycle.has(candidate.id)) ?? tier.find((candidate) => !input.usedInCycle.has(candidate.id));
      if (unused !== undefined) return { id: unused.id, cycleRestarted: false };
      return { id: (preferred[0] ?? first).id, cycleRestarted: true };
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
  const least = Math.min(...candidates.map((candidate) => candidate.usage));
  if (tolerance <= 0) {
    const leastUsed = candidates.find((candidate) => candidate.usage === least);
    if (leastUsed === undefined) throw new GatewayError("internal", "balanced selection found no least-used candidate");
    return leastUsed.id;
  }
  const weighted = candidates
    .map((candidate) => ({ id: candidate.id, weight: tolerance + 1 - (candidate.usage - least) }))
    .filter((candidate) => candidate.weight > 0);
  const total = weighted.reduce((sum, candidate) => sum + candidate.weight, 0);
  let point = random() * total;
  for (const candidate of weighted) {
    point -= candidate.weight;
    if (point < 0) return candidate.id;
  }
  const last = weighted[weighted.length - 1];
  if (last === undefined) throw new GatewayError("internal", "balanced selection found no candidate within tolerance");
  return last.id;
}
