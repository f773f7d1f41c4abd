import { GatewayError, invalidRequest } from "../unified/index.js";
import { groupModelPrefix, type FallbackGroup } from "./parse-fallback-groups.js";
import { matchAlias, resolveModel, resolveProviderPrefix, type ResolvedModel, type ResolveModelOptions } from "./resolve-model.js";
import type { ModelAlias } from "./parse-model-aliases.js";

/** Where a request goes: one target, or a fallback group's targets in the order they are tried. */
export interface ResolvedRoute {
  /** The model string as the client sent it (trimmed). */
  requested: string;
  /** Never empty; the first is tried first. */
  targets: readonly ResolvedModel[];
  /** The group whose targets (and `failoverOn` / `stopOn`) apply. */
  group?: FallbackGroup;
}

/**
 * Resolves a model string to its targets: `group/<name>`, or an alias whose target is `group/<name>`, gives the
 * group's targets in order; a `provider/model` request that is a member of a group (the first declared) gives that
 * group with the requested target promoted to first; anything else resolves as `resolveModel` does, to one target.
 * Members whose provider is not active are skipped (load-config warns about them).
 */
export function resolveRoute(model: string, options: ResolveModelOptions & { groups?: readonly FallbackGroup[] }): ResolvedRoute {
  const requested = model.trim();
  if (requested === "") throw invalidRequest("model", "is required");
  const groups = options.groups ?? [];
  if (requested.startsWith(groupModelPrefix)) return groupRoute(requested, requested, undefined, groups, options);
  const matched = matchAlias(requested, options);
  if (matched?.target.startsWith(groupModelPrefix) === true) return groupRoute(matched.target, requested, matched.alias, groups, options);

  const single = resolveModel(requested, options);
  if (single.via !== "provider-prefix") return { requested, targets: [single] };
  const member = `${single.provider.id}/${single.upstreamModel}`;
  const group = groups.find((candidate) => candidate.targets.includes(member));
  if (group === undefined) return { requested, targets: [single] };
  return groupRoute(`${groupModelPrefix}${group.name}`, requested, undefined, groups, options);
}

function groupRoute(
  groupModel: string,
  requested: string,
  alias: ModelAlias | undefined,
  groups: readonly FallbackGroup[],
  options: ResolveModelOptions,
): ResolvedRoute {
  const name = groupModel.slice(groupModelPrefix.length);
  const group = groups.find((candidate) => candidate.name === name);
  const via = alias === undefined ? "" : `model "${requested}" matches alias "${alias.pattern}" → "${groupModel}", but `;
  if (group === undefined) {
    const known = groups.length === 0 ? "none is configured (SWITCHYARD_FALLBACK_GROUPS)" : `configured: ${groups.map((candidate) => candidate.name).join(", ")}`;
    throw new GatewayError("not_found", `${via}fallback group "${name}" does not exist; ${known}`);
  }
  // The requested member goes first; the others keep the group's order.
  const ordered = group.targets.includes(requested) ? [requested, ...group.targets.filter((target) => target !== requested)] : group.targets;
  const targets: ResolvedModel[] = [];
  for (const target of ordered) {
    const resolved = resolveProviderPrefix(target, options.providers);
    if (resolved !== undefined) targets.push({ ...resolved, via: "group", requested, ...(alias === undefined ? {} : { alias }) });
  }
  if (targets.length === 0) {
    throw new GatewayError("not_found", `${via}no target of fallback group "${name}" has an active provider (${group.targets.join(", ")})`);
  }
  return { requested, targets, group };
}
