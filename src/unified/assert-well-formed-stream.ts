import type { StreamEvent } from "./stream-event.js";

type BlockKind = "text" | "reasoning" | "tool-call";

/**
 * Checks the stream grammar: exactly one `start` first, blocks opened once and closed once with deltas only
 * while open, and exactly one terminal event (`finish` or `error`) last with no block left open before a `finish`.
 * Returns the problems found (empty when well formed).
 */
export function findStreamGrammarProblems(events: readonly StreamEvent[]): string[] {
  const problems: string[] = [];
  const open = new Map<number, BlockKind>();
  const closed = new Set<number>();
  let started = false;
  let terminated = false;

  events.forEach((event, position) => {
    const at = `event ${position} (${event.type})`;
    if (terminated) problems.push(`${at}: after the terminal event`);
    switch (event.type) {
      case "start":
        if (started) problems.push(`${at}: second start`);
        if (position !== 0) problems.push(`${at}: start is not first`);
        started = true;
        return;
      case "text-start":
      case "reasoning-start":
      case "tool-call-start": {
        const kind = blockKindOf(event.type);
        if (open.has(event.index) || closed.has(event.index)) problems.push(`${at}: index ${event.index} opened twice`);
        open.set(event.index, kind);
        return;
      }
      case "text-delta":
      case "reasoning-delta":
      case "reasoning-signature":
      case "tool-call-delta": {
        const kind = blockKindOf(event.type);
        if (open.get(event.index) !== kind) problems.push(`${at}: index ${event.index} is not an open ${kind} block`);
        return;
      }
      case "text-end":
      case "reasoning-end":
      case "tool-call-end": {
        const kind = blockKindOf(event.type);
        if (open.get(event.index) !== kind) problems.push(`${at}: index ${event.index} is not an open ${kind} block`);
        open.delete(event.index);
        closed.add(event.index);
        return;
      }
      case "native-item":
        if (open.has(event.index) || closed.has(event.index)) problems.push(`${at}: index ${event.index} already used`);
        closed.add(event.index);
        return;
      case "usage":
        return;
      case "finish":
        if (open.size > 0) problems.push(`${at}: blocks still open: ${[...open.keys()].join(", ")}`);
        terminated = true;
        return;
      case "error":
        terminated = true;
        return;
      default: {
        const unreachable: never = event;
        problems.push(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  });
  if (!started) problems.push("no start event");
  if (!terminated) problems.push("no terminal event");
  return problems;
}

function blockKindOf(type: StreamEvent["type"]): BlockKind {
  if (type.startsWith("text-")) return "text";
  if (type.startsWith("reasoning-")) return "reasoning";
  return "tool-call";
}

/** Throws when the stream breaks the grammar (tests run every decoder output through this). */
export function assertWellFormedStream(events: readonly StreamEvent[]): void {
  const problems = findStreamGrammarProblems(events);
  if (problems.length > 0) throw new Error(`malformed unified stream:\n${problems.join("\n")}`);
}
