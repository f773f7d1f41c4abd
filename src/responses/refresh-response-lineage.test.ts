import { describe, expect, it } from "vitest";
import { createMemoryStateStore, type StateClock } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import type { Gateway } from "../pipeline/index.js";
import { createResponseStore, createResponsesService, prepareContinuation, type ResponseStore, type StoredResponse } from "./index.js";

const ttlMs = 10_000;
const owner = "key-a";

function manualClock(): StateClock & { advance(ms: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

function turn(id: string, previousResponseId?: string): StoredResponse {
  const record: StoredResponse = {
    id,
    owner,
    model: "m",
    createdAt: 1,
    status: "completed",
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: `question ${id}` }] }],
    output: [{ type: "message", id: `msg_${id}`, role: "assistant", status: "completed", content: [{ type: "output_text", text: `answer ${id}`, annotations: [] }] }],
  };
  if (previousResponseId !== undefined) record.previousResponseId = previousResponseId;
  return record;
}

/** A chain resp_1 ← resp_2 ← resp_3 where each link was written `gapMs` after the one before. */
async function storeChain(store: ResponseStore, clock: { advance(ms: number): void }, gapMs: number): Promise<void> {
  await store.save(turn("resp_1"));
  clock.advance(gapMs);
  await store.save(turn("resp_2", "resp_1"));
  clock.advance(gapMs);
  await store.save(turn("resp_3", "resp_2"));
}

async function present(store: ResponseStore, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of ids) if ((await store.lookup(id, owner)).kind === "found") found.push(id);
  return found;
}

const chain = ["resp_1", "resp_2", "resp_3"];
const unusedGateway = {} as Gateway;

describe("sliding expiry of stored responses", () => {
  it("without use, the oldest link expires first and breaks the chain", async () => {
    const clock = manualClock();
    const store = createResponseStore({ state: createMemoryStateStore({ clock }), ttlMs });
    await storeChain(store, clock, 4_000);
    clock.advance(3_000);
    // resp_1 was written 11 s ago: gone, so a continuation from resp_3 is a 404 naming it.
    expect(await present(store, chain)).toEqual(["resp_2", "resp_3"]);
    const error = await prepareContinuation(store, { previous_response_id: "resp_3" }, owner).catch((reason: unknown) => reason);
    expect(GatewayError.isInstance(error) && error.code).toBe("not_found");
  });

  it("continuing from the newest response restarts the TTL of every link before it", async () => {
    const clock = manualClock();
    const store = createResponseStore({ state: createMemoryStateStore({ clock }), ttlMs });
    await storeChain(store, clock, 4_000);
    // resp_1 is 8 s old, 2 s from expiry, when the conversation goes on.
    await prepareContinuation(store, { previous_response_id: "resp_3" }, owner);
    clock.advance(9_000);
    // 17 s after resp_1 was written, the whole chain is still there: its TTL restarted 9 s ago.
    expect(await present(store, chain)).toEqual(chain);
    clock.advance(1_000);
    expect(await present(store, chain)).toEqual([]);
  });

  it("GET and input_items of a response restart the TTL of its lineage, for its owner only", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore({ clock });
    const service = createResponsesService({ gateway: unusedGateway, state, storeLimits: { ttlMs } });
    await storeChain(service.store, clock, 4_000);

    const foreign = await service.retrieve("resp_3", "key-b").catch((reason: unknown) => reason);
    expect(GatewayError.isInstance(foreign) && foreign.code).toBe("not_found");
    clock.advance(3_000);
    // The foreign read refreshed nothing: resp_1 (11 s old) is gone.
    expect(await present(service.store, chain)).toEqual(["resp_2", "resp_3"]);

    await service.retrieve("resp_3", owner);
    clock.advance(9_500);
    expect(await present(service.store, ["resp_2", "resp_3"])).toEqual(["resp_2", "resp_3"]);
    await service.listInputItems("resp_3", owner, {});
    clock.advance(9_500);
    expect(await present(service.store, ["resp_2", "resp_3"])).toEqual(["resp_2", "resp_3"]);
    await service.close();
  });
});
