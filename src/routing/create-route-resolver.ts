import type { ModelListLookup, ResolveModelOptions } from "./resolve-model.js";
import type { FallbackGroup } from "./parse-fallback-groups.js";
import { resolveRoute, type ResolvedRoute } from "./resolve-route.js";

/** `resolveRoute` bound to one configuration, remembering what each model string resolved to. */
export type RouteResolver = (model: string) => ResolvedRoute;

/** Distinct model strings are few; the bound only guards against a client inventing names. */
const maxCachedRoutes = 1_000;

/**
 * Resolves like `resolveRoute` with the same options on every call, and keeps each answer that depends only on the
 * configuration (providers, aliases, groups, the default provider and static model lists never change after start-up).
 * An answer that consulted the discovered model lists is not kept, since discovery refreshes them; a model string that
 * does not resolve throws again every time. Resolved routes are shared between requests: callers must not mutate them.
 */
export function createRouteResolver(options: ResolveModelOptions & { groups?: readonly FallbackGroup[] }): RouteResolver {
  const cache = new Map<string, ResolvedRoute>();
  let consultedModelLists = false;
  const models = options.models;
  const watched: ResolveModelOptions & { groups?: readonly FallbackGroup[] } =
    models === undefined
      ? options
      : {
          ...options,
          models: {
            peek(providerId) {
              consultedModelLists = true;
              return models.peek(providerId);
            },
          } satisfies ModelListLookup,
        };
  return (model) => {
    const cached = cache.get(model);
    if (cached !== undefined) return cached;
    consultedModelLists = false;
    const route = resolveRoute(model, watched);
    if (!consultedModelLists) {
      if (cache.size >= maxCachedRoutes) cache.clear();
      cache.set(model, route);
    }
    return route;
  };
}
