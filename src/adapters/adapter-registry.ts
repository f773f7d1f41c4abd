import type { z } from "zod";
import { GatewayError } from "../unified/index.js";
import type { Adapter } from "./adapter.js";
import { createAdapterMemory, type AdapterMemory } from "./adapter-memory.js";

/** What the registry lends a factory besides the options: state that outlives any one adapter instance. */
export interface AdapterScope {
  /** This adapter name's memory, shared by every instance the registry creates (see adapter-memory.ts). */
  readonly memory: AdapterMemory;
}

/** Makes adapters of one name from their (validated) options. */
export interface AdapterFactory {
  readonly name: string;
  /** One line for `switchyard doctor` and docs. */
  readonly description: string;
  /**
   * Validates raw options (from config or a provider declaration) and builds the adapter; bad options are `config`
   * errors. `scope` is the registry's (absent when a factory is used alone: a fresh memory then).
   */
  create(options: unknown, scope?: AdapterScope): Adapter;
}

/** Declares a factory whose options are checked by a zod schema before `create` sees them. */
export function defineAdapterFactory<Schema extends z.ZodType>(spec: {
  name: string;
  description: string;
  options: Schema;
  create(options: z.output<Schema>, scope: AdapterScope): Adapter;
}): AdapterFactory {
  return {
    name: spec.name,
    description: spec.description,
    create(options: unknown, scope?: AdapterScope): Adapter {
      const parsed = spec.options.safeParse(options ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue === undefined || issue.path.length === 0 ? "" : `.${issue.path.join(".")}`;
        throw new GatewayError("config", `adapter "${spec.name}" options${where}: ${issue?.message ?? "invalid"}`);
      }
      return spec.create(parsed.data, scope ?? { memory: createAdapterMemory() });
    },
  };
}

/** A reference to an adapter as written in config: its name, or its name with options. */
export type AdapterReference = string | { name: string; options?: unknown; enabled?: boolean };

/** Named adapter factories. */
export interface AdapterRegistry {
  /** Registered names, in registration order. */
  names(): string[];
  has(name: string): boolean;
  /** Builds the adapter a reference names; an unknown name is a `config` error listing the known ones. */
  create(reference: AdapterReference): Adapter;
}

/** Options of a registry. */
export interface AdapterRegistryOptions {
  /** Most keys each adapter name's memory holds (default `defaultAdapterMemoryEntries`). */
  maxRemembered?: number;
}

/**
 * A registry of the given factories (the built-ins plus any a library user adds); duplicate names are a `config`
 * error. Each adapter name gets one memory for the registry's lifetime, handed to every instance it creates.
 */
export function createAdapterRegistry(factories: readonly AdapterFactory[], options: AdapterRegistryOptions = {}): AdapterRegistry {
  const byName = new Map<string, AdapterFactory>();
  const scopes = new Map<string, AdapterScope>();
  const scopeOf = (name: string): AdapterScope => {
    let scope = scopes.get(name);
    if (scope === undefined) {
      scope = { memory: createAdapterMemory(options.maxRemembered) };
      scopes.set(name, scope);
    }
    return scope;
  };
  for (const factory of factories) {
    if (byName.has(factory.name)) throw new GatewayError("config", `adapter "${factory.name}" is registered twice`);
    byName.set(factory.name, factory);
  }
  return {
    names: () => [...byName.keys()],
    has: (name) => byName.has(name),
    create(reference) {
      const name = typeof reference === "string" ? reference : reference.name;
      const factory = byName.get(name);
      if (factory === undefined) throw new GatewayError("config", `unknown adapter "${name}" (known: ${[...byName.keys()].join(", ")})`);
      return factory.create(typeof reference === "string" ? undefined : reference.options, scopeOf(name));
    },
  };
}
