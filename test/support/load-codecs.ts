import { protocolIds, type ProtocolCodec, type ProtocolId } from "../../src/unified/index.js";

/**
 * The codecs as far as they exist. The registry (`src/protocols/index.ts`) imports all four, so while one is
 * missing it cannot load; each codec folder is then imported alone, so the others can still be tested.
 */
export interface LoadedCodecs {
  codecs: Map<ProtocolId, ProtocolCodec>;
  /** Why a protocol has no codec (import failure or no export with the codec's shape). */
  missing: Map<ProtocolId, string>;
}

/** Loads every codec that can be loaded. */
export async function loadCodecs(): Promise<LoadedCodecs> {
  const codecs = new Map<ProtocolId, ProtocolCodec>();
  const missing = new Map<ProtocolId, string>();
  try {
    const registry = (await import("../../src/protocols/index.js")) as { getCodec: (name: string) => ProtocolCodec };
    for (const protocol of protocolIds) codecs.set(protocol, registry.getCodec(protocol));
    return { codecs, missing };
  } catch {
    // Fall through to per-folder loading.
  }
  for (const protocol of protocolIds) {
    try {
      const module: unknown = await codecImporters[protocol]();
      const codec = Object.values(module as Record<string, unknown>).find((value) => isCodecFor(value, protocol));
      if (codec === undefined) missing.set(protocol, `src/protocols/${protocol}/index.ts exports no codec with protocol "${protocol}"`);
      else codecs.set(protocol, codec);
    } catch (error) {
      missing.set(protocol, `src/protocols/${protocol}/index.ts does not load: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  return { codecs, missing };
}

/** Literal specifiers, so that the bundler-aware test runner can resolve each folder on its own. */
const codecImporters: Record<ProtocolId, () => Promise<unknown>> = {
  "openai-chat": () => import("../../src/protocols/openai-chat/index.js"),
  "openai-responses": () => import("../../src/protocols/openai-responses/index.js"),
  "anthropic-messages": () => import("../../src/protocols/anthropic-messages/index.js"),
  gemini: () => import("../../src/protocols/gemini/index.js"),
};

const codecMembers = ["decodeRequest", "encodeRequest", "decodeResponse", "encodeResponse", "createStreamDecoder", "createStreamEncoder", "encodeError"] as const;

function isCodecFor(value: unknown, protocol: ProtocolId): value is ProtocolCodec {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return record["protocol"] === protocol && codecMembers.every((member) => typeof record[member] === "function");
}
