import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryStateStore, openFileStateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import { createResponseStore, readInputItemsQuery, renderStoredResponse, type StoredResponse } from "./index.js";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now(): number; advance(ms: number): void } {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}

function record(overrides: Partial<StoredResponse> = {}): StoredResponse {
  return {
    id: "resp_1",
    owner: "key-a",
    model: "anthropic/claude-x",
    createdAt: 1_700_000_000,
    status: "completed",
    target: { provider: "anthropic", credentialId: "cred-1", protocol: "anthropic-messages", upstreamHoldsState: false },
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
    output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: "hello", annotations: [] }] }],
    usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 },
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!GatewayError.isInstance(error)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe("response store", () => {
  it("saves, gets and deletes for the owner; another owner gets not_found, never forbidden", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    expect(await store.save(record())).toEqual({ saved: true, bytes: expect.any(Number) as number });
    expect(await store.get("resp_1", "key-a")).toEqual(record());

    const foreign = await rejection(store.get("resp_1", "key-b"));
    expect([foreign.code, foreign.httpStatus, foreign.message]).toEqual(["not_found", 404, "Response with id 'resp_1' not found."]);
    const missing = await rejection(store.get("resp_2", "key-a"));
    // Foreign and missing ids are indistinguishable, so a key cannot probe for another key's ids.
    expect(missing.message).toBe("Response with id 'resp_2' not found.");
    expect((await rejection(store.delete("resp_1", "key-b"))).code).toBe("not_found");
    expect(await store.lookup("resp_1", "key-b")).toEqual({ kind: "missing" });

    expect(await store.delete("resp_1", "key-a")).toEqual({ id: "resp_1", object: "response", deleted: true });
    expect((await rejection(store.get("resp_1", "key-a"))).code).toBe("not_found");
  });

  it("refuses an id another owner's response holds, and lets the owner replace its own", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await store.save(record());
    expect(await store.save({ ...record(), owner: "key-b", model: "theirs" })).toEqual({ saved: false, reason: "response id 'resp_1' is already held by another proxy key's response" });
    expect((await store.get("resp_1", "key-a")).model).toBe(record().model);
    expect(await store.save({ ...record(), model: "replaced" })).toEqual({ saved: true, bytes: expect.any(Number) as number });
    expect((await store.get("resp_1", "key-a")).model).toBe("replaced");
  });

  it("survives a file-backend restart: the store is written against the StateStore interface only", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-responses-"));
    try {
      const path = join(directory, "state.json");
      const first = await openFileStateStore({ path, debounceMs: 5 });
      await createResponseStore({ state: first }).save(record());
      await first.close();
      const second = await openFileStateStore({ path });
      const store = createResponseStore({ state: second });
      expect(await store.get("resp_1", "key-a")).toEqual(record());
      expect((await rejection(store.get("resp_1", "key-b"))).code).toBe("not_found");
      await second.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("renders a stored response as the API's response object", () => {
    expect(renderStoredResponse(record({ previousResponseId: "resp_0", fields: { tools: [] } }))).toEqual({
      id: "resp_1",
      object: "response",
      created_at: 1_700_000_000,
      status: "completed",
      background: false,
      error: null,
      tools: [],
      model: "anthropic/claude-x",
      output: record().output,
      previous_response_id: "resp_0",
      usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 },
    });
  });

  it("expires responses after the TTL", async () => {
    const clock = manualClock();
    const store = createResponseStore({ state: createMemoryStateStore({ clock }), ttlMs: 60_000 });
    await store.save(record());
    clock.advance(59_999);
    expect((await store.get("resp_1", "key-a")).id).toBe("resp_1");
    clock.advance(1);
    expect((await rejection(store.get("resp_1", "key-a"))).message).toBe("Response with id 'resp_1' not found.");
  });

  it("refuses entries over the size cap and says why to the owner only", async () => {
    const store = createResponseStore({ state: createMemoryStateStore(), maxEntryBytes: 2_000 });
    const huge = record({ input: [{ type: "message", role: "user", content: "x".repeat(5_000) }] });
    const outcome = await store.save(huge);
    expect(outcome.saved).toBe(false);
    const reason = outcome.saved ? "" : outcome.reason;
    expect(reason).toMatch(/^response is \d+ bytes, over the response store cap of 2000 bytes; send the full input instead of previous_response_id$/);
    expect(await store.lookup("resp_1", "key-a")).toEqual({ kind: "refused", reason });
    expect((await rejection(store.get("resp_1", "key-a"))).message).toBe(`Response with id 'resp_1' was not stored: ${reason}.`);
    expect((await rejection(store.get("resp_1", "key-b"))).message).toBe("Response with id 'resp_1' not found.");
  });

  it("updates with compare-and-set and leaves the record alone when the change declines", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await store.save(record({ status: "in_progress" }));
    const updated = await store.update("resp_1", "key-a", (current) => ({ ...current, status: "completed", owner: "key-b" }));
    // The owner and id cannot be changed by an update.
    expect([updated.status, updated.owner]).toEqual(["completed", "key-a"]);
    const unchanged = await store.update("resp_1", "key-a", () => undefined);
    expect(unchanged).toEqual(updated);
    expect((await rejection(store.update("resp_1", "key-b", (current) => current))).code).toBe("not_found");
  });
});

describe("input items", () => {
  const items = ["a", "b", "c", "d", "e"].map((name) => ({ type: "message", role: "user", id: `msg_${name}`, content: name }));
  const ids = (page: { data: Array<Record<string, unknown>> }): unknown[] => page.data.map((item) => item["id"]);

  it("pages newest first by default, with after and limit", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await store.save(record({ input: items }));
    const first = await store.listInputItems("resp_1", "key-a", readInputItemsQuery({ limit: "2" }));
    expect(first).toEqual({
      object: "list",
      data: [
        { id: "msg_e", type: "message", role: "user", content: "e" },
        { id: "msg_d", type: "message", role: "user", content: "d" },
      ],
      first_id: "msg_e",
      last_id: "msg_d",
      has_more: true,
    });
    const second = await store.listInputItems("resp_1", "key-a", readInputItemsQuery({ limit: "2", after: "msg_d" }));
    expect([ids(second), second.first_id, second.last_id, second.has_more]).toEqual([["msg_c", "msg_b"], "msg_c", "msg_b", true]);
    const third = await store.listInputItems("resp_1", "key-a", readInputItemsQuery({ limit: "2", after: "msg_b" }));
    expect([ids(third), third.has_more]).toEqual([["msg_a"], false]);
  });

  it("pages oldest first with order=asc and reports an empty tail", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await store.save(record({ input: items }));
    const first = await store.listInputItems("resp_1", "key-a", readInputItemsQuery({ order: "asc", limit: "3" }));
    expect([ids(first), first.first_id, first.last_id, first.has_more]).toEqual([["msg_a", "msg_b", "msg_c"], "msg_a", "msg_c", true]);
    const rest = await store.listInputItems("resp_1", "key-a", readInputItemsQuery({ order: "asc", after: "msg_c" }));
    expect([ids(rest), rest.has_more]).toEqual([["msg_d", "msg_e"], false]);
    const empty = await store.listInputItems("resp_1", "key-a", readInputItemsQuery({ order: "asc", after: "msg_e" }));
    expect(empty).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
  });

  it("derives stable ids for items sent without one", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await store.save(record({ id: "resp_xy", input: [{ role: "user", content: "hi" }, { type: "function_call_output", call_id: "c1", output: "ok" }] }));
    const page = await store.listInputItems("resp_xy", "key-a", readInputItemsQuery({ order: "asc" }));
    expect(ids(page)).toEqual(["msg_xy_in0", "item_xy_in1"]);
    expect((await rejection(store.listInputItems("resp_xy", "key-b", readInputItemsQuery({})))).code).toBe("not_found");
  });

  it("rejects out-of-range paging parameters naming the parameter", async () => {
    expect(readInputItemsQuery({})).toEqual({ limit: 20, order: "desc" });
    expect(readInputItemsQuery({ limit: "100", order: "asc", after: "msg_a" })).toEqual({ limit: 100, order: "asc", after: "msg_a" });
    for (const [query, path] of [
      [{ limit: "0" }, "limit"],
      [{ limit: "101" }, "limit"],
      [{ limit: "2.5" }, "limit"],
      [{ order: "up" }, "order"],
      [{ after: ["a", "b"] }, "after"],
    ] as const) {
      let caught: unknown;
      try {
        readInputItemsQuery(query);
      } catch (error) {
        caught = error;
      }
      expect(GatewayError.isInstance(caught) ? [caught.code, caught.path] : caught).toEqual(["invalid_request", path]);
    }
    const store = createResponseStore({ state: createMemoryStateStore() });
    await store.save(record({ input: items }));
    const unknownAfter = await rejection(store.listInputItems("resp_1", "key-a", readInputItemsQuery({ after: "msg_zz" })));
    expect([unknownAfter.code, unknownAfter.message]).toEqual(["invalid_request", "after: no input item with id 'msg_zz' in response 'resp_1'"]);
  });
});
