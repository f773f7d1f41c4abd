import { untagReasoningArtefact, type GatewayErrorCode, type ProtocolId, type StreamEvent, type UnifiedFinishReason, type Usage } from "../../src/unified/index.js";

/**
 * What a stream *says*, independent of how it was framed: the content every conformance check compares. Built
 * either from unified events (`reassembleStreamEvents`) or independently from a raw recording
 * (`reassemble-<protocol>-recording.ts`), so that a decoder is checked against the wire, not against itself.
 */
export interface StreamContent {
  /** All visible text, in order. Block boundaries are not compared: protocols split text differently. */
  text: string;
  /** Refusal text (non-streaming responses only; the stream algebra has no refusal event). */
  refusalText: string;
  /** All reasoning text (thinking, thoughts, reasoning_content, summaries), in order. */
  reasoningText: string;
  /** Opaque reasoning artefacts in order, each prefixed with its slot: `signature:`, `redacted:`, `encrypted:`. */
  artefacts: string[];
  toolCalls: ToolCallContent[];
  /** Provider-native items (web search calls and results, …). */
  nativeItems: number;
  usage?: UsageContent;
  ending: StreamEnding;
}

/** One tool call as the model made it. */
export interface ToolCallContent {
  /** null when the recording gives no id (Gemini without `functionCall.id`): any deterministic id is accepted. */
  id: string | null;
  name: string;
  /**
   * Parsed JSON arguments, or `{ unparsedArguments }` when the text is not JSON (e.g. `""`); a custom (freeform)
   * tool's raw input as `{ customInput }`.
   */
  arguments: unknown;
  /** Gemini `thoughtSignature` bound to the call. */
  signature?: string;
}

/** Usage without the raw provider object. */
export type UsageContent = Omit<Usage, "raw">;

/** How a stream ended. `raw` is null where the protocol has no native finish value (Responses). */
export type StreamEnding =
  | { kind: "finish"; unified: UnifiedFinishReason; raw: string | null }
  | { kind: "error"; code: GatewayErrorCode }
  | { kind: "none" };

/** Tool-call arguments as comparable data: parsed JSON when it parses, the text otherwise. */
export function parseToolArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { unparsedArguments: text };
  }
}

/** Usage without `raw`, for comparison. */
export function usageContent(usage: Usage): UsageContent {
  return {
    inputTokens: usage.inputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    outputTokens: usage.outputTokens,
    reasoningTokens: usage.reasoningTokens,
    totalTokens: usage.totalTokens,
  };
}

/** Reassembles the content of a unified event sequence (the output of any stream decoder). */
export function reassembleStreamEvents(events: readonly StreamEvent[]): StreamContent {
  let text = "";
  let reasoningText = "";
  const artefacts: string[] = [];
  const toolCalls = new Map<number, { id: string; name: string; text: string; custom: boolean; signature?: string }>();
  const toolCallOrder: number[] = [];
  let nativeItems = 0;
  let usage: Usage | undefined;
  let ending: StreamEnding = { kind: "none" };
  for (const event of events) {
    switch (event.type) {
      case "text-delta":
        text += event.text;
        break;
      case "reasoning-start":
        if (event.redactedData !== undefined) artefacts.push(`redacted:${event.redactedData}`);
        break;
      case "reasoning-delta":
        reasoningText += event.text;
        break;
      case "reasoning-signature":
        artefacts.push(`signature:${event.signature}`);
        break;
      case "reasoning-end":
        if (event.redactedData !== undefined) artefacts.push(`redacted:${event.redactedData}`);
        if (event.encryptedContent !== undefined) artefacts.push(`encrypted:${event.encryptedContent}`);
        break;
      case "tool-call-start":
        toolCalls.set(event.index, {
          id: event.id,
          name: event.name,
          text: "",
          custom: event.kind === "custom",
          ...(event.signature === undefined ? {} : { signature: event.signature }),
        });
        toolCallOrder.push(event.index);
        break;
      case "tool-call-delta": {
        const call = toolCalls.get(event.index);
        if (call !== undefined) call.text += event.argumentsDelta;
        break;
      }
      case "native-item":
        nativeItems += 1;
        break;
      case "usage":
        usage = event.usage;
        break;
      case "finish":
        if (event.usage !== undefined) usage = event.usage;
        ending = { kind: "finish", unified: event.finishReason.unified, raw: event.finishReason.raw };
        break;
      case "error":
        ending = { kind: "error", code: event.error.code };
        break;
      case "start":
      case "text-start":
      case "text-end":
      case "tool-call-end":
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown stream event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return {
    text,
    refusalText: "",
    reasoningText,
    artefacts,
    toolCalls: toolCallOrder.flatMap((index) => {
      const call = toolCalls.get(index);
      if (call === undefined) return [];
      return [
        {
          id: call.id,
          name: call.name,
          arguments: call.custom ? { customInput: call.text } : parseToolArguments(call.text),
          ...(call.signature === undefined ? {} : { signature: call.signature }),
        },
      ];
    }),
    nativeItems,
    ...(usage === undefined ? {} : { usage: usageContent(usage) }),
    ending,
  };
}

/**
 * Removes a Switchyard origin tag (`swy1.<protocol>.[<kind>[@<id>]:]`) from an artefact, keeping its slot prefix and
 * the kind the tag named (as `<kind>:`), without the item id.
 */
export function untagArtefact(artefact: string): string {
  const slot = /^[a-z]+:/.exec(artefact)?.[0] ?? "";
  const value = artefact.slice(slot.length);
  const untagged = untagReasoningArtefact(value, "openai-chat");
  if (untagged.artefact === value) return artefact;
  return `${slot}${untagged.kind === undefined ? "" : `${untagged.kind}:`}${untagged.artefact}`;
}

/** The artefact payloads without slot prefixes or origin tags (slot-agnostic, for cross-protocol checks). */
export function artefactPayloads(artefacts: readonly string[]): string[] {
  return artefacts.map((artefact) => untagArtefact(artefact).replace(/^[a-z]+:/, ""));
}

/**
 * A usage of all zeros where the other side has none: some wire formats require a usage object on their opening
 * event (Anthropic `message_start`), so an encoder must write zeros that a decoder reads back.
 */
export function withoutEmptyUsage(content: StreamContent, reference: StreamContent): StreamContent {
  if (reference.usage !== undefined || content.usage === undefined) return content;
  const { usage, ...rest } = content;
  const empty = Object.values(usage).every((count) => count === 0);
  return empty ? rest : content;
}

/** One reasoning artefact of a unified stream with the origin the stream gives it. */
export interface StreamArtefactOrigin {
  /** Slot-prefixed, as in `StreamContent.artefacts`. */
  artefact: string;
  /** undefined when no event names one. */
  origin: ProtocolId | undefined;
}

/**
 * The origin of every reasoning artefact in a unified stream, by the rule of stream-event.ts: the `origin` of the
 * event carrying it, else the `origin` of its block's reasoning-start.
 */
export function streamArtefactOrigins(events: readonly StreamEvent[]): StreamArtefactOrigin[] {
  const blockOrigins = new Map<number, ProtocolId | undefined>();
  const found: StreamArtefactOrigin[] = [];
  for (const event of events) {
    if (event.type === "reasoning-start") {
      blockOrigins.set(event.index, event.origin?.protocol);
      if (event.redactedData !== undefined) found.push({ artefact: `redacted:${event.redactedData}`, origin: event.origin?.protocol });
    } else if (event.type === "reasoning-signature") {
      found.push({ artefact: `signature:${event.signature}`, origin: event.origin?.protocol ?? blockOrigins.get(event.index) });
    } else if (event.type === "reasoning-end") {
      const origin = event.origin?.protocol ?? blockOrigins.get(event.index);
      if (event.redactedData !== undefined) found.push({ artefact: `redacted:${event.redactedData}`, origin });
      if (event.encryptedContent !== undefined) found.push({ artefact: `encrypted:${event.encryptedContent}`, origin });
    }
  }
  return found;
}

/**
 * Artefacts that came back from another protocol with an origin other than the one they left with (compared by
 * payload, slot-agnostic): each must still be known as its source's, so that it is replayed there only.
 */
export function artefactOriginProblems(before: readonly StreamArtefactOrigin[], after: readonly StreamArtefactOrigin[]): string[] {
  const wanted = new Map<string, ProtocolId | undefined>();
  for (const entry of before) wanted.set(artefactPayloads([entry.artefact])[0] ?? "", entry.origin);
  const problems: string[] = [];
  for (const entry of after) {
    const payload = artefactPayloads([entry.artefact])[0] ?? "";
    if (!wanted.has(payload)) continue;
    const origin = wanted.get(payload);
    if (entry.origin !== origin) problems.push(`${entry.artefact.slice(0, 32)}… came back with origin ${String(entry.origin)}, expected ${String(origin)}`);
  }
  return problems;
}
