import { invalidRequest, type ProtocolId } from "../unified/index.js";
import type { StoredResponse } from "./convert-stored-response.js";
import type { ResponseStore } from "./create-response-store.js";
import { mergeLineageIntoBody, rebuildResponseLineage, type LineageOptions } from "./rebuild-response-lineage.js";

/** The attempt target a continuation is planned for (routing's choice for this attempt). */
export interface ContinuationTarget {
  provider: string;
  credentialId?: string;
  protocol: ProtocolId;
}

/** Why a continuation replays the stored history instead of passing the id upstream. */
export type ReplayReason = "target-not-native" | "different-provider" | "different-credential" | "upstream-holds-no-state";

/** How to continue from a parent response on one target. */
export type ContinuationPlan = { kind: "pass-through"; upstreamResponseId: string } | { kind: "replay"; reason: ReplayReason };

/**
 * Pass the id upstream only when the upstream itself holds the parent: the target speaks Responses and is the very
 * provider and credential (account) that created it with `store` on. Any other target has never seen that id, so
 * the gateway replays its own copy of the history instead.
 */
export function planPreviousResponse(parent: StoredResponse, target: ContinuationTarget): ContinuationPlan {
  if (target.protocol !== "openai-responses") return { kind: "replay", reason: "target-not-native" };
  const created = parent.target;
  if (created === undefined || !created.upstreamHoldsState || created.protocol !== "openai-responses") return { kind: "replay", reason: "upstream-holds-no-state" };
  if (created.provider !== target.provider) return { kind: "replay", reason: "different-provider" };
  if (created.credentialId !== target.credentialId) return { kind: "replay", reason: "different-credential" };
  return { kind: "pass-through", upstreamResponseId: created.upstreamResponseId ?? parent.id };
}

/** A continuation body for one attempt, and which way it was made. */
export interface ContinuationBody {
  plan: ContinuationPlan;
  /** The body to send (still a Responses body; the attempt encodes it for its provider as usual). */
  body: Record<string, unknown>;
}

/** A request continuing a stored response, checked once and then shaped per attempt. */
export interface Continuation {
  /** The parent (owned by the caller, finished). */
  parent: StoredResponse;
  /**
   * The credential that served the newest answered response of the chain (a prewarm has none): a continuation
   * prefers it, which keeps the upstream's prompt cache warm and lets a Responses upstream use the state it holds.
   */
  servedBy?: { provider: string; credentialId: string };
  /** The body for an attempt on `target`: the id passed through, or the history replayed (read once, up front). */
  bodyFor(target: ContinuationTarget): ContinuationBody;
}

/**
 * Checks `previous_response_id` before anything is sent (404 for a missing or foreign id, so no stream has started
 * when it fails) and returns undefined for requests that do not continue anything. Fallback attempts may land on
 * different targets, so the pass-through/replay decision is taken per attempt through `bodyFor`.
 */
export async function prepareContinuation(
  store: ResponseStore,
  body: Record<string, unknown>,
  owner: string,
  options: LineageOptions = {},
): Promise<Continuation | undefined> {
  const previous = body["previous_response_id"];
  if (previous === undefined || previous === null) return undefined;
  if (typeof previous !== "string" || previous === "") throw invalidRequest("previous_response_id", "expected a response id");
  // The walk reads every link, so ownership and existence of the whole chain are settled here, not mid-stream.
  const lineage = await rebuildResponseLineage(store, previous, owner, options);
  const parent = lineage.responses[lineage.responses.length - 1] as StoredResponse;
  const served = lineage.responses.findLast((response) => response.target !== undefined)?.target;
  return {
    parent,
    ...(served?.credentialId === undefined ? {} : { servedBy: { provider: served.provider, credentialId: served.credentialId } }),
    bodyFor: (target) => {
      const plan = planPreviousResponse(parent, target);
      if (plan.kind === "pass-through") return { plan, body: { ...body, previous_response_id: plan.upstreamResponseId } };
      return { plan, body: mergeLineageIntoBody(body, lineage.items) };
    },
  };
}
