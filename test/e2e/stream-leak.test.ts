import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols, clientRoutes } from "../support/client-protocol-routes.js";
import { startMockUpstream, textReply, withFaults } from "../support/mock-upstream.js";
import { framesToFirstText } from "../support/post-client-stream.js";
import { mockProviderEnvironment, mockTargets, providerProtocols, testConfigDirectory, testProxyKey } from "../support/start-test-gateway.js";

// Opens 10,000 streams through a real gateway on real sockets, each aborted by its client after the first bytes,
// then checks that every handle is gone and the heap is back where it started. A leak of a timer, a listener, a
// socket or a few hundred bytes per stream shows up here (LESSONS §1: memory grows until the process dies).

const total = 10_000;
const concurrency = 32;
/** Streams before the baseline: JIT tiers, pools and lazily built tables reach their steady size first. */
const warmUp = 2_000;
/** Heap growth allowed after 10,000 streams: about 200 bytes each would exceed it. */
const heapToleranceBytes = 2 * 1024 * 1024;

/** The other protocol each client is paired with for the translated half of the streams. */
const translatedUpstream: Record<ProtocolId, ProtocolId> = {
  "openai-chat": "anthropic-messages",
  "openai-responses": "gemini",
  "anthropic-messages": "openai-chat",
  gemini: "openai-responses",
};

/** A real garbage collection: V8's flag set at run time, then the `gc` function of a fresh context. */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (() => void) | undefined;
  if (typeof gc !== "function") throw new Error("could not expose gc");
  return gc;
}

/**
 * Each provider protocol's stream up to and including its first text, as the shared mock upstream renders it. The
 * leak test then serves these bytes from a bare server: the mock keeps per-request state of its own (a record of
 * every request, an `AbortSignal.any` on its long-lived close signal) that would be counted as the gateway's heap.
 */
async function recordStreamPrefixes(): Promise<Record<ProtocolId, string>> {
  const mock = await startMockUpstream();
  const prefixes: Partial<Record<ProtocolId, string>> = {};
  try {
    const base = mockProviderEnvironment(mock.baseUrl);
    for (const protocol of providerProtocols) {
      mock.script(withFaults(textReply("hello there, world"), { endAfterFrames: framesToFirstText[protocol] }));
      const target = mockTargets[protocol];
      const path: Record<ProtocolId, string> = {
        "openai-chat": `${base["OPENAI_API_BASE"] ?? ""}/chat/completions`,
        "openai-responses": `${base["RESPONSESMOCK_API_BASE"] ?? ""}/responses`,
        "anthropic-messages": `${mock.baseUrl}/v1/messages`,
        gemini: `${mock.baseUrl}/v1beta/models/${target.upstreamModel}:streamGenerateContent?alt=sse`,
      };
      const body = protocol === "gemini" ? { contents: [{ role: "user", parts: [{ text: "hi" }] }] } : { ...clientRoutes[protocol].body(target.upstreamModel, true), stream: true };
      const response = await fetch(path[protocol], { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${target.upstreamKey}`, "x-api-key": target.upstreamKey, "x-goog-api-key": target.upstreamKey }, body: JSON.stringify(body) });
      prefixes[protocol] = await response.text();
    }
  } finally {
    await mock.close();
  }
  return prefixes as Record<ProtocolId, string>;
}

/** Which provider protocol an upstream request speaks, from its path. */
function protocolOfPath(path: string): ProtocolId {
  if (path.includes(":streamGenerateContent")) return "gemini";
  if (path.endsWith("/messages")) return "anthropic-messages";
  if (path.endsWith("/responses")) return "openai-responses";
  return "openai-chat";
}

/** An upstream that answers every stream with its protocol's prefix, then stays silent until the gateway hangs up. */
async function startStallingUpstream(prefixes: Record<ProtocolId, string>): Promise<{ server: Server; baseUrl: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((incoming, response) => {
    requests += 1;
    incoming.resume();
    incoming.once("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(prefixes[protocolOfPath(incoming.url ?? "")]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of process.getActiveResourcesInfo()) counts[resource] = (counts[resource] ?? 0) + 1;
  return counts;
}

describe("10,000 streams opened and aborted", () => {
  let upstream: Awaited<ReturnType<typeof startStallingUpstream>>;
  let port: number;
  let engine: ReturnType<typeof createEngineFromConfig>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // Every upstream stream sends its first text, then stays silent: the client's abort is what ends it.
    upstream = await startStallingUpstream(await recordStreamPrefixes());
    const config = loadConfig({
      env: { SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_MAX_CONCURRENCY: "10000", ...mockProviderEnvironment(upstream.baseUrl) },
      cwd: testConfigDirectory,
      dotenv: false,
    });
    engine = createEngineFromConfig(config);
    const app = buildServer({ gateway: engine, proxyKeys: [testProxyKey], logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as AddressInfo).port;
    close = async () => {
      app.server.closeAllConnections();
      await app.close();
      upstream.server.closeAllConnections();
      await new Promise((resolve) => upstream.server.close(resolve));
    };
  });
  afterAll(async () => {
    await close();
  });

  /** One stream: the first body bytes are read, then the client destroys its socket. */
  function openAndAbort(index: number): Promise<void> {
    const protocol = clientProtocols[index % clientProtocols.length] ?? "openai-chat";
    const upstream = index % 8 < 4 ? protocol : translatedUpstream[protocol];
    const route = clientRoutes[protocol];
    const model = mockTargets[upstream].model;
    const body = JSON.stringify(route.body(model, true));
    return new Promise<void>((resolve, reject) => {
      const outgoing = request(
        { host: "127.0.0.1", port, method: "POST", path: route.path(model, true), agent: false, headers: { "content-type": "application/json", ...route.keyHeader(testProxyKey) } },
        (response) => {
          if (response.statusCode !== 200) reject(new Error(`stream ${index}: status ${String(response.statusCode)}`));
          response.once("data", () => outgoing.destroy());
        },
      );
      outgoing.on("error", () => undefined);
      outgoing.on("close", () => resolve());
      outgoing.end(body);
    });
  }

  async function openMany(count: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) await openAndAbort(next++);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /**
   * Waits until the sockets of the three parties (client, gateway, mock) stop closing: none, or only a few idle
   * keep-alive connections of the gateway's upstream pool (opened for requests aborted while they connected).
   */
  async function settle(): Promise<void> {
    let last = Number.POSITIVE_INFINITY;
    for (let tries = 0, stable = 0; tries < 300 && stable < 10; tries++) {
      const sockets = countResources()["TCPSocketWrap"] ?? 0;
      stable = sockets === 0 || sockets === last ? stable + 1 : 0;
      last = sockets;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("leaves handle counts and the heap where they started", { timeout: 120_000 }, async () => {
    const gc = collectGarbage();
    await openMany(warmUp);
    await settle();
    gc();
    const before = countResources();
    const heapBefore = process.memoryUsage().heapUsed;

    const startedAt = performance.now();
    await openMany(total);
    const elapsedMs = performance.now() - startedAt;
    // Mid-run evidence that the streams were real: every upstream request reached the mock.
    expect(upstream.requests()).toBe(warmUp + total);

    await settle();
    gc();
    const after = countResources();
    const heapAfter = process.memoryUsage().heapUsed;
    console.info(
      `stream-leak: ${total} streams in ${Math.round(elapsedMs)} ms; handles before ${JSON.stringify(before)} after ${JSON.stringify(after)}; ` +
        `heap before ${(heapBefore / 1048576).toFixed(1)} MiB after ${(heapAfter / 1048576).toFixed(1)} MiB`,
    );
    for (const [kind, afterCount] of Object.entries(after)) expect({ kind, count: afterCount }).toEqual({ kind, count: Math.min(afterCount, before[kind] ?? 0) });
    expect(heapAfter - heapBefore).toBeLessThan(heapToleranceBytes);
    // Every credential's concurrency slot came back.
    const inFlight = (await engine.credentials?.status())?.flatMap((provider) => provider.credentials.map((credential) => credential.inFlight));
    expect(inFlight?.length).toBeGreaterThan(0);
    expect(inFlight?.every((count) => count === 0)).toBe(true);
  });
});
