import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { continueStreamAttempts, type StreamAttemptLoop, type StreamFate } from "./continue-stream-attempts.js";
import type { GatewayResult } from "./gateway-call.js";
import type { StreamProgress } from "./stream-progress.js";

interface Attempt {
  name: string;
  result: GatewayResult;
  progress: StreamProgress;
  returned: () => boolean;
}

/** An attempt whose stream yields `chunks`, then throws `failure` (after marking what its progress says). */
function attempt(name: string, chunks: string[], failure?: { error: GatewayError; progress?: Partial<StreamProgress> }): Attempt {
  const progress: StreamProgress = { sent: false, ending: (error) => [`${name}-ending:${error.code}`] };
  let returned = false;
  async function* stream(): AsyncGenerator<string> {
    try {
      for (const chunk of chunks) yield chunk;
      if (failure !== undefined) {
        Object.assign(progress, failure.progress);
        throw failure.error;
      }
    } finally {
      returned = true;
    }
  }
  return { name, result: { kind: "stream", status: 200, headers: {}, chunks: stream() }, progress, returned: () => returned };
}

/** A stand-in for the executor's loop: serves `attempts` in order, records the fates, throws `final` when out of attempts. */
function loopOver(attempts: Attempt[], final = new GatewayError("all_targets_failed", "nothing left")) {
  const fates: StreamFate[] = [];
  let current: Attempt | undefined;
  async function* loop(): StreamAttemptLoop<{ result: GatewayResult; name: string }> {
    for (const next of attempts) {
      current = next;
      const fate: StreamFate = yield { result: next.result, name: next.name };
      fates.push(fate);
      if (fate.kind !== "failed") return { result: next.result, name: next.name };
    }
    throw final;
  }
  return { loop: loop(), fates, progress: () => current?.progress };
}

async function readAll(chunks: AsyncIterable<string | Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(String(chunk));
  return out;
}

const overloaded = new GatewayError("overloaded", "Overloaded");

describe("continueStreamAttempts", () => {
  it("continues the client stream with the next attempt when one fails before committing", async () => {
    const first = attempt("a", ["start"], { error: overloaded, progress: { sent: true, started: true, startSent: true } });
    const second = attempt("b", ["text", "end"]);
    const { loop, fates, progress } = loopOver([first, second]);
    const continued: string[] = [];
    const execution = await continueStreamAttempts((await loop.next()).value, loop, { protocol: "anthropic-messages", streamProgress: progress, onContinued: (next) => continued.push(next.name) });
    expect(execution.result.kind === "stream" ? await readAll(execution.result.chunks) : []).toEqual(["start", "text", "end"]);
    expect(continued).toEqual(["b"]);
    expect(fates).toEqual([{ kind: "failed", error: overloaded }, { kind: "ended" }]);
  });

  it("throws the loop's final error when nothing reached the client yet", async () => {
    const { loop, progress } = loopOver([attempt("a", [], { error: overloaded })]);
    await expect(continueStreamAttempts((await loop.next()).value, loop, { protocol: "anthropic-messages", streamProgress: progress })).rejects.toMatchObject({ code: "all_targets_failed" });
  });

  it("ends with the last started attempt's own ending when no attempt is left after bytes went out", async () => {
    const first = attempt("a", ["start"], { error: overloaded, progress: { sent: true, started: true, startSent: true } });
    // The second attempt failed before its own start came: its encoder does not match what the client saw.
    const second = attempt("b", [], { error: overloaded, progress: { continuing: true } });
    const { loop, progress } = loopOver([first, second]);
    const execution = await continueStreamAttempts((await loop.next()).value, loop, { protocol: "anthropic-messages", streamProgress: progress });
    expect(execution.result.kind === "stream" ? await readAll(execution.result.chunks) : []).toEqual(["start", "a-ending:all_targets_failed"]);
  });

  it("falls back to a fresh encoder of the client protocol when no attempt left an ending", async () => {
    const first = attempt("a", [": keep-alive\n\n"], { error: overloaded, progress: { sent: true } });
    delete first.progress.ending;
    const { loop, progress } = loopOver([first]);
    const execution = await continueStreamAttempts((await loop.next()).value, loop, { protocol: "anthropic-messages", streamProgress: progress });
    const chunks = execution.result.kind === "stream" ? await readAll(execution.result.chunks) : [];
    expect(chunks[0]).toBe(": keep-alive\n\n");
    expect(chunks[1]).toMatch(/^event: error\n/);
  });

  it("does not retry a failure after the commit: the loop learns it broke, the consumer gets the error", async () => {
    const only = attempt("a", ["start", "text"], { error: overloaded, progress: { sent: true, committed: true } });
    const { loop, fates, progress } = loopOver([only, attempt("b", ["never"])]);
    const execution = await continueStreamAttempts((await loop.next()).value, loop, { protocol: "anthropic-messages", streamProgress: progress });
    await expect(execution.result.kind === "stream" ? readAll(execution.result.chunks) : Promise.resolve([])).rejects.toBe(overloaded);
    expect(fates).toEqual([{ kind: "broke", error: overloaded }]);
  });

  it("a client that leaves ends the serving attempt's stream and tells the loop once", async () => {
    const only = attempt("a", ["start", "text", "more"]);
    const { loop, fates, progress } = loopOver([only]);
    const execution = await continueStreamAttempts((await loop.next()).value, loop, { protocol: "anthropic-messages", streamProgress: progress });
    if (execution.result.kind !== "stream") throw new Error("not a stream");
    for await (const chunk of execution.result.chunks) if (chunk === "text") break;
    expect(only.returned()).toBe(true);
    expect(fates).toEqual([{ kind: "abandoned" }]);
  });
});
