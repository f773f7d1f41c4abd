import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchLogLines } from "./batch-log-lines.js";

describe("batchLogLines", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes the lines of a burst together, once, after the delay", () => {
    const written: string[] = [];
    const batcher = batchLogLines((text) => written.push(text), { maxDelayMs: 20 });
    batcher.write("a\n");
    batcher.write("b\n");
    vi.advanceTimersByTime(19);
    expect(written).toEqual([]);
    batcher.write("c\n");
    vi.advanceTimersByTime(1);
    expect(written).toEqual(["a\nb\nc\n"]);
    batcher.write("d\n");
    vi.advanceTimersByTime(20);
    expect(written).toEqual(["a\nb\nc\n", "d\n"]);
  });

  it("writes at once beyond the pending size, and on flush", () => {
    const written: string[] = [];
    const batcher = batchLogLines((text) => written.push(text), { maxDelayMs: 20, maxPendingChars: 6 });
    batcher.write("12\n");
    batcher.write("34\n");
    expect(written).toEqual(["12\n34\n"]);
    batcher.write("5\n");
    batcher.flush();
    expect(written).toEqual(["12\n34\n", "5\n"]);
    vi.advanceTimersByTime(100);
    batcher.flush();
    expect(written).toEqual(["12\n34\n", "5\n"]);
  });
});
