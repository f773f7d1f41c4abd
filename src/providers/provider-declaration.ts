import type { GatewayError, ProtocolId } from "../unified/index.js";
import type { FieldCacheRuleDeclaration } from "./field-cache-rule-declaration.js";

/** What one upstream call does; each protocol maps every operation it supports to a path template. */
export type ProviderOperation = "generate" | "count-tokens" | "embed" | "list-models";

/** Keys of a protocol's path table: the operations plus Gemini's separate streaming path. */
export type PathTemplateKey = ProviderOperation | "generate-stream";

/** Path templates relative to the base URL; `{model}` is replaced by the (encoded) upstream model. */
export type PathTemplates = Readonly<Partial<Record<PathTemplateKey, string>>>;

/** How the credential travels: a bearer token, a named header, a query parameter, or not at all. */
export type ProviderAuth =
  | { type: "bearer" }
  | { type: "header"; name: string }
  | { type: "query"; param: string }
  | { type: "none" };

/** What a model can do; planning filters out targets that cannot honour a request's features. */
export interface ModelCapabilities {
  tools: boolean;
  vision: boolean;
  reasoning: boolean;
  streaming: boolean;
  /** Largest output the model accepts, when known. */
  maxOutputTokens?: number;
}

/** One model a provider serves, from its static list or its list endpoint. */
export interface ModelInfo {
  id: string;
  displayName?: string;
  /** Only what differs from (or is known beyond) the provider's defaults. */
  capabilities?: Partial<ModelCapabilities>;
}

/** Shapes of the model-list endpoints: OpenAI `{data:[{id}]}`, Anthropic `{data, has_more, last_id}`, Gemini `{models, nextPageToken}`. */
export type ModelListShape = "openai" | "anthropic" | "gemini";

/**
 * How to read a provider's model list; the shape defaults from the protocol. The endpoint is the protocol's
 * `list-models` path (override it in `paths`).
 */
export interface ModelDiscoveryDeclaration {
  shape?: ModelListShape;
}

/** A provider's model list: static entries and/or discovery (`false` turns discovery off). */
export interface ProviderModelsDeclaration {
  static?: readonly (string | ModelInfo)[];
  discovery?: ModelDiscoveryDeclaration | false;
}

/** Capabilities for every model whose id matches a glob (`o*`, `*-vision-*`). Later rules win. */
export interface CapabilityRule {
  match: string;
  capabilities: Partial<ModelCapabilities>;
}

/** What `adjustRequest` is told about the call it adjusts. */
export interface RequestHookContext {
  providerId: string;
  protocol: ProtocolId;
  model: string;
  operation: ProviderOperation;
  stream: boolean;
}

/** What `resolveUrl` is told: the call plus the base URL and the resolved path (query included). */
export interface UrlHookContext extends RequestHookContext {
  baseUrl: string;
  path: string;
}

/** An upstream HTTP error as the classifier sees it. */
export interface UpstreamErrorResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  bodyText: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

/** One rate-limit window as reported by response headers. */
export interface RateLimitWindow {
  limit?: number;
  remaining?: number;
  /** Milliseconds from the response until the window resets. */
  resetAfterMs?: number;
}

/** Rate-limit state read from response headers, for scheduling before the 429. */
export interface RateLimitInfo {
  requests?: RateLimitWindow;
  tokens?: RateLimitWindow;
  inputTokens?: RateLimitWindow;
  outputTokens?: RateLimitWindow;
}

/**
 * The closed set of provider hooks. All optional and pure; adding a kind needs a design note (CONVENTIONS.md).
 */
export interface ProviderHooks {
  /** Wire-level tweak after encoding; returns the body to send (never mutates its input). */
  adjustRequest?(body: Readonly<Record<string, unknown>>, context: RequestHookContext): Record<string, unknown>;
  /** The full URL for a call (Azure deployments, Vertex regions); auth query parameters are appended after it. */
  resolveUrl?(context: UrlHookContext): string;
  /** Overrides the default error table; undefined falls back to it. */
  classifyError?(response: UpstreamErrorResponse): GatewayError | undefined;
  /** Reads rate-limit headers the default reader does not know. */
  readRateLimit?(headers: Readonly<Record<string, string>>, context: { now: number }): RateLimitInfo | undefined;
}

/** A provider request ready to send: what `buildUpstreamRequest` returns and the upstream client takes. */
export interface UpstreamRequest {
  url: string;
  method: "GET" | "POST";
  /** Lower-case header names. Contains the credential: never log it unredacted. */
  headers: Record<string, string>;
  body?: string;
  providerId: string;
  credentialId?: string;
  /** In-process transport (the demo provider); the upstream client calls it instead of the network. */
  transport?: ProviderTransport;
}

/** What an in-process transport answers: the same shape as a network response. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
}

/** An in-process stand-in for the network; it speaks the provider's wire protocol as bytes. */
export type ProviderTransport = (request: UpstreamRequest, options: { signal?: AbortSignal }) => Promise<TransportResponse>;

/**
 * An adapter the provider applies by default, as plain data (providers sit below the adapters module and cannot
 * import it): the adapter's name, or its name with options; `enabled: false` in config removes it.
 */
export type ProviderAdapterReference = string | { readonly name: string; readonly options?: unknown };

/**
 * A provider as data, the input of `defineProvider`. Everything expressible as data is data; code is limited to
 * the closed hook set and an optional in-process transport.
 */
export interface ProviderDeclaration {
  /** Stable kebab-case id: it appears in config, logs, model strings and the state store. */
  id: string;
  displayName: string;
  /** The default upstream protocol. */
  protocol: ProtocolId;
  /** Every protocol the provider speaks (default: just `protocol`); `<NAME>_PROTOCOL` picks among them. */
  protocols?: readonly ProtocolId[];
  /** What the provider's own SDK takes as its base URL (`https://api.openai.com/v1`). */
  baseUrl: string;
  /** A different base URL for some protocols (e.g. an Anthropic-compatible endpoint under another path). */
  baseUrlByProtocol?: Readonly<Partial<Record<ProtocolId, string>>>;
  /** Path template overrides per protocol, merged over the protocol defaults. */
  paths?: Readonly<Partial<Record<ProtocolId, PathTemplates>>>;
  auth: ProviderAuth;
  /** Static headers on every request (e.g. `anthropic-version`). */
  headers?: Readonly<Record<string, string>>;
  /** Client headers forwarded upstream when present (e.g. `anthropic-beta`); lower-case names. */
  forwardHeaders?: readonly string[];
  /** Whether the provider is useless without a key. */
  keyRequired: boolean;
  /** A local server: active only when `<NAME>_API_BASE` is set or config enables it. */
  local?: boolean;
  /** The `<NAME>` of its environment variables; default: the id upper-cased with `-` → `_`. */
  envName?: string;
  models?: ProviderModelsDeclaration;
  /** Defaults for every model (unset fields default to true; maxOutputTokens to unknown). */
  capabilities?: Partial<ModelCapabilities>;
  capabilityRules?: readonly CapabilityRule[];
  hooks?: ProviderHooks;
  transport?: ProviderTransport;
  /** The provider's API reference, for docs and `doctor`. */
  docsUrl?: string;
  /**
   * The provider's streaming is broken: a streaming client request is sent as a non-streaming call and the answer
   * emitted as the equivalent stream events (config `providers.<id>.stream.viaNonStream` overrides it).
   */
  streamViaNonStream?: boolean;
  /** Adapters every request to this provider goes through, before any configured in switchyard.json. */
  adapters?: readonly ProviderAdapterReference[];
  /** Field-cache rules: provider state clients drop, replayed across turns (config can strengthen, never weaken). */
  fieldCache?: readonly FieldCacheRuleDeclaration[];
}

/** A validated, normalized declaration (output of `defineProvider`). */
export interface ProviderDefinition {
  readonly id: string;
  readonly displayName: string;
  readonly protocol: ProtocolId;
  readonly protocols: readonly ProtocolId[];
  /** No trailing slash. */
  readonly baseUrl: string;
  readonly baseUrlByProtocol: Readonly<Partial<Record<ProtocolId, string>>>;
  readonly paths: Readonly<Partial<Record<ProtocolId, PathTemplates>>>;
  readonly auth: ProviderAuth;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly forwardHeaders: readonly string[];
  readonly keyRequired: boolean;
  readonly local: boolean;
  readonly envName: string;
  readonly models: {
    readonly static: readonly ModelInfo[];
    readonly discovery: Required<ModelDiscoveryDeclaration> | undefined;
  };
  readonly capabilities: Readonly<ModelCapabilities>;
  readonly capabilityRules: readonly CapabilityRule[];
  readonly hooks: Readonly<ProviderHooks>;
  readonly transport?: ProviderTransport;
  readonly docsUrl?: string;
  /** Streams are served through a non-streaming upstream call by default (see the declaration). */
  readonly streamViaNonStream?: boolean;
  /** Declared default adapters (empty when none). */
  readonly adapters: readonly ProviderAdapterReference[];
  /** Declared field-cache rules (empty when none). */
  readonly fieldCache: readonly FieldCacheRuleDeclaration[];
}
