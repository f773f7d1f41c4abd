import { GatewayError, type ProtocolId } from "../unified/index.js";
import type { Credential } from "./create-credential.js";
import type { ConfiguredProvider } from "./create-provider-registry.js";
import type { ProviderOperation, UpstreamRequest } from "./provider-declaration.js";
import { resolveOperationPath } from "./resolve-operation-path.js";

/** Incoming client headers as Node and Fastify give them. */
export type ClientHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Everything one upstream call needs. */
export interface UpstreamRequestInput {
  provider: ConfiguredProvider;
  /** Default: the provider's first credential. */
  credential?: Credential;
  /** Default: the provider's configured protocol. */
  protocol?: ProtocolId;
  /** The upstream model id (routing already stripped any `provider/` prefix). */
  model: string;
  operation: ProviderOperation;
  stream?: boolean;
  /**
   * The wire body: an object encoded by a codec (serialized here), or a raw string on the passthrough path, sent as is
   * (the caller already changed the routed fields). Absent for GET.
   */
  body?: Readonly<Record<string, unknown>> | string;
  /** Client headers; only the provider's `forwardHeaders` allow-list is forwarded. */
  clientHeaders?: ClientHeaders;
  /** Extra query parameters (e.g. model-list pagination). */
  query?: Readonly<Record<string, string>>;
}

const userAgent = "switchyard/0.1";

/**
 * Builds the provider request: URL from base URL + path template (or the `resolveUrl` hook), static headers,
 * forwarded client headers, then auth (last, so nothing a client sends can replace the gateway's credential).
 * The `adjustRequest` hook runs on object bodies; on a raw passthrough string it forces one parse and re-serialize,
 * which only providers that declare the hook pay for.
 */
export function buildUpstreamRequest(input: UpstreamRequestInput): UpstreamRequest {
  const { provider, model, operation } = input;
  const protocol = input.protocol ?? provider.protocol;
  const stream = input.stream ?? false;
  const credential = input.credential ?? provider.credentials[0];
  const baseUrl = provider.baseUrls[protocol];
  if (baseUrl === undefined) {
    throw new GatewayError("unsupported_feature", `${provider.id} is not configured for the ${protocol} protocol`, { provider: provider.id });
  }
  const { hooks } = provider.definition;
  const path = resolveOperationPath({ providerId: provider.id, protocol, operation, model, stream, overrides: provider.definition.paths[protocol] });
  // The hooks' call context, only for providers that declare a hook.
  const context = hooks.resolveUrl === undefined && hooks.adjustRequest === undefined ? undefined : { providerId: provider.id, protocol, model, operation, stream };
  const target = hooks.resolveUrl === undefined || context === undefined ? `${baseUrl}${path}` : hooks.resolveUrl({ ...context, baseUrl, path });
  const authenticated = credential !== undefined && !credential.keyless;
  // Only query parameters need a URL object; every other request reuses the normalized text of its URL.
  const url = input.query !== undefined || (authenticated && provider.definition.auth.type === "query") ? new URL(target) : undefined;
  if (url !== undefined) for (const [name, value] of Object.entries(input.query ?? {})) url.searchParams.set(name, value);

  const method = operation === "list-models" ? "GET" : "POST";
  const secret = authenticated ? credential.secret : undefined;
  const forwarded = input.clientHeaders === undefined ? undefined : findForwardedHeaders(provider, input.clientHeaders);
  const headers = forwarded === undefined ? sharedHeaders(provider, credential, secret, method, stream) : composeHeaders(provider, secret, method, stream, forwarded);
  if (secret !== undefined && provider.definition.auth.type === "query") {
    if (url === undefined) throw new GatewayError("internal", `${provider.id}: a query credential needs the parsed URL`);
    url.searchParams.set(provider.definition.auth.param, secret);
  }

  const request: UpstreamRequest = { url: url === undefined ? normalizeUrl(target) : url.toString(), method, headers, providerId: provider.id };
  if (credential !== undefined) request.credentialId = credential.id;
  if (provider.definition.transport !== undefined) request.transport = provider.definition.transport;
  if (method === "POST") request.body = serializeBody(input.body, hooks.adjustRequest === undefined || context === undefined ? undefined : (body) => hooks.adjustRequest?.(body, context) ?? body);
  return request;
}

/**
 * The client headers a provider wants forwarded (its `forwardHeaders` allow-list, e.g. `anthropic-beta`), lower-case,
 * multi-valued headers joined with ", ". For the passthrough path, which sends the client's betas unchanged.
 */
export function selectForwardedHeaders(provider: ConfiguredProvider, clientHeaders: ClientHeaders): Record<string, string> {
  return findForwardedHeaders(provider, clientHeaders) ?? {};
}

/**
 * `selectForwardedHeaders`, undefined when nothing is forwarded (then the request can share its headers object).
 * Client names are matched case-insensitively; when two spellings of one name are present the later one counts.
 */
function findForwardedHeaders(provider: ConfiguredProvider, clientHeaders: ClientHeaders): Record<string, string> | undefined {
  const names = provider.definition.forwardHeaders;
  if (names.length === 0) return undefined;
  let found: Record<string, string | readonly string[] | undefined> | undefined;
  for (const name in clientHeaders) {
    // Node and Fastify give lower-case names, for which toLowerCase returns the same string without copying.
    const lower = name.toLowerCase();
    if (names.includes(lower)) (found ??= {})[lower] = clientHeaders[name];
  }
  if (found === undefined) return undefined;
  let forwarded: Record<string, string> | undefined;
  for (const name of names) {
    const value = found[name];
    if (value !== undefined) (forwarded ??= {})[name] = typeof value === "string" ? value : value.join(", ");
  }
  return forwarded;
}

/**
 * The headers of a request that forwards no client header: built once per provider, credential, method and accept,
 * and shared by every such request (nothing writes to a request's headers after it is built).
 */
const sharedHeaderSets = new WeakMap<ConfiguredProvider, WeakMap<object, Record<string, string>[]>>();

function sharedHeaders(provider: ConfiguredProvider, credential: Credential | undefined, secret: string | undefined, method: UpstreamRequest["method"], stream: boolean): Record<string, string> {
  let byCredential = sharedHeaderSets.get(provider);
  if (byCredential === undefined) sharedHeaderSets.set(provider, (byCredential = new WeakMap()));
  const owner: object = credential ?? provider;
  let slots = byCredential.get(owner);
  if (slots === undefined) byCredential.set(owner, (slots = []));
  const slot = (method === "POST" ? 2 : 0) + (stream ? 1 : 0);
  return (slots[slot] ??= composeHeaders(provider, secret, method, stream, undefined));
}

/** Static headers, then forwarded client headers, then auth (last, so nothing a client sends replaces it). */
function composeHeaders(provider: ConfiguredProvider, secret: string | undefined, method: UpstreamRequest["method"], stream: boolean, forwarded: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": userAgent, accept: stream ? "text/event-stream" : "application/json" };
  if (method === "POST") headers["content-type"] = "application/json";
  Object.assign(headers, provider.headers);
  if (forwarded !== undefined) Object.assign(headers, forwarded);
  if (secret !== undefined) applyAuthHeader(provider, secret, headers);
  return headers;
}

/** Normalized URL texts by the text they came from: a few per provider (Gemini's carry the model), bounded anyway. */
const normalizedUrls = new Map<string, string>();
const maxNormalizedUrls = 512;

/** What `new URL(text).toString()` gives (and throws), parsed once per distinct text instead of once per request. */
function normalizeUrl(text: string): string {
  const known = normalizedUrls.get(text);
  if (known !== undefined) return known;
  const normalized = new URL(text).toString();
  if (normalizedUrls.size >= maxNormalizedUrls) normalizedUrls.clear();
  normalizedUrls.set(text, normalized);
  return normalized;
}

/** Sets a header credential; a `query` credential goes into the URL instead (the caller sets it). */
function applyAuthHeader(provider: ConfiguredProvider, secret: string, headers: Record<string, string>): void {
  const { auth } = provider.definition;
  switch (auth.type) {
    case "bearer":
      headers.authorization = `Bearer ${secret}`;
      return;
    case "header":
      headers[auth.name] = secret;
      return;
    case "query":
    case "none":
      return;
    default: {
      const unreachable: never = auth;
      throw new GatewayError("internal", `unknown auth scheme ${JSON.stringify(unreachable)}`);
    }
  }
}

function serializeBody(
  body: UpstreamRequestInput["body"],
  adjust: ((body: Readonly<Record<string, unknown>>) => Record<string, unknown>) | undefined,
): string {
  if (body === undefined) return "{}";
  if (typeof body === "string") {
    if (adjust === undefined) return body;
    const parsed = parseObject(body);
    return parsed === undefined ? body : JSON.stringify(adjust(parsed));
  }
  return JSON.stringify(adjust === undefined ? body : adjust(body));
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
