import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import OpenAI, { RateLimitError } from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import type { Gateway } from "../../src/pipeline/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { createResponsesService, type ResponsesService } from "../../src/responses/index.js";
import { buildServer } from "../../src/server/index.js";
import { createMemoryStateStore, type StateStore } from "../../src/state/index.js";
import { textReply } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, startTestGateway, testConfigDirectory, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Background responses beyond polling: streamed as they run (and re-attached with starting_after), cancelled from
// another gateway instance sharing the state store, and capped per instance.

const model = mockTargets["anthropic-messages"].model;
const words = "one two three four five six seven eight";
const cancelPollMs = 50;

let gateway: TestGateway;
let client: OpenAI;

/** A gateway instance of its own (engine, Responses service, server) over a given, possibly shared, StateStore. */
interface Instance {
  app: FastifyInstance;
  responses: ResponsesService;
  client: OpenAI;
}

/** Another gateway process, as far as the Responses layer can tell: its own engine from the same config. */
async function startInstance(state: StateStore, maxBackgroundJobs?: number): Promise<Instance> {
  const engine: Gateway = createEngineFromConfig(gateway.config);
  const responses = createResponsesService({ gateway: engine, state, background: { cancelPollMs, ...(maxBackgroundJobs === undefined ? {} : { maxBackgroundJobs }) } });
  const app = buildServer({ gateway: engine, proxyKeys: [testProxyKey], responses, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, responses, client: new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: testProxyKey, maxRetries: 0 }) };
}

async function stopInstance(instance: Instance): Promise<void> {
  instance.app.server.closeAllConnections();
  await instance.app.close();
}

beforeAll(async () => {
  gateway = await startTestGateway();
  client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

/** The text of a response object as a stream event carries it (the SDK adds `output_text` only to parsed bodies). */
function textOf(response: { output: Array<{ type: string; content?: unknown }> }): string {
  return response.output
    .flatMap((item) => (item.type === "message" && Array.isArray(item.content) ? (item.content as Array<{ type: string; text?: string }>) : []))
    .flatMap((part) => (part.type === "output_text" && part.text !== undefined ? [part.text] : []))
    .join("");
}

/** Polls GET until the response leaves queued / in_progress. */
async function finished(api: OpenAI, id: string): Promise<string> {
  for (let tries = 0; tries < 400; tries++) {
    const { status } = await api.responses.retrieve(id);
    if (status !== "queued" && status !== "in_progress") return status ?? "";
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`response ${id} never finished`);
}

describe("streamed background responses", () => {
  it("streams the job's events as they are produced, with its id from the first event and sequence numbers in order", async () => {
    gateway.mock.script(textReply(words, { faults: { frameIntervalMs: 5 } }));
    const stream = await client.responses.create({ model, input: "Count", background: true, stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    const first = events[0];
    expect(first?.type).toBe("response.created");
    const id = first?.type === "response.created" ? first.response.id : "";
    expect(first?.type === "response.created" && [first.response.status, first.response.background]).toEqual(["queued", true]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    const text = events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("");
    expect(text).toBe(words);
    const last = events.at(-1);
    expect(last?.type).toBe("response.completed");
    expect(last?.type === "response.completed" && [last.response.id, last.response.background, textOf(last.response)]).toEqual([id, true, words]);
    // The record was saved before the terminal event went out.
    const stored = await client.responses.retrieve(id);
    expect([stored.status, stored.background, stored.output_text]).toEqual(["completed", true, words]);
    expect(gateway.mock.generateRequests()[0]?.json).toMatchObject({ stream: true });
  });

  it("keeps running when the client drops, and a re-attach with starting_after gets the rest in order", async () => {
    gateway.mock.script(textReply(words, { faults: { frameIntervalMs: 40 } }));
    const controller = new AbortController();
    const stream = await client.responses.create({ model, input: "Count slowly", background: true, stream: true }, { signal: controller.signal });
    const seen: ResponseStreamEvent[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (event.type === "response.output_text.delta") break;
    }
    controller.abort();
    const id = seen[0]?.type === "response.created" ? seen[0].response.id : "";
    const lastSeen = seen.at(-1)?.sequence_number ?? -1;

    const rest = await client.responses.retrieve(id, { stream: true, starting_after: lastSeen });
    const resumed: ResponseStreamEvent[] = [];
    for await (const event of rest) resumed.push(event);
    expect(resumed[0]?.sequence_number).toBe(lastSeen + 1);
    const all = [...seen, ...resumed];
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_event, index) => index));
    expect(all.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("")).toBe(words);
    expect(resumed.at(-1)?.type).toBe("response.completed");

    // The SDK's own re-attach helper replays from the start and rebuilds the whole response.
    const replayed = await client.responses.stream({ response_id: id }).finalResponse();
    expect([replayed.id, replayed.status, replayed.output_text]).toEqual([id, "completed", words]);
  });

  it("re-attaches to a finished response held by no event log with its condensed events", async () => {
    gateway.mock.script(textReply("Stored answer"));
    const created = await client.responses.create({ model, input: "Plain" });
    const events: ResponseStreamEvent[] = [];
    for await (const event of await client.responses.retrieve(created.id, { stream: true })) events.push(event);
    expect(events.map((event) => event.type)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.output_item.done", "response.completed"]);
    const last = events.at(-1);
    expect(last?.type === "response.completed" && [last.response.id, textOf(last.response)]).toEqual([created.id, "Stored answer"]);
    const after = await fetch(`${gateway.baseUrl}/v1/responses/${created.id}?stream=true&starting_after=x`, { headers: { authorization: `Bearer ${testProxyKey}` } });
    expect([after.status, ((await after.json()) as { error: { param?: string } }).error.param]).toEqual([400, "starting_after"]);
  });
});

describe("background responses on several instances sharing one StateStore", () => {
  let shared: StateStore;
  let instanceA: Instance;
  let instanceB: Instance;
  beforeAll(async () => {
    shared = createMemoryStateStore();
    instanceA = await startInstance(shared, 1);
    instanceB = await startInstance(shared);
  });
  afterAll(async () => {
    await stopInstance(instanceA);
    await stopInstance(instanceB);
  });

  it("cancels on instance B a job running on instance A; A stops it within its poll interval", async () => {
    gateway.mock.script(textReply("Never seen", { delayMs: 10_000 }));
    const queued = await instanceA.client.responses.create({ model, input: "Slow work", background: true });
    for (let tries = 0; tries < 200 && gateway.mock.generateRequests().length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gateway.mock.generateRequests()).toHaveLength(1);

    const started = performance.now();
    const cancelled = await instanceB.client.responses.cancel(queued.id);
    expect(cancelled.status).toBe("cancelled");
    await instanceA.responses.background.settled(queued.id);
    // Generous bound under load; without the flag A would run on until the upstream's 10 s answer.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await instanceA.client.responses.retrieve(queued.id)).status).toBe("cancelled");
  });

  it("stops a job running on instance A when instance B deletes it", async () => {
    gateway.mock.script(textReply("Never kept", { delayMs: 10_000 }));
    const queued = await instanceA.client.responses.create({ model, input: "Doomed work", background: true });
    for (let tries = 0; tries < 200 && gateway.mock.generateRequests().length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = performance.now();
    await instanceB.client.responses.delete(queued.id);
    await instanceA.responses.background.settled(queued.id);
    expect(performance.now() - started).toBeLessThan(5_000);
    const gone = await instanceA.client.responses.retrieve(queued.id).catch((error: unknown) => error);
    expect((gone as { status?: number }).status).toBe(404);
  });

  it("leaves no key in the StateStore for store: false, streamed or not", async () => {
    const before = (await shared.list("")).map((entry) => entry.key);
    gateway.mock.script(textReply("Forget this"), textReply("And this"));
    await instanceB.client.responses.create({ model, input: "Private", store: false });
    await instanceB.client.responses.stream({ model, input: "Private stream", store: false }).finalResponse();
    expect((await shared.list("")).map((entry) => entry.key)).toEqual(before);
  });

  it("answers 429 in Responses shape over the instance's cap, and takes a job again once one ends", async () => {
    gateway.mock.script(textReply("First", { delayMs: 300 }), textReply("Second"));
    const first = await instanceA.client.responses.create({ model, input: "Occupy", background: true });
    const refused = await instanceA.client.responses.create({ model, input: "One too many", background: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    const rateLimited = refused as RateLimitError;
    expect([rateLimited.status, rateLimited.code, rateLimited.headers.get("retry-after")]).toEqual([429, "rate_limit_exceeded", "1"]);
    expect(rateLimited.message).toContain("background responses");
    // Another instance has its own cap.
    const elsewhere = await instanceB.client.responses.create({ model, input: "Elsewhere", background: true });
    expect(await finished(instanceB.client, elsewhere.id)).toBe("completed");
    expect(await finished(instanceA.client, first.id)).toBe("completed");
    await instanceA.responses.background.settled(first.id);
    gateway.mock.script(textReply("Third"));
    const again = await instanceA.client.responses.create({ model, input: "Now there is room", background: true });
    expect(await finished(instanceA.client, again.id)).toBe("completed");
  });
});

describe("background settings from the configuration", () => {
  it("caps background jobs at SWITCHYARD_MAX_BACKGROUND_RESPONSES, wired as `switchyard serve` wires it", async () => {
    const config = loadConfig({
      env: { ...mockProviderEnvironment(gateway.mock.baseUrl), SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_MAX_BACKGROUND_RESPONSES: "1" },
      cwd: testConfigDirectory,
      dotenv: false,
    });
    expect(config.responses).toEqual({ maxBackgroundJobs: 1 });
    const app = buildServer({ gateway: createEngineFromConfig(config), proxyKeys: [testProxyKey], logger: false, ...(config.responses === undefined ? {} : { backgroundResponses: config.responses }) });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { port } = app.server.address() as AddressInfo;
      const api = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: testProxyKey, maxRetries: 0 });
      gateway.mock.script(textReply("Busy", { delayMs: 300 }));
      const first = await api.responses.create({ model, input: "Occupy", background: true });
      await expect(api.responses.create({ model, input: "Refused", background: true })).rejects.toBeInstanceOf(RateLimitError);
      expect(await finished(api, first.id)).toBe("completed");
    } finally {
      app.server.closeAllConnections();
      await app.close();
    }
  });
});
