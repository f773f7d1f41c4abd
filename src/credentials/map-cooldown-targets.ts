import { GatewayError } from "../unified/index.js";
import type { CooldownTarget } from "./create-cooldown-ledger.js";
import { createPairMemo } from "./create-pair-memo.js";
import type { QuotaGroupMatcher } from "./match-quota-group.js";

/** Where cooldowns of one credential for one model land, given the provider's quota groups. */
export interface CooldownTargets {
  /** Every target a success of `credentialId` on `model` is evidence against (cleared on success). Shared: do not mutate. */
  targetsOf(credentialId: string, model: string): readonly CooldownTarget[];
  /** The target of a failure: a model of a quota group cools the group; "the model's quota" without a group is the credential's. */
  failureTargetOf(credentialId: string, model: string, scope: CooldownTarget["scope"]): CooldownTarget;
  /** Probation keys of one credential for one model: every credential-scoped cooldown that could have held it. Shared: do not mutate. */
  probeKeysOf(credentialId: string, model: string): readonly string[];
  /** The probation key of a credential-scoped target (model- and provider-wide cooldowns have no probe). */
  probeKeyOfTarget(target: CooldownTarget): string | undefined;
}

/** The mapping for a provider whose quota groups `groupOf` knows. */
export function createCooldownTargets(groupOf: QuotaGroupMatcher): CooldownTargets {
  // Both run for every credential on every acquire and release; the lists only depend on their two arguments.
  const targetsOf = createPairMemo((credentialId, model): readonly CooldownTarget[] => {
    const group = groupOf(model);
    return [
      { scope: "credential", credentialId },
      { scope: "credential-model", credentialId, model },
      ...(group === undefined ? [] : [{ scope: "credential-group" as const, credentialId, group }]),
      { scope: "model", model },
      { scope: "provider" },
    ];
  });
  const probeKeysOf = createPairMemo((credentialId, model): readonly string[] => {
    const group = groupOf(model);
    return [`credential:${credentialId}`, `credential-model:${credentialId}:${model}`, ...(group === undefined ? [] : [`credential-group:${credentialId}:${group}`])];
  });
  return {
    targetsOf,
    probeKeysOf,
    failureTargetOf(credentialId, model, scope) {
      const group = groupOf(model);
      switch (scope) {
        case "credential":
          return { scope, credentialId };
        case "credential-model":
          return group === undefined ? { scope, credentialId, model } : { scope: "credential-group", credentialId, group };
        case "credential-group":
          return group === undefined ? { scope: "credential", credentialId } : { scope, credentialId, group };
        case "model":
          return { scope, model };
        case "provider":
          return { scope };
        default: {
          const unreachable: never = scope;
          throw new GatewayError("internal", `unknown cooldown scope ${String(unreachable)}`);
        }
      }
    },
    probeKeyOfTarget(target) {
      switch (target.scope) {
        case "credential":
          return `credential:${target.credentialId ?? ""}`;
        case "credential-model":
          return `credential-model:${target.credentialId ?? ""}:${target.model ?? ""}`;
        case "credential-group":
          return `credential-group:${target.credentialId ?? ""}:${target.group ?? ""}`;
        case "model":
        case "provider":
          return undefined;
        default: {
          const unreachable: never = target.scope;
          throw new GatewayError("internal", `unknown cooldown scope ${String(unreachable)}`);
        }
      }
    },
  };
}
