import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { buildUpstreamRequest, createProviderRegistry, type ConfiguredProvider, type UpstreamRequest } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { createUpstreamClient, type UpstreamClient } from "./create-upstream-client.js";

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

const servers: Server[] = [];
const clients: UpstreamClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function startServer(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => handler(request, response, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A server that answers with `contentType` and `firstWrite`, then holds the response open; `closed` settles when it closes. */
async function startHeldServer(contentType: string, firstWrite: string): Promise<{ url: string; closed: Promise<void> }> {
  let serverSawClose: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (serverSawClose = resolve));
  const { url } = await startServer((_incoming, response) => {
    response.writeHead(200, { "content-type": contentType });
    response.write(firstWrite);
    response.on("close", () => serverSawClose());
  });
  return { url, closed };
}

function client(options: Parameters<typeof createUpstreamClient>[0] = {}): UpstreamClient {
  const created = createUpstreamClient(options);
  clients.push(created);
  return created;
}

function request(url: string, overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { url, method: "POST", headers: { "content-type": "application/json" }, body: '{"model":"m"}', providerId: "mock", credentialId: "mock:abc", ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of body) {
    // reading only
  }
}

describe("createUpstreamClient", () => {
  it("sends the request and returns status, flattened headers and the body text", async () => {
    let received: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string } | undefined;
    const { url } = await startServer((incoming, response, body) => {
      received = { method: incoming.method, url: incoming.url, headers: incoming.headers, body };
      response.setHeader("x-request-id", "req_123");
      response.setHeader("set-cookie", ["a=1", "b=2"]);
      response.writeHead(201, { "content-type": "application/json" });
      response.end('{"ok":true}');
    });
    const response = await client().send(request(`${url}/v1/chat/completions?x=1`, { headers: { "content-type": "application/json", authorization: "Bearer k" } }));
    expect(response.status).toBe(201);
    expect(response.requestId).toBe("req_123");
    expect(response.headers).toMatchObject({ "content-type": "application/json", "x-request-id": "req_123", "set-cookie": "a=1, b=2" });
    expect(await response.readText()).toBe('{"ok":true}');
    expect(received).toMatchObject({ method: "POST", url: "/v1/chat/completions?x=1", body: '{"model":"m"}', headers: { authorization: "Bearer k" } });
    await expect(response.readText()).rejects.toThrow("mock: the upstream body was already read");
  });

  it("streams the body as it arrives instead of buffering it", async () => {
    let releaseSecond: () => void = () => undefined;
    const secondReleased = new Promise<void>((resolve) => (releaseSecond = resolve));
    const { url } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: one\n\n");
      void secondReleased.then(() => response.end("data: two\n\n"));
    });
    const response = await client().send(request(url));
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(new TextDecoder().decode(first.value)).toBe("data: one\n\n");
    releaseSecond();
    const second = await iterator.next();
    expect(new TextDecoder().decode(second.value)).toBe("data: two\n\n");
    expect((await iterator.next()).done).toBe(true);
  });

  it("closes the upstream socket at once when the body's reader returns early, even with a read pending", async () => {
    const { url, closed } = await startHeldServer("text/event-stream", "data: one\n\n");
    const response = await client().send(request(url));
    const iterator = response.body[Symbol.asyncIterator]();
    expect(new TextDecoder().decode((await iterator.next()).value)).toBe("data: one\n\n");
    const pending = iterator.next();
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    await closed;
    expect((await iterator.next()).done).toBe(true);
  });

  it("reuses the socket after a streamed body was read to its end", async () => {
    const { url, server } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: one\n\n", () => setTimeout(() => response.end("data: two\n\n"), 5));
    });
    let connections = 0;
    server.on("connection", () => (connections += 1));
    const upstream = client();
    for (let index = 0; index < 2; index += 1) {
      let text = "";
      for await (const chunk of (await upstream.send(request(url))).body) text += new TextDecoder().decode(chunk);
      expect(text).toBe("data: one\n\ndata: two\n\n");
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(connections).toBe(1);
  });

  it("reuses keep-alive sockets per origin", async () => {
    const { url, server } = await startServer((_incoming, response) => response.end("ok"));
    let connections = 0;
    server.on("connection", () => (connections += 1));
    const upstream = client();
    for (let index = 0; index < 3; index += 1) {
      expect(await (await upstream.send(request(url))).readText()).toBe("ok");
      // undici frees the connection just after the body ends; a request sent in the same tick would open a second one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(connections).toBe(1);
  });

  it("aborts on the signal: the upstream socket closes and reading fails with client_closed", async () => {
    const { url, closed } = await startHeldServer("text/event-stream", "data: one\n\n");
    const controller = new AbortController();
    const response = await client().send(request(url), { signal: controller.signal });
    const iterator = response.body[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await closed;
    const error = await rejection(iterator.next());
    expect(error.code).toBe("client_closed");
    expect(error.provider).toBe("mock");
    expect(error.credentialId).toBe("mock:abc");
  });

  it("rethrows a GatewayError abort reason (the pipeline's deadline) as is", async () => {
    const { url } = await startServer(() => undefined);
    const controller = new AbortController();
    const deadline = new GatewayError("upstream_timeout", "request deadline passed");
    const pending = client().send(request(url), { signal: controller.signal });
    setTimeout(() => controller.abort(deadline), 20);
    expect(await rejection(pending)).toBe(deadline);
  });

  it("maps a headers timeout to upstream_timeout (504)", async () => {
    const { url } = await startServer(() => undefined);
    const error = await rejection(client({ headersTimeoutMs: 150 }).send(request(url)));
    expect(error).toMatchObject({ code: "upstream_timeout", httpStatus: 504, message: "mock: no response headers in time (UND_ERR_HEADERS_TIMEOUT)" });
  });

  it("maps a body stall to upstream_timeout while reading", async () => {
    const { url } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: one\n\n");
    });
    const response = await client().send(request(url), { bodyTimeoutMs: 150 });
    const error = await rejection(drain(response.body));
    expect(error).toMatchObject({ code: "upstream_timeout", message: "mock: the response body stalled (UND_ERR_BODY_TIMEOUT)" });
  });

  it("reads a body text whole when a multi-byte character is split across chunks, and claims the body once", async () => {
    const bytes = Buffer.from('{"text":"h\u00e9llo \u{1F600}"}', "utf8");
    const { url } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      // The split falls inside the 4-byte emoji.
      response.write(bytes.subarray(0, bytes.length - 4), () => setTimeout(() => response.end(bytes.subarray(bytes.length - 4)), 20));
    });
    const response = await client().send(request(url));
    expect(await response.readText()).toBe('{"text":"h\u00e9llo \u{1F600}"}');
    expect(() => response.body[Symbol.asyncIterator]()).toThrow("mock: the upstream body was already read");
  });

  it("aborts while reading a body text: the socket closes and readText fails with client_closed", async () => {
    const { url, closed } = await startHeldServer("application/json", '{"partial":');
    const controller = new AbortController();
    const response = await client().send(request(url), { signal: controller.signal });
    const reading = rejection(response.readText());
    setTimeout(() => controller.abort(), 20);
    await closed;
    expect(await reading).toMatchObject({ code: "client_closed", provider: "mock", credentialId: "mock:abc" });
  });

  it("maps a body stall and a reset while reading a body text", async () => {
    const { url: stalling } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"partial":');
    });
    const stalled = await client().send(request(stalling), { bodyTimeoutMs: 150 });
    expect(await rejection(stalled.readText())).toMatchObject({ code: "upstream_timeout", message: "mock: the response body stalled (UND_ERR_BODY_TIMEOUT)" });
    const { url: resetting } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"partial":', () => setTimeout(() => response.socket?.destroy(), 20));
    });
    const reset = await client().send(request(resetting));
    const error = await rejection(reset.readText());
    expect(error.code).toBe("upstream_server");
    expect(error.message).toMatch(/^mock: connection failed \((UND_ERR_SOCKET|ECONNRESET)\)$/);
  });

  it("maps a refused connection to upstream_server (502)", async () => {
    const { url, server } = await startServer(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    servers.splice(servers.indexOf(server), 1);
    const error = await rejection(client().send(request(url)));
    expect(error).toMatchObject({ code: "upstream_server", httpStatus: 502, message: "mock: connection failed (ECONNREFUSED)", provider: "mock" });
  });

  it("maps a reset mid-body to upstream_server", async () => {
    const { url } = await startServer((_incoming, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: one\n\n", () => setTimeout(() => response.socket?.destroy(), 20));
    });
    const response = await client().send(request(url));
    const error = await rejection(drain(response.body));
    expect(error.code).toBe("upstream_server");
    expect(error.message).toMatch(/^mock: connection failed \((UND_ERR_SOCKET|ECONNRESET)\)$/);
  });

  it("discards an unread body so the socket can be reused", async () => {
    const { url, server } = await startServer((_incoming, response) => response.end("x".repeat(1000)));
    let connections = 0;
    server.on("connection", () => (connections += 1));
    const upstream = client();
    await (await upstream.send(request(url))).discard();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await (await upstream.send(request(url))).readText()).toHaveLength(1000);
    expect(connections).toBe(1);
  });

  it("dispatches to a provider's in-process transport with the same response shape", async () => {
    const demo = createProviderRegistry({ demo: { chunkDelayMs: 0 } }).get("demo") as ConfiguredProvider;
    const built = buildUpstreamRequest({
      provider: demo,
      model: "anything",
      operation: "generate",
      stream: true,
      body: { model: "anything", stream: true, messages: [{ role: "user", content: "ping" }] },
    });
    const response = await client().send(built);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream");
    const text = await response.readText();
    expect(text.startsWith('data: {"id":"chatcmpl-demo-')).toBe(true);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);

    const controller = new AbortController();
    controller.abort();
    expect((await rejection(client().send(built, { signal: controller.signal }))).code).toBe("client_closed");
  });
});
