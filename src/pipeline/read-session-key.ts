import { createHash } from "node:crypto";
import type { SessionEvidenceKey } from "../credentials/index.js";
import type { ProtocolId } from "../unified/index.js";

type Headers = Readonly<Record<string, string | string[] | undefined>>;
type Body = Readonly<Record<string, unknown>>;

/** Closed tool-call/result pairs used as evidence: the newest ones, which are the likeliest to survive a compaction. */
const maxToolEvidence = 4;

/**
 * The client's own conversation key, strongest evidence first: Claude Code's `X-Claude-Code-Session-Id`, Codex's
 * `session-id` header, then `prompt_cache_key` (OpenAI) and `metadata.user_id` (Anthropic; Claude Code puts the
 * session there) from the body. Keeps a conversation on one credential so its prompt cache stays warm.
 * @see ../shared/CLIENTS.md
 */
export function readSessionKey(headers: Headers, body: Body): string | undefined {
  for (const name of ["x-claude-code-session-id", "session-id"]) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text.trim() !== "") return `${name}:${text.trim()}`;
  }
  const cacheKey = body["prompt_cache_key"];
  if (typeof cacheKey === "string" && cacheKey !== "") return `prompt_cache_key:${cacheKey}`;
  const metadata = body["metadata"];
  if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
    const userId = (metadata as Record<string, unknown>)["user_id"];
    if (typeof userId === "string" && userId !== "") return `user_id:${userId}`;
  }
  return undefined;
}

/** The session evidence keys of a request, strongest first (see `readSessionEvidence`). */
export function readSessionKeys(headers: Headers, body: Body, protocol: ProtocolId): string[] {
  return readKeyEvidence(headers, body, protocol).keys;
}

/** A request's session evidence: keys strongest first, and whether a binding found through them is followed. */
export interface SessionEvidence {
  keys: SessionEvidenceKey[];
  /**
   * False for the first turn of a conversation known only by its content: it binds (so the next turn finds the
   * credential) but does not follow an existing binding, so many one-shot requests with the same prompt are still
   * spread by the strategy instead of piling onto whichever credential served that prompt first.
   */
  follow: boolean;
}

/**
 * Every piece of session evidence of a request, strongest first: the client's explicit key when it sent one (then
 * no content evidence is needed), then the credential that served the Responses parent (`servedBy`, when the request
 * continues one), then content evidence: a hash of the first user turn and the ids of the newest closed
 * tool-call/result pairs. The pool follows the first piece that is bound and binds them all, so a client that
 * compacts its history (new first turn, recent tool pairs kept) stays on its credential.
 */
export function readSessionEvidence(headers: Headers, body: Body, protocol: ProtocolId, servedBy?: Exclude<SessionEvidenceKey, string>): SessionEvidence {
  const evidence = readKeyEvidence(headers, body, protocol);
  // The common case allocates nothing more (its `explicit` mark rides along unseen).
  if (servedBy === undefined) return evidence;
  // A continuation is a conversation by definition: follow what it is bound to.
  return { keys: evidence.explicit ? [...evidence.keys, servedBy] : [servedBy, ...evidence.keys], follow: true };
}

function readKeyEvidence(headers: Headers, body: Body, protocol: ProtocolId): { keys: string[]; follow: boolean; explicit: boolean } {
  const explicit = readSessionKey(headers, body);
  if (explicit !== undefined) return { keys: [explicit], follow: true, explicit: true };
  // A Responses continuation's input holds only the new turn: its first user message is not the conversation's.
  const continuing = protocol === "openai-responses" && typeof body["previous_response_id"] === "string";
  const turns = turnsOf(body, protocol);
  // A Responses `input` string is the whole (single) user turn.
  if (turns === undefined) {
    const single = typeof body["input"] === "string" && protocol === "openai-responses" && !continuing;
    return { keys: single ? [`first-user:${hashOf(JSON.stringify(body["input"]))}`] : [], follow: false, explicit: false };
  }
  const keys: string[] = [];
  const firstUser = continuing ? undefined : turns.find((turn) => isRecord(turn) && turn["role"] === "user");
  if (firstUser !== undefined) keys.push(`first-user:${hashOf(JSON.stringify(isRecord(firstUser) ? (firstUser["content"] ?? firstUser["parts"] ?? firstUser) : firstUser))}`);
  const resultIds = closedToolCallIds(turns, protocol);
  for (const id of resultIds.slice(-maxToolEvidence).reverse()) keys.push(`tool-pair:${hashOf(id)}`);
  const assistantRole = protocol === "gemini" ? "model" : "assistant";
  const follow = continuing || resultIds.length > 0 || turns.some((turn) => isRecord(turn) && (turn["role"] === assistantRole || turn["type"] === "function_call"));
  return { keys, follow, explicit: false };
}

function turnsOf(body: Body, protocol: ProtocolId): unknown[] | undefined {
  const list = protocol === "gemini" ? body["contents"] : protocol === "openai-responses" ? body["input"] : body["messages"];
  return Array.isArray(list) ? list : undefined;
}

/**
 * The ids of tool calls whose result is in the conversation (a result implies its call), in conversation order.
 * Provider-issued call ids are unique per call, so they identify the conversation without hashing whole turns.
 */
function closedToolCallIds(turns: readonly unknown[], protocol: ProtocolId): string[] {
  const ids: string[] = [];
  for (const turn of turns) {
    if (!isRecord(turn)) continue;
    switch (protocol) {
      case "openai-chat":
        if (turn["role"] === "tool" && typeof turn["tool_call_id"] === "string") ids.push(turn["tool_call_id"]);
        break;
      case "anthropic-messages":
        for (const block of arrayOf(turn["content"])) {
          if (isRecord(block) && block["type"] === "tool_result" && typeof block["tool_use_id"] === "string") ids.push(block["tool_use_id"]);
        }
        break;
      case "openai-responses":
        if (turn["type"] === "function_call_output" && typeof turn["call_id"] === "string") ids.push(turn["call_id"]);
        break;
      case "gemini":
        for (const part of arrayOf(turn["parts"])) {
          const response = isRecord(part) ? part["functionResponse"] : undefined;
          // Gemini ids are optional; without one the name and result stand in for it.
          if (isRecord(response)) ids.push(typeof response["id"] === "string" ? response["id"] : JSON.stringify([response["name"], response["response"]]));
        }
        break;
      default: {
        const unreachable: never = protocol;
        return unreachable;
      }
    }
  }
  return ids;
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
