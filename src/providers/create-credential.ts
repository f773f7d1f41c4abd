import { createHmac } from "node:crypto";

/**
 * Credential ids are keyed hashes so that logs, state keys and errors can name a credential without revealing it.
 * The key is a constant project salt: ids must stay stable across restarts and instances (cooldowns and counters in
 * a shared store are keyed by them), and the salt keeps them from being a plain SHA-256 anyone can look up.
 */
const credentialIdSalt = "switchyard/credential-id/v1";
/** Below this length, first-3 + last-4 would reveal too much of the secret, so the fingerprint is the id. */
const minimumLengthForPartialFingerprint = 20;
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** One secret for one provider. The secret is readable through `secret` but never enumerable or serialized. */
export interface Credential {
  /** `<provider>:<10 hex>`; `<provider>:keyless` for providers used without a key. */
  readonly id: string;
  readonly providerId: string;
  /** For logs: `sk-…ab12` when the secret is long enough, else the id. */
  readonly fingerprint: string;
  /** The secret itself ("" for keyless); only auth code reads it. */
  readonly secret: string;
  readonly keyless: boolean;
}

class SecretCredential implements Credential {
  readonly id: string;
  readonly providerId: string;
  readonly fingerprint: string;
  readonly #secret: string;

  constructor(providerId: string, secret: string) {
    this.providerId = providerId;
    this.#secret = secret;
    this.id = secret === "" ? `${providerId}:keyless` : `${providerId}:${hashCredentialSecret(secret)}`;
    this.fingerprint =
      secret === "" ? "keyless" : secret.length >= minimumLengthForPartialFingerprint ? `${secret.slice(0, 3)}…${secret.slice(-4)}` : this.id;
  }

  get secret(): string {
    return this.#secret;
  }

  get keyless(): boolean {
    return this.#secret === "";
  }

  toJSON(): { id: string; providerId: string; fingerprint: string } {
    return { id: this.id, providerId: this.providerId, fingerprint: this.fingerprint };
  }

  toString(): string {
    return this.id;
  }

  [inspectSymbol](): string {
    return `Credential(${this.id})`;
  }
}

/** A credential for a provider from its secret (an API key). */
export function createCredential(providerId: string, secret: string): Credential {
  return new SecretCredential(providerId, secret);
}

/** The stand-in credential of a provider used without a key (local servers, the demo). */
export function createKeylessCredential(providerId: string): Credential {
  return new SecretCredential(providerId, "");
}

/** The first 10 hex characters of HMAC-SHA256(secret) under the project salt. */
export function hashCredentialSecret(secret: string): string {
  return createHmac("sha256", credentialIdSalt).update(secret).digest("hex").slice(0, 10);
}
