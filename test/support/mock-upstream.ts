import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultMockText } from "./mock-answer.js";
import {
  defaultMockModels,
  encodeMockEmbeddings,
  encodeMockModelList,
  encodeMockTokenCount,
  type MockModelCatalogue,
} from "./encode-mock-catalogue.js";
import { errorReply, jsonReply, textReply, type MockMatch, type MockReply } from "./mock-reply.js";
import { prepareMockReply, replyProtocol } from "./prepare-mock-reply.js";
import { recordMockRequest, type RecordedRequest } from "./record-mock-request.js";
import { writeMockReply } from "./write-mock-reply.js";

export * from "./mock-answer.js";
export * from "./mock-reply.js";
export { fixtureReply, fixtureChunkFrames, findFixture } from "./replay-mock-fixture.js";
export { serializeMockFrame, splitSseText } from "./prepare-mock-reply.js";
export { defaultMalformedFrame } from "./write-mock-reply.js";
export { defaultMockModels, type MockModelCatalogue } from "./encode-mock-catalogue.js";
export type { RecordedRequest } from "./record-mock-request.js";
export type { MockOperation, MockRoute } from "./route-mock-request.js";

/** Options for a mock upstream. */
export interface MockUpstreamOptions {
  /** Model ids the list endpoints return, per family. */
  models?: Partial<MockModelCatalogue>;
  /** Answers requests that no scripted reply matched; return undefined for the built-in default. */
  fallback?: (request: RecordedRequest) => MockReply | undefined;
}

/** A running mock upstream. */
export interface MockUpstream {
  /** `http://127.0.0.1:<port>`: give `${baseUrl}/v1` to OpenAI SDKs, `baseUrl` to Anthropic and Gemini ones. */
  baseUrl: string;
  port: number;
  /** Every request in arrival order (probes and unknown paths included). */
  received: RecordedRequest[];
  /** Queues replies; each answers the first later request it matches (default match: any completion call). */
  script(...replies: MockReply[]): void;
  /** Scripted replies not used yet. */
  pendingScripts(): number;
  /** The completion calls received (`route.operation === "generate"`). */
  generateRequests(): RecordedRequest[];
  /** Forgets received requests and unused scripts (the sequence number keeps counting). */
  reset(): void;
  /** Stops listening and cuts every open connection, stalled ones included. */
  close(): Promise<void>;
}

function matches(match: MockMatch | undefined, request: RecordedRequest): boolean {
  const { route } = request;
  if (route.operation !== (match?.operation ?? "generate")) return false;
  if (match === undefined) return true;
  if (match.protocol !== undefined && match.protocol !== route.protocol) return false;
  if (match.apiKey !== undefined && match.apiKey !== request.apiKey) return false;
  if (match.path !== undefined) {
    const hit = typeof match.path === "string" ? match.path === request.path : match.path.test(request.url);
    if (!hit) return false;
  }
  if (match.model !== undefined) {
    const model = route.model ?? "";
    const hit = typeof match.model === "string" ? match.model === model : match.model.test(model);
    if (!hit) return false;
  }
  return true;
}

/** The built-in answer for a request nobody scripted. */
function defaultReply(request: RecordedRequest, models: MockModelCatalogue): MockReply {
  const protocol = replyProtocol(request);
  const { route } = request;
  switch (route.operation) {
    case "generate":
      return textReply(defaultMockText(protocol));
    case "count-tokens":
      return jsonReply(encodeMockTokenCount(protocol));
    case "list-models":
      return jsonReply(encodeMockModelList(protocol, models));
    case "embeddings":
      return jsonReply(encodeMockEmbeddings(protocol, request.json, route.model ?? "mock-embedding"));
    case "probe":
      return jsonReply("");
    case "unknown":
      return errorReply(404, { message: `mock upstream has no route for ${request.method} ${request.path}` });
    default: {
      const unreachable: never = route.operation;
      return unreachable;
    }
  }
}

/** Starts a mock upstream speaking all four provider protocols on 127.0.0.1 with an ephemeral port. */
export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const models: MockModelCatalogue = { ...defaultMockModels, ...options.models };
  const received: RecordedRequest[] = [];
  let queue: MockReply[] = [];
  let sequence = 0;
  const closing = new AbortController();

  const take = (request: RecordedRequest): MockReply | undefined => {
    const index = queue.findIndex((reply) => matches(reply.match, request));
    if (index < 0) return undefined;
    const [reply] = queue.splice(index, 1);
    return reply;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    sequence += 1;
    const recorded = await recordMockRequest(request, sequence);
    received.push(recorded);
    const reply = take(recorded) ?? options.fallback?.(recorded) ?? defaultReply(recorded, models);
    await writeMockReply(request, response, prepareMockReply(reply, recorded), closing.signal);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // The mock must never crash a test run; a broken reply shows up as a cut connection.
      request.socket.destroy();
    });
  });
  // Claude Code and SDK keep-alive pools hold sockets open; don't let them outlive close().
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    received,
    script(...replies) {
      queue.push(...replies);
    },
    pendingScripts: () => queue.length,
    generateRequests: () => received.filter((request) => request.route.operation === "generate"),
    reset() {
      received.length = 0;
      queue = [];
    },
    close() {
      closing.abort();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
