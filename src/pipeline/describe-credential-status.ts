import type { CooldownRecord, CredentialPools } from "../credentials/index.js";

/** One credential as `GET /v1/status` and `switchyard credentials list` show it: ids only, never a secret. */
export interface CredentialStatusView {
  id: string;
  tier: number;
  /** `cooling` also when only some models of the credential cool (see `cooldowns`). */
  /** `probing`: its cooldown ended and the one request testing it is in flight. */
  state: "ready" | "busy" | "probing" | "capped" | "cooling" | "disabled";
  /** Why it is cooling, capped or disabled (an error code such as `rate_limited` or `authentication`). */
  reason?: string;
  /** ISO time the state ends (cooling, capped); absent for disabled (until reset by hand). */
  until?: string;
  windowUsage: number;
  inFlight: number;
  maxConcurrency: number;
  /** Every cooldown that applies to this credential, per scope. */
  cooldowns: Array<{ scope: string; model?: string; group?: string; code: string; until: string }>;
  /** The newest failed attempts through it (this process): error class, upstream status, ISO time. No messages or bodies. */
  recentErrors: Array<{ code: string; status?: number; at: string }>;
}

/** One provider's pool. */
export interface ProviderStatusView {
  provider: string;
  credentials: CredentialStatusView[];
}

/** Status and manual reset of the credential pools, for the admin route and the CLI. */
export interface CredentialAdministration {
  status(): Promise<ProviderStatusView[]>;
  /** Clear cooldowns and the disabled mark of one credential (by id), or of every credential. Returns entries removed. */
  reset(credentialId?: string): Promise<number>;
}

/** The administration view over `pools`. */
export function createCredentialAdministration(pools: CredentialPools, now: () => number = Date.now): CredentialAdministration {
  return {
    async status() {
      return Promise.all(
        pools.providers.map(async (provider) => {
          const pool = pools.pool(provider);
          // Model "" sees credential- and provider-wide state; model-scoped cooldowns come from the list.
          const [states, cooldowns] = await Promise.all([pool.status(""), pool.listCooldowns()]);
          const current = now();
          return {
            provider,
            credentials: states.map((entry): CredentialStatusView => {
              const applying = cooldowns.filter((cooldown) => cooldown.until > current && appliesTo(cooldown, entry.credentialId));
              const view: CredentialStatusView = {
                id: entry.credentialId,
                tier: entry.tier,
                state: entry.state.kind,
                windowUsage: entry.windowUsage,
                inFlight: entry.inFlight,
                maxConcurrency: entry.maxConcurrency,
                cooldowns: applying.map((cooldown) => ({
                  scope: cooldown.scope,
                  ...(cooldown.model === undefined ? {} : { model: cooldown.model }),
                  ...(cooldown.group === undefined ? {} : { group: cooldown.group }),
                  code: cooldown.code,
                  until: new Date(cooldown.until).toISOString(),
                })),
                recentErrors: entry.recentErrors.map((error) => ({ code: error.code, ...(error.status === undefined ? {} : { status: error.status }), at: new Date(error.at).toISOString() })),
              };
              const state = entry.state;
              if (state.kind === "disabled") view.reason = `${state.code}${state.code === "authentication" || state.code === "permission" ? " (upstream 401/403)" : ""}: disabled until reset`;
              else if (state.kind === "cooling") Object.assign(view, { reason: state.code, until: new Date(state.until).toISOString() });
              else if (state.kind === "capped") Object.assign(view, { reason: "window cap reached", until: new Date(state.until).toISOString() });
              else if (applying.length > 0) {
                const longest = applying.reduce((best, cooldown) => (cooldown.until > best.until ? cooldown : best));
                const what = longest.group === undefined ? (longest.model ?? "all models") : `quota group ${longest.group}`;
                Object.assign(view, { state: "cooling", reason: `${longest.code} for ${what}`, until: new Date(longest.until).toISOString() });
              }
              return view;
            }),
          };
        }),
      );
    },
    async reset(credentialId) {
      let removed = 0;
      for (const provider of pools.providers) {
        const pool = pools.pool(provider);
        if (credentialId !== undefined && !(await pool.status("")).some((entry) => entry.credentialId === credentialId)) continue;
        removed += await pool.reset(credentialId);
      }
      return removed;
    },
  };
}

function appliesTo(cooldown: CooldownRecord, credentialId: string): boolean {
  return cooldown.credentialId === undefined || cooldown.credentialId === credentialId;
}
