import { GatewayError } from "../unified/index.js";
import type { CooldownTarget } from "./create-cooldown-ledger.js";
import type { QuotaGroupMatcher } from "./match-quota-group.js";

/** Where cooldowns of one credential for one model land, given the provider's quota groups. */
export interface CooldownTargets {
  /** Every target a success of `credentialId` on `model` is evidence against (cleared on success). */
  targetsOf(credentialId: string, model: string): CooldownTarget[];
  /** The target of a failure: a model of a quota group cools the group; "the model's quota" without a group is the credential's. */
  failureTargetOf(credentialId: string, model: string, scope: CooldownTarget["scope"]): CooldownTarget;
  /** Probation keys of one credential for one model: every credential-scoped cooldown that could have held it. */
  probeKeysOf(credentialId: string, model: string): string[];
  /** The probation key of a credential-scoped target (model- and provider-wide cooldowns have no probe). */
  probeKeyOfTarget(target: CooldownTarget): string | undefined;
}

/** The mapping for a provider whose quota groups `groupOf` knows. */
export function createCooldownTargets(groupOf: QuotaGroupMatcher): CooldownTargets {
  return {
    targetsOf(credentialId, model) {
      const group = groupOf(model);
      return [
        { scope: "credential", credentialId },
        { scope: "credential-model", credentialId, model },
        ...(group === undefined ? [] : [{ scope: "credential-group" as const, credentialId, group }]),
        { scope: "model", model },
        { scope: "provider" },
      ];
    },
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
    probeKeysOf(credentialId, model) {
      const group = groupOf(model);
      return [`credential:${credentialId}`, `credential-model:${credentialId}:${model}`, ...(group === undefined ? [] : [`credential-group:${credentialId}:${group}`])];
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
