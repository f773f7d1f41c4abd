import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { createResponseEventLog } from "./create-response-event-log.js";

const frame = (sequence: number): string => `data: {"sequence_number":${sequence},"pad":"${"x".repeat(60)}"}\n\n`;

async function readAll(events: AsyncIterable<string>): Promise<number[]> {
  const sequences: number[] = [];
  for await (const text of events) sequences.push(Number(/"sequence_number":(\d+)/.exec(text)?.[1]));
  return sequences;
}

describe("response event log", () => {
  it("serves live readers in order and ends them when the log finishes", async () => {
    const log = createResponseEventLog("resp_1", { maxBytes: 1_000_000 });
    log.append(frame(0), 0);
    const reading = readAll(log.subscribe(undefined));
    for (let sequence = 1; sequence < 5; sequence++) {
      await new Promise((resolve) => setImmediate(resolve));
      log.append(frame(sequence), sequence);
    }
    log.finish();
    expect(await reading).toEqual([0, 1, 2, 3, 4]);
    expect(await readAll(log.subscribe(2))).toEqual([3, 4]);
    expect(log.nextSequence()).toBe(5);
  });

  it("drops the oldest frames past its byte cap and says so to a reader asking for them", async () => {
    const log = createResponseEventLog("resp_1", { maxBytes: frame(0).length * 3 });
    for (let sequence = 0; sequence < 10; sequence++) log.append(frame(sequence), sequence);
    log.finish();
    expect(await readAll(log.subscribe(6))).toEqual([7, 8, 9]);
    const error = await readAll(log.subscribe(undefined)).catch((reason: unknown) => reason);
    expect(GatewayError.isInstance(error) && [error.code, error.path]).toEqual(["invalid_request", "starting_after"]);
  });

  it("ends a waiting reader when its signal aborts (the client left)", async () => {
    const log = createResponseEventLog("resp_1", { maxBytes: 1_000_000 });
    log.append(frame(0), 0);
    const left = new AbortController();
    const reading = readAll(log.subscribe(undefined, left.signal));
    await new Promise((resolve) => setImmediate(resolve));
    left.abort();
    expect(await reading).toEqual([0]);
  });
});
