import { describe, expect, it } from "vitest";
import { createCredential, type Credential } from "../providers/index.js";
import { createMemoryStateStore } from "../state/index.js";
import { createCredentialPools, type AcquireResult, type CredentialLease } from "./index.js";

// Session evidence that names a credential directly (the one that served a Responses parent), against the keys that
// earlier requests bound. `balanced` with tolerance 0 moves to the least used credential on every request without
// evidence, so staying put is the evidence at work.

const credentials = ["sk-evidence-aaaaaaaa", "sk-evidence-bbbbbbbb", "sk-evidence-cccccccc"].map((secret) => createCredential("openai", secret));
const [a, b, c] = credentials as [Credential, Credential, Credential];

function setup() {
  const pools = createCredentialPools({
    pools: [{ provider: "openai", strategy: "balanced", tolerance: 0, credentials: credentials.map((credential) => ({ credential })) }],
    store: createMemoryStateStore(),
  });
  const pool = pools.pool("openai");
  const pick = async (sessionKeys: Parameters<typeof pool.acquire>[0]["sessionKeys"]): Promise<string> => {
    const lease = leaseOf(await pool.acquire({ model: "gpt-x", ...(sessionKeys === undefined ? {} : { sessionKeys }) }));
    await lease.release({ kind: "success" });
    return lease.credential.id;
  };
  return { pool, pick };
}

function leaseOf(result: AcquireResult): CredentialLease {
  if (result.kind !== "lease") throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
  return result.lease;
}

describe("a credential named as session evidence", () => {
  it("is chosen while healthy, ranks where it is placed, and counts only in its own provider's pool", async () => {
    const { pick } = setup();
    const servedByC = { provider: "openai", credentialId: c.id };
    expect([await pick([servedByC]), await pick([servedByC]), await pick([servedByC])]).toEqual([c.id, c.id, c.id]);
    // Another provider's credential is no evidence here: the least used serves, as usual.
    expect(await pick([{ provider: "anthropic", credentialId: c.id }])).toBe(a.id);

    // A key bound earlier (to b) placed before the named credential wins; placed after, it loses.
    expect(await pick(["session-id:s1"])).toBe(b.id);
    expect(await pick(["session-id:s1", servedByC])).toBe(b.id);
    expect(await pick([servedByC, "tool-pair:x"])).toBe(c.id);
    // ... and the keys after it were bound to the credential it chose.
    expect(await pick(["tool-pair:x"])).toBe(c.id);
  });

  it("gives way when that credential is cooling, and the request's keys bind to the one that served", async () => {
    const { pool, pick } = setup();
    const lease = leaseOf(await pool.acquire({ model: "gpt-x" }));
    expect(lease.credential.id).toBe(a.id);
    await lease.release({ kind: "failure", code: "rate_limited", scope: "credential", cooldownMs: 60_000 });
    const served = await pick([{ provider: "openai", credentialId: a.id }, "tool-pair:y"]);
    expect(served).not.toBe(a.id);
    expect(await pick(["tool-pair:y"])).toBe(served);
  });
});
