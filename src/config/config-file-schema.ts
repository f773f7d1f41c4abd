import { z } from "zod";
import { adapterChainConfigSchema } from "../adapters/index.js";
import { fieldCacheSettingsSchema } from "../field-cache/index.js";
import { isHttpUrl } from "../providers/index.js";
import { groupNamePattern, groupTargetPattern, hardStopCodes } from "../routing/index.js";
import { gatewayErrorCodes, protocolIds, type GatewayErrorCode } from "../unified/index.js";
import { logLevels } from "./gateway-config.js";
import { rotationPoolSchema } from "./rotation-pool-schema.js";

const milliseconds = z.number().int().nonnegative();
/** The credential pool strategies (credentials/credential-pool-settings.ts). */
export const selectionStrategies = ["balanced", "sequential", "fair-cycle"] as const;
const positiveInteger = z.number().int().positive();

/** One provider entry of switchyard.json. Keys never live here: they come from `<NAME>_API_KEY`. */
/** Stream settings of one provider (switchyard.json `providers.<id>.stream`), each overriding the global one. */
const providerStreamSchema = z.strictObject({
  ttfbMs: z.number().int().positive().optional(),
  stallMs: z.number().int().positive().optional(),
  heartbeatMs: milliseconds.optional(),
  cancelOnDisconnect: z.boolean().optional(),
  reasoningVisible: z.boolean().optional(),
  viaNonStream: z.boolean().optional(),
});

const providerEntrySchema = z.strictObject({
  stream: providerStreamSchema.optional(),
  enabled: z.boolean().optional(),
  baseUrl: z.string().refine(isHttpUrl, { message: "expected an absolute http(s) URL" }).optional(),
  protocol: z.enum(protocolIds).optional(),
  models: z.array(z.string().min(1)).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  displayName: z.string().min(1).optional(),
});

const errorCode = z.enum(gatewayErrorCodes);
const isHardStopCode = (code: GatewayErrorCode): boolean => (hardStopCodes as readonly GatewayErrorCode[]).includes(code);

/** One fallback group: ordered `provider/model` targets and optional overrides of which codes move on. */
const fallbackGroupSchema = z
  .strictObject({
    targets: z
      .array(z.string().regex(groupTargetPattern, { message: "expected provider/model" }))
      .min(1)
      .refine((targets) => new Set(targets).size === targets.length, { message: "lists a target twice" }),
    failoverOn: z
      .array(errorCode.refine((code) => !isHardStopCode(code), { message: "is a hard stop: no group setting makes it fall back" }))
      .optional(),
    stopOn: z.array(errorCode).optional(),
  })
  .superRefine((group, context) => {
    for (const [index, code] of (group.stopOn ?? []).entries()) {
      if (group.failoverOn?.includes(code) === true) context.addIssue({ code: "custom", path: ["stopOn", index], message: `${code} is also in failoverOn` });
    }
  });

/** The schema of switchyard.json; unknown fields are errors so that typos do not pass silently. */
export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  dataDir: z.string().min(1).optional(),
  logLevel: z.enum(logLevels).optional(),
  trace: z.boolean().optional(),
  dumpFailures: z.boolean().optional(),
  maxFailureDumps: positiveInteger.optional(),
  defaultProvider: z.string().min(1).optional(),
  aliases: z.record(z.string().min(1), z.string().min(1)).optional(),
  timeouts: z
    .strictObject({ requestMs: milliseconds.optional(), ttfbMs: milliseconds.optional(), stallMs: milliseconds.optional(), heartbeatMs: milliseconds.optional() })
    .optional(),
  stream: z.strictObject({ cancelOnDisconnect: z.boolean().optional(), reasoningVisible: z.boolean().optional(), viaNonStream: z.boolean().optional() }).optional(),
  upstream: z
    .strictObject({ connectTimeoutMs: milliseconds.optional(), headersTimeoutMs: milliseconds.optional(), bodyTimeoutMs: milliseconds.optional() })
    .optional(),
  limits: z.strictObject({ bodyBytes: positiveInteger.optional(), jsonDepth: positiveInteger.optional() }).optional(),
  modelDiscovery: z.strictObject({ ttlMs: milliseconds.optional() }).optional(),
  responses: z.strictObject({ maxBackgroundJobs: positiveInteger.optional(), cancelPollMs: positiveInteger.optional(), leaseMs: positiveInteger.optional() }).optional(),
  demo: z.strictObject({ enabled: z.boolean().optional(), chunkDelayMs: milliseconds.optional() }).optional(),
  providers: z.record(z.string(), providerEntrySchema).optional(),
  /** Adapter chains per provider and per model pattern (docs/configuration.md, "adapters"). */
  adapters: adapterChainConfigSchema.optional(),
  /** Field-cache rules per provider and raised bounds of declared ones (src/field-cache/resolve-field-cache-rules.ts). */
  fieldCache: fieldCacheSettingsSchema.optional(),
  fallbackGroups: z
    .record(z.string().regex(groupNamePattern, { message: "a group name is letters, digits, '.', '_' or '-'" }), fallbackGroupSchema)
    .optional(),
  rotation: z
    .strictObject({
      strategy: z.enum(selectionStrategies).optional(),
      strategies: z.record(z.string(), z.enum(selectionStrategies)).optional(),
      maxConcurrency: positiveInteger.optional(),
      maxRetries: z.number().int().nonnegative().optional(),
      /** Per provider: quota groups, usage window, tiers, steering, caps, the exhausted-without-reset policy. */
      providers: z.record(z.string(), rotationPoolSchema).optional(),
    })
    .optional(),
});

/** A parsed switchyard.json. */
export type ConfigFile = z.infer<typeof configFileSchema>;

/** `field.path: message` for each zod issue (unknown keys named one by one). */
export function describeConfigIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return keys.map((path) => {
      const field = formatPath(path);
      const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
      return field === "" ? message : `${field}: ${message}`;
    });
  });
}

/** `providers.openai.models[2]` from a path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((joined, segment) => {
    if (typeof segment === "number") return `${joined}[${segment}]`;
    return joined === "" ? String(segment) : `${joined}.${String(segment)}`;
  }, "");
}
