import type { RecordedProviderRequest } from "../observability/index.js";
import { getCodec } from "../protocols/index.js";
import type { ConfiguredProvider, ProviderOperation, ProviderRegistry, UpstreamRequestInput } from "../providers/index.js";
import { GatewayError, isProtocolId, type ProtocolId } from "../unified/index.js";

/** What `switchyard replay` will send, and what the reader should know about it. */
export interface ReplayPlan {
  input: UpstreamRequestInput & { provider: ConfiguredProvider; protocol: ProtocolId };
  recordedProtocol: ProtocolId;
  /** Translation losses and redacted values sent as `[redacted]`, one line each. */
  notes: string[];
}

const operations: readonly ProviderOperation[] = ["generate", "count-tokens", "embed", "list-models"];

/**
 * Plans the replay of one recorded provider request: the target (`provider/model`, `provider` alone keeps the
 * recorded model; default the recorded provider and model), the body in the target's protocol (the recorded one with
 * the model swapped, or translated through the codecs), and the recorded client headers the target forwards (betas).
 * Credentials come from the current configuration; the recording's were redacted.
 */
export function planReplayRequest(recorded: RecordedProviderRequest, registry: ProviderRegistry, target: string | undefined): ReplayPlan {
  const notes: string[] = [];
  const recordedProtocol = readRecordedProtocol(recorded, registry);
  const recordedModel = readRecordedModel(recorded);
  const slash = target?.indexOf("/") ?? -1;
  const providerId = target === undefined ? recorded.provider : slash < 0 ? target : target.slice(0, slash);
  const model = target === undefined || slash < 0 ? recordedModel : target.slice(slash + 1);
  if (model === "") throw new GatewayError("invalid_request", `--target ${target ?? ""}: the model after "/" is empty`);
  const provider = registry.get(providerId);
  if (provider === undefined) {
    const reason = registry.inactiveReason(providerId);
    throw new GatewayError("config", `provider "${providerId}" is ${reason === undefined ? "not a known provider" : `not active here (${reason})`}`);
  }
  const operation = readOperation(recorded);
  const stream = recorded.stream ?? (isObject(recorded.body) && recorded.body["stream"] === true ? true : /stream/i.test(recorded.url ?? ""));
  // A target that also speaks the recorded protocol gets the recorded body as is: no translation, nothing lost.
  const protocol = provider.protocols.includes(recordedProtocol) ? recordedProtocol : provider.protocol;

  let body: UpstreamRequestInput["body"];
  if (protocol === recordedProtocol) {
    // Gemini carries the model in its URL; the others in the body, where the target's model replaces the recorded one.
    body = typeof recorded.body === "string" || protocol === "gemini" || !isObject(recorded.body) ? bodyAsSent(recorded.body) : { ...recorded.body, model };
  } else {
    if (operation !== "generate") throw new GatewayError("unsupported_feature", `a ${operation} request cannot be translated from ${recordedProtocol} to ${protocol}; pick a ${recordedProtocol} target`);
    if (!isObject(recorded.body)) throw new GatewayError("invalid_request", "the recorded body is not JSON, so it cannot be translated to another protocol");
    const decoded = getCodec(recordedProtocol).decodeRequest(recorded.body);
    const encoded = getCodec(protocol).encodeRequest({ ...decoded.value, model, stream });
    for (const warning of [...decoded.warnings, ...encoded.warnings]) notes.push(`translation: ${warning.message}${warning.path === undefined ? "" : ` (${warning.path})`}`);
    body = encoded.value;
  }
  for (const path of findRedactedPaths(recorded.body, "body")) notes.push(`the recording redacted ${path}; it is sent as "[redacted]"`);

  // Recorded client headers the target forwards (its allow-list applies when the request is built); never redacted ones.
  const clientHeaders = Object.fromEntries(Object.entries(recorded.headers).filter(([, value]) => !value.includes("[redacted]")));
  return { input: { provider, protocol, model, operation, stream, body, clientHeaders }, recordedProtocol, notes };
}

function readRecordedProtocol(recorded: RecordedProviderRequest, registry: ProviderRegistry): ProtocolId {
  if (recorded.protocol !== undefined) {
    if (isProtocolId(recorded.protocol)) return recorded.protocol;
    throw new GatewayError("invalid_request", `the recording names an unknown protocol "${recorded.protocol}"`);
  }
  const provider = registry.get(recorded.provider);
  if (provider !== undefined) return provider.protocol;
  throw new GatewayError("invalid_request", `the recording does not say its protocol and provider "${recorded.provider}" is not configured here`);
}

/** The recorded model: its own field, else the body's `model`, else Gemini's `/models/<id>:` in the URL. */
function readRecordedModel(recorded: RecordedProviderRequest): string {
  if (recorded.model !== undefined) return recorded.model;
  if (isObject(recorded.body) && typeof recorded.body["model"] === "string") return recorded.body["model"];
  const fromUrl = /\/models\/([^/:?]+)/.exec(recorded.url ?? "")?.[1];
  if (fromUrl !== undefined) return decodeURIComponent(fromUrl);
  throw new GatewayError("invalid_request", "the recording does not say which model it asked for; give --target provider/model");
}

function readOperation(recorded: RecordedProviderRequest): ProviderOperation {
  const operation = operations.find((known) => known === (recorded.operation ?? "generate"));
  if (operation === undefined) throw new GatewayError("invalid_request", `the recording names an unknown operation "${recorded.operation ?? ""}"`);
  return operation;
}

function bodyAsSent(body: unknown): UpstreamRequestInput["body"] {
  if (typeof body === "string") return body;
  if (isObject(body)) return body;
  return body === undefined ? undefined : JSON.stringify(body);
}

/** JSON paths whose recorded value is the redaction marker: the replay cannot know what was there. */
function findRedactedPaths(value: unknown, path: string): string[] {
  if (value === "[redacted]") return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => findRedactedPaths(item, `${path}[${index}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => findRedactedPaths(item, `${path}.${key}`));
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
