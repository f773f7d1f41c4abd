import { z } from "zod";

const milliseconds = z.number().int().nonnegative();
const hour = z.number().int().min(0).max(23);

/** A usage window (credentials/credential-pool-settings.ts `UsageWindow`). */
const usageWindowSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("rolling"), durationMs: z.number().int().positive() }),
  z.strictObject({ kind: z.literal("daily"), resetHourUtc: hour.optional() }),
  z.strictObject({ kind: z.literal("weekly"), resetDayUtc: z.number().int().min(0).max(6).optional(), resetHourUtc: hour.optional() }),
  z.strictObject({ kind: z.literal("monthly"), resetDayOfMonth: z.number().int().min(1).max(28).optional(), resetHourUtc: hour.optional() }),
  z.strictObject({ kind: z.literal("provider") }),
]);

/** A custom cap: absolute (`500`), offset from the known limit (`"-100"`) or a share of it (`"80%"`). */
const capSchema = z.strictObject({
  tier: z.number().int().positive().optional(),
  models: z.string().min(1).optional(),
  limit: z.union([z.number().int().nonnegative(), z.string().regex(/^(?:\d+|-\d+|\d+(?:\.\d+)?%)$/, { message: 'expected 500, "-100" or "80%"' })]),
  knownLimit: z.number().int().positive().optional(),
  onHit: z.union([z.literal("until-reset"), z.strictObject({ cooldownMs: z.number().int().positive() })]).optional(),
});

/** Limits of one credential (switchyard.json `rotation.providers.<id>.credentials.<credential>`). */
const pooledCredentialSchema = z.strictObject({
  /** Priority tier; 1 is the highest. */
  tier: z.number().int().positive().optional(),
  /** Never more requests through it at once. */
  maxConcurrency: z.number().int().positive().optional(),
  /** Above this many in flight, other credentials of the tier are preferred. */
  optimalConcurrency: z.number().int().positive().optional(),
  /** Requests per usage window; the credential rests until the window resets. */
  windowCap: z.number().int().nonnegative().optional(),
});

/**
 * Rotation settings of one provider's pool (switchyard.json `rotation.providers.<id>`). Keys never live here:
 * credentials are named by their id (`switchyard credentials list`).
 */
export const rotationPoolSchema = z.strictObject({
  /** Models sharing one quota: `{ "gemini-pro": ["gemini-2.5-pro*", "gemini-3-pro*"] }`. */
  quotaGroups: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
  window: usageWindowSchema.optional(),
  tolerance: z.number().int().nonnegative().optional(),
  cycleDurationMs: z.number().int().positive().optional(),
  /** `fair-cycle`: one cycle per quota group (the model's group, else the model; default) or one for the provider (`credential`). */
  cycleScope: z.enum(["quota-group", "credential"]).optional(),
  /** Priority tier per credential id (1 is the highest; default 1). Shorthand for `credentials.<id>.tier`. */
  tiers: z.record(z.string().min(1), z.number().int().positive()).optional(),
  /**
   * Per credential: tier, max and optimal concurrency, window cap. Named by id (`openai:3f2a…`, as `switchyard
   * credentials list` shows) or by the variable that holds its key (`OPENAI_API_KEY_2`); the key itself stays there.
   */
  credentials: z.record(z.string().min(1), pooledCredentialSchema).optional(),
  /** Max concurrency of this provider's credentials (default SWITCHYARD_MAX_CONCURRENCY / `rotation.maxConcurrency`). */
  maxConcurrency: z.number().int().positive().optional(),
  /** When every healthy credential is at its max: how long to wait before asking again (ms, default 50), within the request deadline. */
  busyWaitMs: z.number().int().positive().optional(),
  /** Backoff for failures that name no wait: base doubled per consecutive failure up to max, with jitter. */
  backoff: z.strictObject({ baseMs: z.number().int().positive().optional(), maxMs: z.number().int().positive().optional() }).optional(),
  /** Remaining requests / tokens (rate-limit headers) at or below which a credential is avoided until its reset. */
  steering: z.strictObject({ requests: z.number().int().nonnegative().optional(), tokens: z.number().int().nonnegative().optional() }).optional(),
  caps: z.array(capSchema).optional(),
  /** Quota exhausted and no reset time given: `warn`, `disable`, `cooldown` (backoff) or `{ "cooldownMs": n }`. */
  exhaustedWithoutReset: z.union([z.enum(["warn", "disable", "cooldown"]), z.strictObject({ cooldownMs: milliseconds })]).optional(),
  affinity: z.strictObject({ ttlMs: z.number().int().positive().optional(), maxEntries: z.number().int().positive().optional() }).optional(),
  maxCooldownMs: z.number().int().positive().optional(),
});

/** One provider's rotation settings as parsed. */
export type RotationPoolConfig = z.infer<typeof rotationPoolSchema>;
