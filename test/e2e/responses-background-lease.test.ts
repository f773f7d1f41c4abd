import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { createResponsesService, type ResponsesService } from "../../src/responses/index.js";
import { buildServer } from "../../src/server/index.js";
import { createMemoryStateStore, type StateStore } from "../../src/state/index.js";
import { textReply } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, startTestGateway, testConfigDirectory, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Two gateway instances (each its own engine, Responses service and server) over one StateStore. Instance A runs the
// background job; "killing" A means its lease writes stop reaching the store, exactly what B sees when A's process
// dies. Margins are generous: the lease is 20 renewal periods long.

const model = mockTargets["anthropic-messages"].model;
const cancelPollMs = 50;
const leaseMs = 1_000;

interface Instance {
  app: FastifyInstance;
  /** Absent for an instance whose server built its own service (closed with the app). */
  responses?: ResponsesService;
  client: OpenAI;
}

let gateway: TestGateway;
const started: Instance[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});
afterEach(async () => {
  for (const instance of started.splice(0)) {
    instance.app.server.closeAllConnections();
    await instance.app.close();
    await instance.responses?.close();
  }
  gateway.reset();
});

async function startInstance(state: StateStore): Promise<Instance & { responses: ResponsesService }> {
  const engine = createEngineFromConfig(gateway.config);
  const responses = createResponsesService({ gateway: engine, state, background: { cancelPollMs, leaseMs } });
  return { ...(await listen(buildServer({ gateway: engine, proxyKeys: [testProxyKey], responses, logger: false }), responses)), responses };
}

/**
 * An instance configured only from the environment and wired as `switchyard serve` wires it (the engine's state
 * feeds the server's own Responses service, `config.responses` its background settings).
 */
async function startConfiguredInstance(state: StateStore, env: Record<string, string>): Promise<Instance> {
  const config = loadConfig({ env: { ...mockProviderEnvironment(gateway.mock.baseUrl), SWITCHYARD_PROXY_KEYS: testProxyKey, ...env }, cwd: testConfigDirectory, dotenv: false });
  const engine = createEngineFromConfig(config, undefined, { state });
  const app = buildServer({ gateway: engine, proxyKeys: [testProxyKey], logger: false, ...(config.responses === undefined ? {} : { backgroundResponses: config.responses }) });
  return listen(app, undefined);
}

async function listen(app: FastifyInstance, responses: ResponsesService | undefined): Promise<Instance> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const instance: Instance = { app, client: new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: testProxyKey, maxRetries: 0 }), ...(responses === undefined ? {} : { responses }) };
  started.push(instance);
  return instance;
}

/** A's view of the shared store: once dead, its lease renewals are lost (everything else still works). */
function mortalView(state: StateStore): { state: StateStore; die(): void } {
  let dead = false;
  return {
    state: { ...state, set: async (key, value, options) => (dead && key.includes("#lease:") ? undefined : state.set(key, value, options)) },
    die: () => void (dead = true),
  };
}

async function waitForUpstreamCall(): Promise<void> {
  for (let tries = 0; tries < 500 && gateway.mock.generateRequests().length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(gateway.mock.generateRequests()).toHaveLength(1);
}

describe("background responses whose instance dies", () => {
  it("the surviving instance marks the job failed once the dead instance's lease has expired (continuation, GET, cancel)", async () => {
    const shared = createMemoryStateStore();
    const viewA = mortalView(shared);
    const instanceA = await startInstance(viewA.state);
    const instanceB = await startInstance(shared);
    gateway.mock.script(textReply("Never delivered", { delayMs: 20_000 }));
    const queued = await instanceA.client.responses.create({ model, input: "Long work", background: true });
    await waitForUpstreamCall();
    expect((await instanceB.client.responses.retrieve(queued.id)).status).toBe("in_progress");

    viewA.die();
    const diedAt = performance.now();
    while ((await instanceB.responses.store.holdsLease(queued.id)) && performance.now() - diedAt < 15_000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await instanceB.responses.store.holdsLease(queued.id)).toBe(false);

    // The first thing to touch it after that settles it: here a continuation, which would otherwise be refused with
    // "still in progress" for ever.
    gateway.mock.reset();
    gateway.mock.script(textReply("Starting over"));
    const retried = await instanceB.client.responses.create({ model, input: "Try again", previous_response_id: queued.id });
    expect(retried.output_text).toBe("Starting over");
    expect(JSON.stringify(gateway.mock.generateRequests()[0]?.json)).toContain("Long work");

    const seen = await instanceB.client.responses.retrieve(queued.id);
    expect(seen.status).toBe("failed");
    // (The exact moment, lease end to the millisecond, is asserted on an injected clock in src/responses.)
    expect(seen.error?.message).toMatch(/stopped renewing its lease .* Create it again\.$/);
    // A cancel now changes nothing: the job already ended.
    expect((await instanceB.client.responses.cancel(queued.id)).status).toBe("failed");
  });

  it("a job on a live instance stays in progress past several lease periods and completes", async () => {
    const shared = createMemoryStateStore();
    const instanceA = await startInstance(shared);
    const instanceB = await startInstance(shared);
    gateway.mock.script(textReply("Worth the wait", { delayMs: 3 * leaseMs }));
    const queued = await instanceA.client.responses.create({ model, input: "Slow but alive", background: true });
    await waitForUpstreamCall();
    const statuses = new Set<string>();
    for (let tries = 0; tries < 400; tries++) {
      const { status } = await instanceB.client.responses.retrieve(queued.id);
      statuses.add(status ?? "");
      if (status !== "in_progress" && status !== "queued") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...statuses]).toEqual(["in_progress", "completed"]);
    expect((await instanceB.client.responses.retrieve(queued.id)).output_text).toBe("Worth the wait");
  });

  it("takes the lease length from SWITCHYARD_BACKGROUND_LEASE_MS: a dead instance's job fails after it, not after 15 s", async () => {
    const shared = createMemoryStateStore();
    const viewA = mortalView(shared);
    const settings = { SWITCHYARD_BACKGROUND_CANCEL_POLL_MS: "50", SWITCHYARD_BACKGROUND_LEASE_MS: String(leaseMs) };
    const instanceA = await startConfiguredInstance(viewA.state, settings);
    const instanceB = await startConfiguredInstance(shared, settings);
    gateway.mock.script(textReply("Never seen", { delayMs: 30_000 }));
    const queued = await instanceA.client.responses.create({ model, input: "Long work", background: true });
    await waitForUpstreamCall();

    viewA.die();
    const diedAt = performance.now();
    let seen = await instanceB.client.responses.retrieve(queued.id);
    while (seen.status === "in_progress" && performance.now() - diedAt < 12_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await instanceB.client.responses.retrieve(queued.id);
    }
    // With the default lease (15 s) the job would still be in progress here.
    expect(seen.status).toBe("failed");
    expect(performance.now() - diedAt).toBeLessThan(12_000);
    expect(seen.error?.message).toMatch(/stopped renewing its lease/);
  });
});
