import { z } from "zod";
import { unchanged, type AdapterChange, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { findWirePaths, formatWirePath, readWirePath, removeAllWirePaths, removeWirePath } from "./wire-path.js";

/** Anthropic accepts at most four cache breakpoints per request. @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching */
const anthropicBreakpointLimit = 4;

/** Every place a `cache_control` can sit, in Anthropic bodies and in OpenAI-compatible bodies that forward them. */
const cacheControlPaths = ["system[*].cache_control", "tools[*].cache_control", "messages[*].content[*].cache_control", "messages[*].cache_control"];

const options = z.strictObject({
  /** `add` breakpoints (Anthropic targets); `strip` every one (targets that reject them); `strip-ttl` only their `ttl`. */
  mode: z.enum(["add", "strip", "strip-ttl"]).default("add"),
  /** Breakpoints in the whole request, counting the client's own (Anthropic's limit is 4). */
  maxBreakpoints: z.number().int().min(1).max(anthropicBreakpointLimit).default(anthropicBreakpointLimit),
  /** How many of the latest user turns get a breakpoint. */
  turns: z.number().int().min(0).max(anthropicBreakpointLimit).default(2),
  /** TTL put on added breakpoints (`5m` or `1h`); absent = the provider's default. Client-set TTLs are kept. */
  ttl: z.enum(["5m", "1h"]).optional(),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Blocks a breakpoint may sit on: thinking blocks cannot carry one, and an empty text cannot be cached. */
function canCarryBreakpoint(block: unknown): block is Record<string, unknown> {
  if (!isRecord(block) || block["cache_control"] !== undefined) return false;
  if (block["type"] === "thinking" || block["type"] === "redacted_thinking") return false;
  return block["type"] !== "text" || (typeof block["text"] === "string" && block["text"] !== "");
}

/** Content (string or blocks) with a breakpoint on its last block that can carry one; undefined when none can. */
function markLastBlock(content: unknown, marker: Record<string, unknown>): { content: unknown[]; position: number } | undefined {
  if (typeof content === "string") return content === "" ? undefined : { content: [{ type: "text", text: content, cache_control: marker }], position: 0 };
  if (!Array.isArray(content)) return undefined;
  for (let position = content.length - 1; position >= 0; position -= 1) {
    const block: unknown = content[position];
    if (!canCarryBreakpoint(block)) continue;
    const next = [...(content as unknown[])];
    next[position] = { ...block, cache_control: marker };
    return { content: next, position };
  }
  return undefined;
}

/** Adds breakpoints to an Anthropic body: the newest user turns first, then the system prompt, then older turns. */
function addBreakpoints(body: WireBody, budget: number, turns: number, marker: Record<string, unknown>): { value: WireBody; changes: AdapterChange[] } {
  let value = body;
  const changes: AdapterChange[] = [];
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as unknown[]) : [];
  const userTurns = messages.flatMap((message, position) => (isRecord(message) && message["role"] === "user" ? [position] : [])).reverse().slice(0, turns);
  const markTurn = (position: number): void => {
    const list = value["messages"] as unknown[];
    const message = list[position] as Record<string, unknown>;
    const marked = markLastBlock(message["content"], marker);
    if (marked === undefined) return;
    const next = [...list];
    next[position] = { ...message, content: marked.content };
    value = { ...value, messages: next };
    changes.push({ path: `messages[${position}].content[${marked.position}].cache_control`, action: "inserted", detail: "cache breakpoint" });
  };
  const markSystem = (): void => {
    const marked = markLastBlock(value["system"], marker);
    if (marked === undefined) return;
    value = { ...value, system: marked.content };
    changes.push({ path: `system[${marked.position}].cache_control`, action: "inserted", detail: "cache breakpoint" });
  };
  const order: Array<() => void> = [];
  const [newest, ...older] = userTurns;
  if (newest !== undefined) order.push(() => markTurn(newest));
  order.push(markSystem);
  for (const position of older) order.push(() => markTurn(position));
  for (const step of order) {
    if (changes.length >= budget) break;
    step();
  }
  return { value, changes };
}

/**
 * `cache-control`: prompt-caching breakpoints. `add` puts `cache_control: {type:"ephemeral"}` on the system prompt
 * and the latest user turns of Anthropic Messages bodies, within the 4-breakpoint limit counting the client's own
 * (a client that already placed breakpoints keeps them, TTL included). `strip` removes every breakpoint for targets
 * that reject the field; `strip-ttl` keeps the breakpoints but removes a `ttl` the target does not support
 * (LESSONS: LiteLLM sent `ttl` where rejected; Portkey dropped it where supported).
 */
export const cacheControlAdapter = defineAdapterFactory({
  name: "cache-control",
  description: "Add Anthropic prompt-cache breakpoints (system + latest turns, max 4), or strip them / their TTL.",
  options,
  create: ({ mode, maxBreakpoints, turns, ttl }) => {
    const marker = { type: "ephemeral", ...(ttl === undefined ? {} : { ttl }) };
    return {
      name: "cache-control",
      phase: "normal",
      ...(mode === "add" ? {} : { passthroughTriggers: ['"cache_control"'] }),
      request(body, context) {
        if (mode === "strip") {
          let value = body;
          const changes: AdapterChange[] = [];
          for (const path of cacheControlPaths) {
            const result = removeAllWirePaths(value, path);
            value = result.value;
            for (const removed of result.removed) changes.push({ path: formatWirePath(removed), action: "removed", detail: "cache breakpoint rejected by the target" });
          }
          return changes.length === 0 ? unchanged(body) : { value, changes, warnings: [] };
        }
        if (mode === "strip-ttl") {
          let value = body;
          const changes: AdapterChange[] = [];
          for (const path of cacheControlPaths) {
            for (const concrete of findWirePaths(body, path)) {
              if (!isRecord(readWirePath(body, concrete)) || readWirePath(body, [...concrete, "ttl"]) === undefined) continue;
              value = removeWirePath(value, [...concrete, "ttl"]);
              changes.push({ path: formatWirePath([...concrete, "ttl"]), action: "removed", detail: "ttl not supported by the target" });
            }
          }
          return changes.length === 0 ? unchanged(body) : { value, changes, warnings: [] };
        }
        if (context.protocol !== "anthropic-messages") return unchanged(body);
        const existing = cacheControlPaths.reduce((count, path) => count + findWirePaths(body, path).length, 0);
        const budget = maxBreakpoints - existing;
        if (budget <= 0) return unchanged(body);
        const added = addBreakpoints(body, budget, turns, marker);
        return added.changes.length === 0 ? unchanged(body) : { value: added.value, changes: added.changes, warnings: [] };
      },
    };
  },
});
