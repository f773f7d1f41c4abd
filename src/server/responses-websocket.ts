import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { getCodec } from "../protocols/index.js";
import type { ResponsesService, ResponseStore } from "../responses/index.js";
import { createSseParser } from "../streaming/index.js";
import { GatewayError, toGatewayError } from "../unified/index.js";
import { readClientKey, type ProxyKeySet } from "./check-proxy-key.js";

/** What the WebSocket transport needs from the server. */
export interface ResponsesWebSocketOptions {
  responses: ResponsesService;
  proxyKeys: ProxyKeySet;
  /** Largest accepted frame (the HTTP body limit). */
  maxPayloadBytes: number;
  /**
   * Bytes queued on a socket above which the gateway stops reading the upstream stream until they are written out;
   * default 1 MiB. Bounds the memory a slow-reading client can make the gateway hold per connection.
   */
  highWaterBytes?: number;
  logger?: Logger;
}

const defaultHighWaterBytes = 1024 * 1024;

/** The attached transport; `close()` ends every connection (server shutdown). */
export interface ResponsesWebSocket {
  close(): Promise<void>;
}

/**
 * The Responses WebSocket transport: `GET …/responses` with an upgrade, the same proxy-key auth as HTTP, then
 * `response.create` frames answered with the SSE stream's events as JSON text frames. Codex's built-in provider
 * tries this first and falls back to HTTP on any non-101 answer (CLIENTS.md), so refusals are plain HTTP statuses.
 * Frames on one connection run one after another: each continues from the previous one's response.
 * @see ../shared/CLIENTS.md "Codex CLI"
 */
export function attachResponsesWebSocket(server: Server, options: ResponsesWebSocketOptions): ResponsesWebSocket {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? "/", "http://gateway.invalid");
    const path = url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname;
    if (request.method !== "GET" || !path.endsWith("/responses")) return refuse(socket, 404, "Not Found");
    let proxyKeyId: string | undefined;
    if (options.proxyKeys.enabled) {
      proxyKeyId = options.proxyKeys.match(readClientKey(request.headers, url.searchParams));
      if (proxyKeyId === undefined) return refuse(socket, 401, "Unauthorized");
    }
    sockets.handleUpgrade(request, socket, head, (connection) => serveConnection(connection, request, proxyKeyId, options));
  };
  server.on("upgrade", onUpgrade);

  return {
    close: async () => {
      server.off("upgrade", onUpgrade);
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** One connection: its own response store, a queue of frames, and an abort for whatever runs when it closes. */
function serveConnection(socket: WebSocket, request: IncomingMessage, proxyKeyId: string | undefined, options: ResponsesWebSocketOptions): void {
  const connectionStore = options.responses.createConnectionStore();
  const closed = new AbortController();
  socket.on("close", () => closed.abort(new GatewayError("client_closed", "WebSocket closed")));
  const writer = createSocketWriter(socket, closed.signal);
  let queue: Promise<void> = Promise.resolve();
  socket.on("message", (data, isBinary) => {
    queue = queue.then(() => handleFrame(socket, data, isBinary, { request, proxyKeyId, connectionStore, signal: closed.signal, writer, options }));
  });
}

interface FrameContext {
  request: IncomingMessage;
  proxyKeyId: string | undefined;
  connectionStore: ResponseStore;
  signal: AbortSignal;
  writer: SocketWriter;
  options: ResponsesWebSocketOptions;
}

async function handleFrame(socket: WebSocket, data: RawData, isBinary: boolean, context: FrameContext): Promise<void> {
  if (context.signal.aborted) return;
  try {
    const body = readCreateFrame(data, isBinary);
    if (body["generate"] === false) {
      const { generate: _generate, ...prewarm } = body;
      for (const event of await context.options.responses.prewarm(prewarm, context.proxyKeyId, context.connectionStore)) context.writer.send(JSON.stringify(event));
      return;
    }
    const { generate: _generate, ...create } = body;
    const result = await context.options.responses.create(
      {
        protocol: "openai-responses",
        operation: "generate",
        // Events are what the socket carries, so the response always streams.
        body: { ...create, stream: true },
        headers: context.request.headers,
        signal: context.signal,
        ...(context.proxyKeyId === undefined ? {} : { proxyKeyId: context.proxyKeyId }),
      },
      { transport: "websocket", connection: context.connectionStore },
    );
    if (result.kind !== "stream") throw new GatewayError("internal", "a WebSocket response.create did not stream");
    const parser = createSseParser();
    const textDecoder = new TextDecoder();
    const highWaterBytes = context.options.highWaterBytes ?? defaultHighWaterBytes;
    for await (const chunk of result.chunks) {
      if (socket.readyState !== socket.OPEN) break;
      // Each SSE event's data is already the event's JSON; heartbeat comments carry none and are dropped.
      for (const message of parser.feed(typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true }))) {
        if (message.data !== "" && message.data !== "[DONE]") context.writer.send(message.data);
      }
      // Backpressure: the next chunk is not pulled (so the upstream is not read) while the client lags behind.
      await context.writer.drain(highWaterBytes);
    }
    for (const message of parser.end()) if (message.data !== "" && message.data !== "[DONE]") context.writer.send(message.data);
  } catch (error) {
    sendError(context.writer, toGatewayError(error));
  }
}

/** The request of a `response.create` frame: its fields at top level (Codex), or under `response`. */
function readCreateFrame(data: RawData, isBinary: boolean): Record<string, unknown> {
  if (isBinary) throw new GatewayError("invalid_request", "expected a text frame with a JSON response.create event");
  let frame: unknown;
  try {
    frame = JSON.parse(rawDataText(data)) as unknown;
  } catch {
    throw new GatewayError("invalid_request", "the frame is not valid JSON");
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) throw new GatewayError("invalid_request", "expected a JSON object frame");
  const { type, response, ...fields } = frame as Record<string, unknown>;
  if (type !== "response.create") throw new GatewayError("invalid_request", `unsupported frame type ${JSON.stringify(type)}; expected "response.create"`, { path: "type" });
  if (typeof response === "object" && response !== null && !Array.isArray(response)) return { ...fields, ...(response as Record<string, unknown>) };
  return fields;
}

function rawDataText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString("utf8");
}

/** Sends a connection's frames and tells when the bytes it has queued fall back under a mark. */
interface SocketWriter {
  send(text: string): void;
  /** Resolves at once when at most `highWaterBytes` are queued, else once half of that is left (or the socket ends). */
  drain(highWaterBytes: number): Promise<void>;
}

function createSocketWriter(socket: WebSocket, closed: AbortSignal): SocketWriter {
  let waiting: { lowWater: number; resolve: () => void } | undefined;
  const release = (): void => {
    const current = waiting;
    waiting = undefined;
    closed.removeEventListener("abort", release);
    current?.resolve();
  };
  // One callback for every frame (no closure per frame): ws calls it as each frame's bytes reach the kernel, in order.
  const onWritten = (): void => {
    if (waiting !== undefined && socket.bufferedAmount <= waiting.lowWater) release();
  };
  return {
    send: (text) => {
      if (socket.readyState === socket.OPEN) socket.send(text, onWritten);
    },
    drain: (highWaterBytes) => {
      if (socket.bufferedAmount <= highWaterBytes || closed.aborted || socket.readyState !== socket.OPEN) return Promise.resolve();
      return new Promise((resolve) => {
        waiting = { lowWater: Math.floor(highWaterBytes / 2), resolve };
        closed.addEventListener("abort", release, { once: true });
      });
    },
  };
}

/** An error event in the Responses WebSocket shape: `{type: "error", status, error}`; the connection stays open. */
function sendError(writer: SocketWriter, error: GatewayError): void {
  const encoded = getCodec("openai-responses").encodeError(error);
  const body = encoded.body;
  const inner = typeof body === "object" && body !== null && "error" in body ? (body as { error: unknown }).error : body;
  writer.send(JSON.stringify({ type: "error", status: encoded.status, error: inner }));
}
