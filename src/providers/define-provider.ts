import { z } from "zod";
import { GatewayError, protocolIds } from "../unified/index.js";
import type {
  ModelCapabilities,
  ModelInfo,
  ProviderDeclaration,
  ProviderDefinition,
  ProviderHooks,
} from "./provider-declaration.js";
import { modelListShapeByProtocol } from "./resolve-operation-path.js";
import { fieldCacheRuleSchema } from "./field-cache-rule-declaration.js";

const kebabCaseId = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const envName = /^[A-Z][A-Z0-9_]*$/;

const protocolSchema = z.enum(protocolIds);
const httpUrlSchema = z.string().refine(isHttpUrl, { message: "expected an absolute http(s) URL" });
const headerNameSchema = z.string().regex(headerName, { message: "expected an HTTP header name" });
const functionSchema = z.custom<(...parameters: never[]) => unknown>((value) => typeof value === "function", {
  message: "expected a function",
});
const pathTemplatesSchema = z.strictObject({
  generate: z.string().startsWith("/").optional(),
  "generate-stream": z.string().startsWith("/").optional(),
  "count-tokens": z.string().startsWith("/").optional(),
  embed: z.string().startsWith("/").optional(),
  "list-models": z.string().startsWith("/").optional(),
});
const capabilitiesSchema = z.strictObject({
  tools: z.boolean().optional(),
  vision: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  streaming: z.boolean().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
});
const modelSchema = z.union([
  z.string().min(1),
  z.strictObject({ id: z.string().min(1), displayName: z.string().optional(), capabilities: capabilitiesSchema.optional() }),
]);

/** The zod schema every declaration passes at startup. */
const providerDeclarationSchema = z.strictObject({
  id: z.string().regex(kebabCaseId, { message: "expected a kebab-case id (e.g. my-provider)" }),
  displayName: z.string().min(1),
  protocol: protocolSchema,
  protocols: z.array(protocolSchema).min(1).optional(),
  baseUrl: httpUrlSchema,
  baseUrlByProtocol: z.partialRecord(protocolSchema, httpUrlSchema).optional(),
  paths: z.partialRecord(protocolSchema, pathTemplatesSchema).optional(),
  auth: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("bearer") }),
    z.strictObject({ type: z.literal("header"), name: headerNameSchema }),
    z.strictObject({ type: z.literal("query"), param: z.string().min(1) }),
    z.strictObject({ type: z.literal("none") }),
  ]),
  headers: z.record(headerNameSchema, z.string()).optional(),
  forwardHeaders: z.array(headerNameSchema).optional(),
  keyRequired: z.boolean(),
  local: z.boolean().optional(),
  envName: z.string().regex(envName, { message: "expected an upper-case environment name (e.g. MY_PROVIDER)" }).optional(),
  models: z
    .strictObject({
      static: z.array(modelSchema).optional(),
      discovery: z
        .union([
          z.literal(false),
          z.strictObject({ shape: z.enum(["openai", "anthropic", "gemini"]).optional() }),
        ])
        .optional(),
    })
    .optional(),
  capabilities: capabilitiesSchema.optional(),
  capabilityRules: z.array(z.strictObject({ match: z.string().min(1), capabilities: capabilitiesSchema })).optional(),
  hooks: z
    .strictObject({
      adjustRequest: functionSchema.optional(),
      resolveUrl: functionSchema.optional(),
      classifyError: functionSchema.optional(),
      readRateLimit: functionSchema.optional(),
    })
    .optional(),
  transport: functionSchema.optional(),
  docsUrl: httpUrlSchema.optional(),
  streamViaNonStream: z.boolean().optional(),
  adapters: z.array(z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), options: z.unknown().optional() })])).optional(),
  fieldCache: z.array(fieldCacheRuleSchema).optional(),
});

/** Capabilities assumed when a declaration says nothing: permissive, so unknown models are not filtered out. */
const defaultCapabilities: ModelCapabilities = { tools: true, vision: true, reasoning: true, streaming: true };

/**
 * Validates a provider declaration and returns its normalized definition; throws `config` naming the field.
 * Runs at startup (module load of the built-ins, config load for providers made from the environment).
 */
export function defineProvider(declaration: ProviderDeclaration): ProviderDefinition {
  const parsed = providerDeclarationSchema.safeParse(declaration);
  const label = typeof declaration?.id === "string" ? `provider "${declaration.id}"` : "provider declaration";
  if (!parsed.success) {
    const details = parsed.error.issues.map(describeIssue).join("; ");
    throw new GatewayError("config", `${label}: ${details}`);
  }
  const protocols = declaration.protocols ?? [declaration.protocol];
  if (!protocols.includes(declaration.protocol)) {
    throw new GatewayError("config", `${label}: protocols: must include the default protocol "${declaration.protocol}"`);
  }
  const discovery = declaration.models?.discovery;
  const definition: ProviderDefinition = {
    id: declaration.id,
    displayName: declaration.displayName,
    protocol: declaration.protocol,
    protocols: Object.freeze([...protocols]),
    baseUrl: trimTrailingSlash(declaration.baseUrl),
    baseUrlByProtocol: Object.freeze(mapValues(declaration.baseUrlByProtocol ?? {}, trimTrailingSlash)),
    paths: Object.freeze({ ...declaration.paths }),
    auth: Object.freeze(declaration.auth.type === "header" ? { type: "header", name: declaration.auth.name.toLowerCase() } : { ...declaration.auth }),
    headers: Object.freeze(lowerCaseKeys(declaration.headers ?? {})),
    forwardHeaders: Object.freeze((declaration.forwardHeaders ?? []).map((name) => name.toLowerCase())),
    keyRequired: declaration.keyRequired,
    local: declaration.local ?? false,
    envName: declaration.envName ?? declaration.id.toUpperCase().replaceAll("-", "_"),
    models: Object.freeze({
      static: Object.freeze((declaration.models?.static ?? []).map(toModelInfo)),
      discovery:
        discovery === false
          ? undefined
          : Object.freeze({ shape: discovery?.shape ?? modelListShapeByProtocol[declaration.protocol] }),
    }),
    capabilities: Object.freeze({ ...defaultCapabilities, ...declaration.capabilities }),
    capabilityRules: Object.freeze([...(declaration.capabilityRules ?? [])]),
    hooks: Object.freeze({ ...declaration.hooks } satisfies ProviderHooks),
    ...(declaration.transport === undefined ? {} : { transport: declaration.transport }),
    ...(declaration.docsUrl === undefined ? {} : { docsUrl: declaration.docsUrl }),
    ...(declaration.streamViaNonStream === undefined ? {} : { streamViaNonStream: declaration.streamViaNonStream }),
    adapters: Object.freeze([...(declaration.adapters ?? [])]),
    fieldCache: Object.freeze([...(declaration.fieldCache ?? [])]),
  };
  return Object.freeze(definition);
}

/** Whether a string is an absolute http(s) URL. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:";
}

/** `providers.openai.baseUrl` style path of a zod issue plus its message. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
  return keys
    .map((key) => {
      const path = [...issue.path, ...(key === undefined ? [] : [key])].reduce<string>(
        (joined, segment) => (typeof segment === "number" ? `${joined}[${segment}]` : joined === "" ? String(segment) : `${joined}.${String(segment)}`),
        "",
      );
      const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
      return path === "" ? message : `${path}: ${message}`;
    })
    .join("; ");
}

function toModelInfo(model: string | ModelInfo): ModelInfo {
  return typeof model === "string" ? { id: model } : { ...model };
}

function trimTrailingSlash(url: string): string {
  return url.endsWith("/") ? url.replace(/\/+$/, "") : url;
}

function lowerCaseKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) lowered[key.toLowerCase()] = value;
  return lowered;
}

function mapValues<K extends string, V>(record: Partial<Record<K, V>>, map: (value: V) => V): Partial<Record<K, V>> {
  const mapped: Partial<Record<K, V>> = {};
  for (const key of Object.keys(record) as K[]) {
    const value = record[key];
    if (value !== undefined) mapped[key] = map(value);
  }
  return mapped;
}
