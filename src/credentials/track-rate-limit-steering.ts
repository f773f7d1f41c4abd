import type { RateLimitInfo } from "../providers/index.js";
import { createPairMemo } from "./create-pair-memo.js";

/** Remaining-quota levels at or below which a credential is steered away from until the window resets. */
export interface SteeringThresholds {
  /** Requests left in the provider's window. Default 0. */
  requests: number;
  /** Tokens left (any token window: total, input, output). Default 0. */
  tokens: number;
}

/** What the latest response headers said about one credential's quota for one model or quota group. */
export interface SteeringState {
  /** Steered away from until then (the provider's reset), when remaining is at or below its threshold. */
  steeredUntil?: number;
  /** The provider's request limit per window, when it said (the "known limit" of relative caps). */
  requestLimit?: number;
  /** Requests the provider counts as used in its window (limit − remaining) and when that window resets. */
  providerUsage?: { used: number; resetsAt: number };
}

/** Remaining-quota evidence per credential and quota key, from every response (success too). */
export interface RateLimitSteering {
  observe(credentialId: string, quotaKey: string, info: RateLimitInfo, now: number): void;
  read(credentialId: string, quotaKey: string, now: number): SteeringState | undefined;
  forget(credentialId?: string): void;
}

/** Headers that say "nothing left" without a reset time still steer, for this long, rather than forever. */
const unknownResetMs = 1_000;
const maxEntries = 10_000;

/**
 * Kept in this process only: the evidence is seconds to minutes old at most, arrives with every response, and a
 * write to the state store per response would put the store on the hot path for nothing a restart needs.
 */
export function createRateLimitSteering(thresholds: SteeringThresholds): RateLimitSteering {
  const entries = new Map<string, SteeringState & { credentialId: string }>();
  // Read for every credential on every acquire: look the key up instead of concatenating it each time.
  const keyOf = createPairMemo((credentialId, quotaKey) => `${credentialId}\u0000${quotaKey}`);
  return {
    observe(credentialId, quotaKey, info, now) {
      const state: SteeringState & { credentialId: string } = { credentialId };
      const windows: Array<[RateLimitInfo[keyof RateLimitInfo], number]> = [
        [info.requests, thresholds.requests],
        [info.tokens, thresholds.tokens],
        [info.inputTokens, thresholds.tokens],
        [info.outputTokens, thresholds.tokens],
      ];
      for (const [window, threshold] of windows) {
        if (window?.remaining === undefined || window.remaining > threshold) continue;
        const until = now + (window.resetAfterMs ?? unknownResetMs);
        state.steeredUntil = Math.max(state.steeredUntil ?? 0, until);
      }
      if (info.requests?.limit !== undefined) state.requestLimit = info.requests.limit;
      if (info.requests?.limit !== undefined && info.requests.remaining !== undefined && info.requests.resetAfterMs !== undefined) {
        state.providerUsage = { used: Math.max(0, info.requests.limit - info.requests.remaining), resetsAt: now + info.requests.resetAfterMs };
      }
      const key = keyOf(credentialId, quotaKey);
      // Newest evidence replaces older: a remaining above the threshold lifts an earlier steer.
      entries.delete(key);
      entries.set(key, state);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    read(credentialId, quotaKey, now) {
      // Providers without remaining-quota headers never leave evidence: no key to build then.
      if (entries.size === 0) return undefined;
      const state = entries.get(keyOf(credentialId, quotaKey));
      if (state === undefined) return undefined;
      if (state.steeredUntil !== undefined && state.steeredUntil <= now) {
        const { steeredUntil: _expired, ...rest } = state;
        return rest;
      }
      return state;
    },
    forget(credentialId) {
      for (const [key, state] of entries) if (credentialId === undefined || state.credentialId === credentialId) entries.delete(key);
    },
  };
}
