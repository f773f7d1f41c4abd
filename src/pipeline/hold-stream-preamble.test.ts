import { describe, expect, it } from "vitest";
import { GatewayError, type StreamEvent } from "../unified/index.js";
import { createPreambleHold } from "./hold-stream-preamble.js";
import type { StreamProgress } from "./stream-progress.js";

const start: StreamEvent = { type: "start", id: "x" };
const reasoning: StreamEvent = { type: "reasoning-delta", index: 0, text: "hmm" };
const text: StreamEvent = { type: "text-delta", index: 1, text: "hi" };
const finish = (unified: "stop" | "length"): StreamEvent => ({ type: "finish", finishReason: { unified, raw: unified } });
const emptyError = new GatewayError("upstream_server", "empty");

describe("createPreambleHold", () => {
  it("holds the preamble until visible output, then releases it in order", () => {
    const hold = createPreambleHold<string>({ sent: false });
    hold.observe([start]);
    expect(hold.take("preamble;")).toEqual([]);
    hold.observe([text]);
    expect(hold.take("text;")).toEqual(["preamble;", "text;"]);
  });

  it("reasoning releases the hold unless reasoning does not count as visible", () => {
    const visible = createPreambleHold<string>({ sent: false });
    visible.observe([reasoning]);
    expect(visible.take("r;")).toEqual(["r;"]);
    const invisible = createPreambleHold<string>({ sent: false, reasoningVisible: false });
    invisible.observe([reasoning]);
    expect(invisible.take("r;")).toEqual([]);
    invisible.observe([text]);
    expect(invisible.take("t;")).toEqual(["r;", "t;"]);
  });

  it("an empty finished stream throws onEmpty's error (retry), or is delivered when onEmpty says so", () => {
    const progress: StreamProgress = { sent: false, onEmpty: () => emptyError };
    const hold = createPreambleHold<string>(progress);
    hold.observe([start, finish("stop")]);
    hold.take("all;");
    expect(() => hold.end()).toThrow(emptyError);
    const deliver = createPreambleHold<string>({ sent: false, onEmpty: () => undefined });
    deliver.observe([start, finish("stop")]);
    deliver.take("all;");
    expect(deliver.end()).toEqual(["all;"]);
  });

  it("is not empty when the finish is a length stop, or once anything was sent", () => {
    const length = createPreambleHold<string>({ sent: false, onEmpty: () => emptyError });
    length.observe([start, finish("length")]);
    length.take("x;");
    expect(length.end()).toEqual(["x;"]);
    const progress: StreamProgress = { sent: false, onEmpty: () => emptyError };
    const sent = createPreambleHold<string>(progress);
    sent.observe([start]);
    sent.take("x;");
    // A heartbeat went out: what was held follows it, and nothing is held or retried after that.
    progress.sent = true;
    expect(sent.flush()).toEqual(["x;"]);
    sent.observe([finish("stop")]);
    expect(sent.take("end;")).toEqual(["end;"]);
    expect(sent.end()).toEqual([]);
  });

  it("lets a preamble larger than 64 KB through rather than holding content", () => {
    const hold = createPreambleHold<string>({ sent: false });
    hold.observe([start]);
    expect(hold.take("a".repeat(40_000))).toEqual([]);
    expect(hold.take("b".repeat(40_000)).map((chunk) => chunk.length)).toEqual([40_000, 40_000]);
  });
});
