import { describe, expect, it } from "vitest";
import { emptyUsage, GatewayError, type StreamEvent } from "../unified/index.js";
import { classifyOutput, createPreambleHold } from "./hold-stream-preamble.js";
import type { StreamProgress } from "./stream-progress.js";

const start: StreamEvent = { type: "start", id: "x" };
const usage: StreamEvent = { type: "usage", usage: { ...emptyUsage(), inputTokens: 3 } };
const reasoning: StreamEvent = { type: "reasoning-delta", index: 0, text: "hmm" };
const text: StreamEvent = { type: "text-delta", index: 1, text: "hi" };
const finish = (unified: "stop" | "length"): StreamEvent => ({ type: "finish", finishReason: { unified, raw: unified } });
const emptyError = new GatewayError("upstream_server", "empty");

describe("classifyOutput", () => {
  it("tells a response start, visible output, other events and event-less output apart", () => {
    expect(classifyOutput([start, usage], undefined)).toBe("start");
    expect(classifyOutput([start, text], undefined)).toBe("visible");
    // A Gemini chunk that starts and ends an empty answer is not a start to send at once.
    expect(classifyOutput([start, finish("stop")], undefined)).toBe("other");
    expect(classifyOutput([{ type: "text-start", index: 0 }], undefined)).toBe("other");
    expect(classifyOutput([], undefined)).toBe("silent");
    expect(classifyOutput([reasoning], false)).toBe("other");
  });
});

describe("createPreambleHold", () => {
  it("sends the response start at once, holds the rest of the preamble, releases it in order before visible output", () => {
    const progress: StreamProgress = { sent: false };
    const hold = createPreambleHold<string>(progress);
    expect(hold.route(": keep-alive;", "silent")).toEqual([": keep-alive;"]);
    expect(hold.route("start;", "start")).toEqual(["start;"]);
    expect(hold.route("item-added;", "silent")).toEqual([]);
    expect(hold.route("block;", "other")).toEqual([]);
    expect(hold.route("ping;", "silent")).toEqual([]);
    expect(progress).toMatchObject({ started: true, startSent: true });
    expect(progress.committed).toBeUndefined();
    expect(hold.route("text;", "visible")).toEqual(["item-added;", "block;", "ping;", "text;"]);
    expect(progress.committed).toBe(true);
    expect(hold.route("more;", "other")).toEqual(["more;"]);
  });

  it("drops a continuing attempt's start, not what follows it", () => {
    const progress: StreamProgress = { sent: false, continuing: true };
    const hold = createPreambleHold<string>(progress);
    expect(hold.route("start;", "start")).toEqual([]);
    expect(hold.route("item-added;", "silent")).toEqual([]);
    expect(hold.route("block;", "other")).toEqual([]);
    expect(hold.route("text;", "visible")).toEqual(["item-added;", "block;", "text;"]);
    expect(progress.startSent).toBeUndefined();
  });

  it("keeps order when something was held before the start", () => {
    const hold = createPreambleHold<string>({ sent: false });
    expect(hold.route("odd;", "other")).toEqual([]);
    expect(hold.route("start;", "start")).toEqual([]);
    expect(hold.route("text;", "visible")).toEqual(["odd;", "start;", "text;"]);
  });

  it("reasoning commits unless reasoning does not count as visible", () => {
    const visible = createPreambleHold<string>({ sent: false });
    expect(visible.route("r;", classifyOutput([reasoning], undefined))).toEqual(["r;"]);
    const invisible = createPreambleHold<string>({ sent: false, reasoningVisible: false });
    expect(invisible.route("r;", classifyOutput([reasoning], false))).toEqual([]);
    expect(invisible.route("t;", classifyOutput([text], false))).toEqual(["r;", "t;"]);
  });

  it("an empty finished stream throws onEmpty's error (retry), also after its start went out, or is delivered when onEmpty says so", () => {
    const progress: StreamProgress = { sent: false, onEmpty: () => emptyError };
    const hold = createPreambleHold<string>(progress);
    hold.observe([start, finish("stop")]);
    expect(hold.route("start;", "start")).toEqual(["start;"]);
    hold.route("end;", "other");
    expect(() => hold.end()).toThrow(emptyError);
    const deliver = createPreambleHold<string>({ sent: false, onEmpty: () => undefined });
    deliver.observe([start, finish("stop")]);
    deliver.route("all;", "other");
    expect(deliver.end()).toEqual(["all;"]);
  });

  it("is not empty when the finish is a length stop, or once committed", () => {
    const length = createPreambleHold<string>({ sent: false, onEmpty: () => emptyError });
    length.observe([start, finish("length")]);
    length.route("x;", "other");
    expect(length.end()).toEqual(["x;"]);
    const progress: StreamProgress = { sent: false, committed: true, onEmpty: () => emptyError };
    const committed = createPreambleHold<string>(progress);
    committed.observe([start, finish("stop")]);
    expect(committed.route("end;", "other")).toEqual(["end;"]);
    expect(committed.end()).toEqual([]);
  });

  it("lets a preamble larger than 64 KB through, which commits the attempt, rather than holding content", () => {
    const progress: StreamProgress = { sent: false };
    const hold = createPreambleHold<string>(progress);
    expect(hold.route("a".repeat(40_000), "other")).toEqual([]);
    expect(hold.route("b".repeat(40_000), "other").map((chunk) => chunk.length)).toEqual([40_000, 40_000]);
    expect(progress.committed).toBe(true);
  });
});
