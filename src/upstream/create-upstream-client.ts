import { Agent, errors as undiciErrors, type Dispatcher } from "undici";
import type { ProviderTransport, TransportResponse, UpstreamRequest } from "../providers/index.js";
import { GatewayError } from "../unified/index.js";
import { iterateReadableBody } from "./iterate-readable-body.js";
import { mapTransportError, type TransportErrorContext } from "./map-transport-error.js";
import { reportUpstreamResponse } from "./observe-upstream-responses.js";

/** Timeouts and pooling of the upstream client. */
export interface UpstreamClientOptions {
  /** TCP + TLS connect (default 10 s). */
  connectTimeoutMs?: number;
  /** From sending the request to the response headers (default 10 min: non-streaming reasoning calls are slow). */
  headersTimeoutMs?: number;
  /** Longest silence between body chunks (default 10 min; the stream supervisor enforces the tighter stall limit). */
  bodyTimeoutMs?: number;
  /** How long an idle keep-alive socket stays pooled (default 30 s; shortened by the server's keep-alive hint). */
  keepAliveTimeoutMs?: number;
  /** Sockets per origin; unlimited when absent. */
  connectionsPerOrigin?: number;
  /** A dispatcher to use instead of the client's own Agent (undici MockAgent in tests). Not closed by `close()`. */
  dispatcher?: Dispatcher;
}

/** Per-call options. */
export interface SendOptions {
  /** Aborting it (client disconnect, deadline) closes the upstream request; a GatewayError reason is rethrown as is. */
  signal?: AbortSignal;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

/** An upstream response with its body still streaming. */
export interface UpstreamResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  /**
   * The body as it arrives, never buffered. Iterate it once, or call `readText()` or `discard()`: an unread body
   * holds its socket. Failures while reading are GatewayErrors; breaking out of the loop closes the request.
   */
  body: AsyncIterable<Uint8Array>;
  /** The whole body as text (for JSON responses and error bodies). */
  readText(): Promise<string>;
  /** Drops the body, returning the socket to the pool when it can. */
  discard(): Promise<void>;
  /** `x-request-id` / `request-id` when the provider sent one. */
  requestId?: string;
}

/** Sends provider requests over keep-alive pools, or through a provider's in-process transport. */
export interface UpstreamClient {
  send(request: UpstreamRequest, options?: SendOptions): Promise<UpstreamResponse>;
  /** Closes the pools (waits for requests in flight). */
  close(): Promise<void>;
}

/**
 * Creates the upstream client: one undici Agent, which keeps one keep-alive pool per origin. Requests with a
 * `transport` (the demo provider) are answered in process with the same response shape, so callers never branch.
 */
export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const headersTimeout = options.headersTimeoutMs ?? 600_000;
  const bodyTimeout = options.bodyTimeoutMs ?? 600_000;
  const ownAgent =
    options.dispatcher === undefined
      ? new Agent({
          connect: { timeout: options.connectTimeoutMs ?? 10_000 },
          headersTimeout,
          bodyTimeout,
          keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
          ...(options.connectionsPerOrigin === undefined ? {} : { connections: options.connectionsPerOrigin }),
        })
      : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);

  return {
    // Not async: the response's promise is undici's own with one `then`, where an async frame would add promise turns
    // between the upstream's headers and the pipeline (on a cold core each of them costs microseconds).
    send(request, sendOptions = {}) {
      const { signal } = sendOptions;
      if (request.transport !== undefined) return sendInProcess(request, request.transport, signal);
      let response: Promise<Dispatcher.ResponseData>;
      try {
        // The dispatcher's own `request` with origin and path, as undici's top-level `request(url)` would call it,
        // without parsing the same URL text again on every call. `null` is undici's "none" for body and signal.
        const { origin, path } = locateUrl(request.url);
        response = dispatcher.request({
          origin,
          path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal: signal ?? null,
          headersTimeout: sendOptions.headersTimeoutMs ?? headersTimeout,
          bodyTimeout: sendOptions.bodyTimeoutMs ?? bodyTimeout,
        });
      } catch (error) {
        return Promise.reject(mapTransportError(error, transportContext(request, signal)));
      }
      return response.then(
        (data) => wrapUndiciResponse(data, request, signal),
        (error: unknown) => {
          throw mapTransportError(error, transportContext(request, signal));
        },
      );
    },
    async close() {
      await ownAgent?.close();
    },
  };
}

/** Built only when a failure needs mapping: the happy path never allocates it. */
function transportContext(request: UpstreamRequest, signal: AbortSignal | undefined): TransportErrorContext {
  const context: TransportErrorContext = { providerId: request.providerId };
  if (request.credentialId !== undefined) context.credentialId = request.credentialId;
  if (signal !== undefined) context.signal = signal;
  return context;
}

/** A provider's in-process transport (the demo provider), answered in the network response's shape. */
async function sendInProcess(request: UpstreamRequest, transport: ProviderTransport, signal: AbortSignal | undefined): Promise<UpstreamResponse> {
  let response: TransportResponse;
  try {
    response = await transport(request, signal === undefined ? {} : { signal });
  } catch (error) {
    throw mapTransportError(error, transportContext(request, signal));
  }
  const { status, headers, body: source } = response;
  reportUpstreamResponse(status, headers);
  return claimOnce(status, headers, request, {
    iterate: () => guardBody(source, transportContext(request, signal))[Symbol.asyncIterator](),
    async readText() {
      const decoder = new TextDecoder();
      let text = "";
      for await (const chunk of guardBody(source, transportContext(request, signal))) text += decoder.decode(chunk, { stream: true });
      return text + decoder.decode();
    },
    async discard() {
      await source[Symbol.asyncIterator]().return?.();
    },
  });
}

/**
 * An undici response in the client's shape. `readText` is undici's own `body.text()`, which collects the chunks as
 * they are pushed and decodes once (UTF-8, BOM skipped, as TextDecoder does), without an async iterator over the
 * stream; iterating reads the body with `iterateReadableBody` (a plain iterator, cheaper than Node's async
 * generator over a Readable), built only then.
 */
function wrapUndiciResponse(response: Dispatcher.ResponseData, request: UpstreamRequest, signal: AbortSignal | undefined): UpstreamResponse {
  const { statusCode: status, body: source } = response;
  const headers = flattenHeaders(response.headers);
  // Every response, success or error, before its body: remaining-quota headers steer the next selection.
  reportUpstreamResponse(status, headers);
  return claimOnce(status, headers, request, {
    iterate: () => iterateReadableBody(source, (error) => mapTransportError(error, transportContext(request, signal))),
    readText: () =>
      source.text().then(undefined, (error: unknown) => {
        throw mapTransportError(error, transportContext(request, signal));
      }),
    // dump() reads a small remainder so the socket can be reused, and destroys the body beyond that.
    discard: () => source.dump({ limit: 128 * 1024 }).catch(() => undefined),
  });
}

/** How a response's body is iterated, read whole or dropped; `claimOnce` makes sure only one of them happens. */
interface BodyReaders {
  /** The body's chunks; failures while reading are GatewayErrors, and returning early closes the request. */
  iterate(): AsyncIterator<Uint8Array>;
  readText(): Promise<string>;
  discard(): Promise<unknown>;
}

/**
 * The response both transports answer with: the body can be iterated, read as text or discarded, once; a second
 * read is an internal error, a discard after a read does nothing.
 */
function claimOnce(status: number, headers: Readonly<Record<string, string>>, request: UpstreamRequest, readers: BodyReaders): UpstreamResponse {
  let claimed = false;
  const claim = (): void => {
    if (claimed) throw alreadyRead(request);
    claimed = true;
  };
  const wrapped: UpstreamResponse = {
    status,
    headers,
    body: {
      [Symbol.asyncIterator]() {
        claim();
        return readers.iterate();
      },
    },
    readText() {
      try {
        claim();
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return readers.readText();
    },
    async discard() {
      if (claimed) return;
      claimed = true;
      await readers.discard();
    },
  };
  setRequestId(wrapped, headers);
  return wrapped;
}

function alreadyRead(request: UpstreamRequest): GatewayError {
  return new GatewayError("internal", `${request.providerId}: the upstream body was already read`);
}

function setRequestId(response: UpstreamResponse, headers: Readonly<Record<string, string>>): void {
  const requestId = headers["x-request-id"] ?? headers["request-id"];
  if (requestId !== undefined) response.requestId = requestId;
}

/**
 * An in-process transport's chunks, passed through with any failure while reading turned into a GatewayError.
 * Returning early (the consumer broke out) closes the source: for undici that destroys the request and its socket.
 * A plain iterator rather than an async generator: it only maps rejections, and a generator layer would add its
 * own promise turns to every chunk of every stream.
 */
function guardBody(source: AsyncIterable<Uint8Array>, context: TransportErrorContext): AsyncIterable<Uint8Array> {
  const mapError = (error: unknown): never => {
    throw mapTransportError(error, context);
  };
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const iterator = source[Symbol.asyncIterator]();
      let failed = false;
      return {
        next: () =>
          failed
            ? Promise.resolve({ done: true, value: undefined })
            : iterator.next().then(undefined, (error: unknown) => {
                failed = true;
                return mapError(error);
              }),
        return: async (value?: unknown) => {
          await iterator.return?.();
          return { done: true, value };
        },
      };
    },
  };
}

/** Origin and path (with query) by URL text: a few per provider, bounded anyway. */
const locatedUrls = new Map<string, { origin: string; path: string }>();
const maxLocatedUrls = 512;

/** What undici's `request(url)` derives from a URL text (it parses it with `new URL`, which throws as before). */
function locateUrl(text: string): { origin: string; path: string } {
  const known = locatedUrls.get(text);
  if (known !== undefined) return known;
  const url = new URL(text);
  // undici's own check and error, so the failure maps as before.
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new undiciErrors.InvalidArgumentError("Invalid URL protocol: the URL must start with `http:` or `https:`.");
  const located = { origin: url.origin, path: url.search === "" ? url.pathname : `${url.pathname}${url.search}` };
  if (locatedUrls.size >= maxLocatedUrls) locatedUrls.clear();
  locatedUrls.set(text, located);
  return located;
}

/**
 * undici's parsed headers with repeated ones joined by ", ". undici already lower-cases every name and builds a fresh
 * object per response, so when no header repeats (nearly always) that object is returned as is.
 */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const name in headers) {
    if (typeof headers[name] !== "string") return flattenRepeated(headers);
  }
  return headers as Record<string, string>;
}

function flattenRepeated(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = typeof value === "string" ? value : value.join(", ");
  }
  return flat;
}
