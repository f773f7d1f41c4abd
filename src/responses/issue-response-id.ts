import { randomBytes } from "node:crypto";

/** Issues the ids clients see for responses. */
export interface ResponseIdIssuer {
  /**
   * The id for a response served on a target: the upstream's own id when the target is Responses-native (so the id
   * can later be passed back to that upstream), otherwise a fresh `resp_` id from the gateway.
   */
  issue(served: { native: boolean; upstreamId?: string }): string;
  /** A fresh gateway id (background jobs need one before any upstream has answered). */
  fresh(): string;
}

/** Options for the issuer. */
export interface ResponseIdIssuerOptions {
  /** The random part of gateway ids; default 24 random bytes as hex (ids are not replay-sensitive, only unique). */
  randomId?: () => string;
}

/** The default issuer, or one with an injected random part for deterministic tests. */
export function createResponseIdIssuer(options: ResponseIdIssuerOptions = {}): ResponseIdIssuer {
  const randomId = options.randomId ?? (() => randomBytes(24).toString("hex"));
  const fresh = (): string => `resp_${randomId()}`;
  return {
    fresh,
    issue: (served) => {
      if (!served.native || served.upstreamId === undefined || served.upstreamId === "") return fresh();
      // Same prefixing as the codec applies to upstream ids, so stored and client-facing ids agree.
      return served.upstreamId.startsWith("resp_") ? served.upstreamId : `resp_${served.upstreamId}`;
    },
  };
}
