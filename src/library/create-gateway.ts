import type { Logger } from "pino";
import { loadConfig, type GatewayConfig } from "../config/index.js";
import type { Gateway, GatewayCall, GatewayResult, ModelListing } from "../pipeline/index.js";
import { createSseParser } from "../streaming/index.js";
import { GatewayError, type ProtocolId } from "../unified/index.js";
import type { StateStore } from "../state/index.js";
import { createEngineFromConfig } from "./create-engine-from-config.js";
import { openLibraryResponses, type LibraryResponses } from "./open-library-responses.js";

/** One event of a streamed call, in the client protocol's own wire shape. */
export interface WireStreamEvent {
  /** The SSE `event:` name where the protocol uses one (Anthropic, Responses). */
  event?: string;
  /** The parsed JSON payload; the literal string "[DONE]" for Chat's end marker. */
  data: unknown;
}

/** Per-call options for the library API. */
export interface LibraryCallOptions {
  /** Gemini names the model in the URL; here it is an option (or `model` in the body). */
  model?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Switchyard in-process: the same pipeline as the server, without HTTP. */
export interface SwitchyardGateway {
  readonly config: GatewayConfig;
  /** A non-streaming call in `protocol`'s wire shape; resolves to the response body. */
  request(protocol: ProtocolId, body: Record<string, unknown>, options?: LibraryCallOptions): Promise<unknown>;
  /** A streaming call; yields the protocol's wire events as they arrive. */
  stream(protocol: ProtocolId, body: Record<string, unknown>, options?: LibraryCallOptions): AsyncIterable<WireStreamEvent>;
  /** Token count in the protocol's shape (Anthropic and Gemini). */
  countTokens(protocol: ProtocolId, body: Record<string, unknown>, options?: LibraryCallOptions): Promise<unknown>;
  listModels(): Promise<ModelListing[]>;
  /** Stored Responses (from `openai-responses` calls): retrieve, delete, input items, cancel. */
  readonly responses: LibraryResponses;
  close(): Promise<void>;
}

/** Where the library takes its configuration from. */
export interface CreateGatewayOptions {
  /** A config already loaded; otherwise it is loaded from `env` (default process.env) and `cwd`. */
  config?: GatewayConfig;
  env?: Record<string, string | undefined>;
  cwd?: string;
  logger?: Logger;
  /** Where stored responses live (for `previous_response_id`, `background`); the caller closes it. Memory when absent. */
  responsesState?: StateStore;
  /** Keeps stored responses in `<responsesDataDir>/responses.json` instead of memory (ignored with `responsesState`). */
  responsesDataDir?: string;
}

/** Builds an in-process gateway. Errors are thrown as GatewayErrors. */
export function createGateway(options: CreateGatewayOptions = {}): SwitchyardGateway {
  const config = options.config ?? loadConfig({ env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() });
  const engine: Gateway = createEngineFromConfig(config, options.logger);
  // The server's Responses service: `openai-responses` generate calls are stored, continued and run in the background.
  const responses = openLibraryResponses(engine, {
    ...(options.responsesState === undefined ? {} : { state: options.responsesState }),
    ...(options.responsesDataDir === undefined ? {} : { dataDir: options.responsesDataDir }),
    ...(config.responses === undefined ? {} : { background: config.responses }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });

  const run = async (protocol: ProtocolId, operation: GatewayCall["operation"], body: Record<string, unknown>, stream: boolean, callOptions: LibraryCallOptions = {}) => {
    const streamInBody = protocol === "gemini" ? body : { ...body, stream };
    const call: GatewayCall = {
      protocol,
      operation,
      body: streamInBody,
      headers: callOptions.headers ?? {},
      signal: callOptions.signal ?? new AbortController().signal,
      ...(protocol === "gemini" ? { stream } : {}),
      ...(callOptions.model === undefined ? {} : { model: callOptions.model }),
    };
    return protocol === "openai-responses" && operation === "generate" ? (await responses.service()).create(call) : engine.handle(call);
  };

  return {
    config,
    async request(protocol, body, callOptions) {
      return readJsonResult(await run(protocol, "generate", body, false, callOptions));
    },
    stream(protocol, body, callOptions) {
      return streamEvents(() => run(protocol, "generate", body, true, callOptions));
    },
    async countTokens(protocol, body, callOptions) {
      return readJsonResult(await run(protocol, "count-tokens", body, false, callOptions));
    },
    listModels: () => engine.listModels(),
    responses: responses.api,
    async close() {
      // Background jobs stop before the engine they run on.
      await responses.close();
      await engine.close();
    },
  };
}

async function readJsonResult(result: GatewayResult): Promise<unknown> {
  switch (result.kind) {
    case "json":
      return result.body;
    case "bytes":
      return JSON.parse(typeof result.body === "string" ? result.body : new TextDecoder().decode(result.body)) as unknown;
    case "stream":
      throw new GatewayError("internal", "expected a JSON result, got a stream");
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

async function* streamEvents(start: () => Promise<GatewayResult>): AsyncGenerator<WireStreamEvent> {
  const result = await start();
  if (result.kind !== "stream") throw new GatewayError("internal", "expected a stream result");
  const parser = createSseParser();
  const textDecoder = new TextDecoder();
  for await (const chunk of result.chunks) {
    const text = typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true });
    for (const message of parser.feed(text)) yield toWireEvent(message.event, message.data);
  }
  for (const message of parser.end()) yield toWireEvent(message.event, message.data);
}

function toWireEvent(event: string | undefined, data: string): WireStreamEvent {
  let parsed: unknown = data;
  if (data !== "[DONE]") {
    try {
      parsed = JSON.parse(data) as unknown;
    } catch {
      parsed = data;
    }
  }
  return event === undefined ? { data: parsed } : { event, data: parsed };
}
