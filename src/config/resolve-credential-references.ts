import { createCredential, type ProviderRegistry } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import type { RotationPoolConfig } from "./rotation-pool-schema.js";

const variableName = /^[A-Z][A-Z0-9_]*$/;

/**
 * `rotation.providers.<id>.credentials` names credentials by id or by the variable holding the key; this turns every
 * name into the id (the keyed hash of the key, never the key) so the pools need not know the environment. A variable
 * that is unset is a config error naming the field; a name that matches none of the provider's credentials is a
 * warning (the key may just be absent today).
 */
export function resolveCredentialReferences(
  pools: Readonly<Record<string, RotationPoolConfig>>,
  env: Readonly<Record<string, string | undefined>>,
  providers: ProviderRegistry,
  fieldOf: (field: string) => string,
  warnings: string[],
): Record<string, RotationPoolConfig> {
  const resolved: Record<string, RotationPoolConfig> = {};
  for (const [providerId, pool] of Object.entries(pools)) {
    if (pool.credentials === undefined) {
      resolved[providerId] = pool;
      continue;
    }
    const known = new Set(providers.get(providerId)?.credentials.map((credential) => credential.id) ?? []);
    const credentials: NonNullable<RotationPoolConfig["credentials"]> = {};
    for (const [name, settings] of Object.entries(pool.credentials)) {
      const field = fieldOf(`rotation.providers.${providerId}.credentials.${name}`);
      let id = name;
      if (variableName.test(name)) {
        const secret = env[name]?.trim();
        if (secret === undefined || secret === "") throw new GatewayError("config", `${field}: ${name} is not set, so there is no credential to configure`);
        id = createCredential(providerId, secret).id;
      }
      if (!known.has(id)) warnings.push(`${field}: not one of ${providerId}'s credentials (${[...known].join(", ") || "none"}); its settings are unused`);
      if (credentials[id] !== undefined) throw new GatewayError("config", `${field}: names ${id} a second time`);
      credentials[id] = settings;
    }
    resolved[providerId] = { ...pool, credentials };
  }
  return resolved;
}
