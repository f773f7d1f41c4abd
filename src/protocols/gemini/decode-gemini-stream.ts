import {
  deriveToolCallId,
  sameUsageCounts,
  splitToolCallId,
  type ReasoningOrigin,
  type SseMessage,
  type StreamDecoder,
  type StreamEvent,
  type Usage,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, parseWireJson, type WireObject } from "../common/index.js";
import { convertGeminiUsage, hasGeminiTokenCounts } from "./convert-gemini-usage.js";
import { decodeGeminiReasoningArtefact } from "./decode-gemini-parts.js";
import { decodeGeminiErrorBody } from "./map-gemini-error-status.js";
import { mapGeminiBlockReason, mapGeminiFinishReason } from "./map-gemini-finish-reason.js";
import { geminiProtocol } from "./types.js";

interface OpenBlock {
  kind: "text" | "reasoning";
  index: number;
  signed: boolean;
  /** A reasoning block's origin, as its reasoning-start gave it. */
  origin?: ReasoningOrigin;
}

/** A Vertex function call whose arguments arrive in pieces (`partialArgs`, `willContinue`). */
interface PartialCall {
  index: number;
  args: WireObject;
}

/**
 * Gemini streamGenerateContent?alt=sse → unified events. Every SSE data is a whole GenerateContentResponse chunk
 * (no event names, CRLF separators, no [DONE]). Gemini has no block start/stop, so blocks are synthesized:
 * consecutive text parts form one text block, consecutive thought parts one reasoning block, a thoughtSignature on
 * a text part a signature-only reasoning block before it (as in decodeGeminiResponse), and each functionCall its
 * own tool-call block. Vertex can stream one call's arguments over several chunks (functionCall.partialArgs with
 * JSON paths, willContinue, then an empty functionCall); they are assembled and sent as one arguments delta.
 * usageMetadata is cumulative per chunk (and may go down on the last one): the latest chunk's values stand, never a
 * sum. The chunk carrying finishReason ends the stream. A thoughtSignature is read with decodeGeminiReasoningArtefact:
 * a foreign artefact a Gemini-facing encoder tagged comes back untagged with its origin (reasoning-start carries
 * the origin of the artefact that opens the block, else Gemini's; a later one of another origin carries its own),
 * and tagged redacted or encrypted data closes its block on reasoning-end, as does a bare origin tag of another
 * origin (unsigned thought text), which sets no artefact and names the block's origin on that reasoning-end.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/function-calling#streaming-fc
 */
export function createGeminiStreamDecoder(): StreamDecoder {
  const warnings: UnifiedWarning[] = [];
  let started = false;
  let terminated = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  let partial: PartialCall | undefined;
  let callPosition = 0;
  let sawToolCall = false;
  let responseId = "";
  let usage: Usage | undefined;
  let warnedCandidates = false;

  const start = (chunk: WireObject | undefined, events: StreamEvent[]): void => {
    if (started) return;
    started = true;
    const event: StreamEvent & { type: "start" } = { type: "start" };
    if (chunk !== undefined) {
      if (typeof chunk["responseId"] === "string") event.id = responseId = chunk["responseId"];
      if (typeof chunk["modelVersion"] === "string") event.model = chunk["modelVersion"];
      const created = typeof chunk["createTime"] === "string" ? Date.parse(chunk["createTime"]) : Number.NaN;
      if (Number.isFinite(created)) event.created = Math.floor(created / 1000);
    }
    events.push(event);
  };

  const closeOpen = (events: StreamEvent[]): void => {
    if (open !== undefined) {
      events.push({ type: open.kind === "text" ? "text-end" : "reasoning-end", index: open.index });
      open = undefined;
    }
  };

  const finishPartial = (events: StreamEvent[]): void => {
    if (partial === undefined) return;
    events.push({ type: "tool-call-delta", index: partial.index, argumentsDelta: JSON.stringify(partial.args) });
    events.push({ type: "tool-call-end", index: partial.index });
    partial = undefined;
  };

  const closeAll = (events: StreamEvent[]): void => {
    closeOpen(events);
    finishPartial(events);
  };

  const openBlock = (kind: OpenBlock["kind"], events: StreamEvent[], artefact?: GeminiArtefact): OpenBlock => {
    closeAll(events);
    open = { kind, index: nextIndex++, signed: false };
    if (kind === "text") {
      events.push({ type: "text-start", index: open.index });
      return open;
    }
    // A thought part can carry a signature, so every reasoning block says where its artefacts come from.
    const origin = artefact?.origin ?? { protocol: geminiProtocol };
    open.origin = origin;
    const start: StreamEvent & { type: "reasoning-start" } = { type: "reasoning-start", index: open.index, origin };
    // A tag's item id (reasoning-signature.ts) can go out only with the block's start: known when a tag opens it.
    if (artefact?.id !== undefined) start.id = artefact.id;
    if (artefact?.redactedData !== undefined) {
      start.redactedData = artefact.redactedData;
      open.signed = true;
    }
    events.push(start);
    return open;
  };

  /** Emits a thought signature's artefact on its block (a signature at once; redacted or encrypted data closes it). */
  const emitArtefact = (block: OpenBlock, artefact: GeminiArtefact, events: StreamEvent[]): void => {
    const origin = artefact.origin !== undefined && artefact.origin.protocol !== block.origin?.protocol ? artefact.origin : undefined;
    if (artefact.signature !== undefined) {
      const event: StreamEvent & { type: "reasoning-signature" } = { type: "reasoning-signature", index: block.index, signature: artefact.signature };
      if (origin !== undefined) event.origin = origin;
      events.push(event);
      block.signed = true;
      return;
    }
    if (artefact.redactedData === undefined && artefact.encryptedContent === undefined) {
      // A bare origin tag (a Gemini-facing encoder's mark at the end of unsigned thought text of another origin)
      // sets no artefact; when it differs from the block's origin, it ends the block naming it (stream-event.ts).
      if (origin === undefined) return;
      events.push({ type: "reasoning-end", index: block.index, origin });
      if (open === block) open = undefined;
      return;
    }
    const end: StreamEvent & { type: "reasoning-end" } = { type: "reasoning-end", index: block.index };
    // Redacted data that opened the block went on its reasoning-start already.
    if (artefact.redactedData !== undefined && !block.signed) end.redactedData = artefact.redactedData;
    if (artefact.encryptedContent !== undefined) end.encryptedContent = artefact.encryptedContent;
    if (origin !== undefined && (end.redactedData !== undefined || end.encryptedContent !== undefined)) end.origin = origin;
    events.push(end);
    if (open === block) open = undefined;
  };

  const fail = (events: StreamEvent[], error: StreamEvent & { type: "error" }): StreamEvent[] => {
    closeAll(events);
    terminated = true;
    events.push(error);
    return events;
  };

  const decodeTextPart = (part: WireObject, text: string, events: StreamEvent[]): void => {
    const signature = typeof part["thoughtSignature"] === "string" ? part["thoughtSignature"] : undefined;
    const artefact = signature === undefined ? undefined : decodeGeminiReasoningArtefact(signature);
    const bare = artefact !== undefined && artefact.signature === undefined && artefact.redactedData === undefined && artefact.encryptedContent === undefined;
    const reusable = open?.kind === "reasoning" && !open.signed ? open : undefined;
    // A bare origin tag means something only for thought text: with the text or the open block it ends.
    if (bare && text === "" && (part["thought"] !== true || reusable === undefined)) return;
    if (part["thought"] === true) {
      const block = reusable ?? openBlock("reasoning", events, artefact);
      if (text !== "") events.push({ type: "reasoning-delta", index: block.index, text });
      if (artefact !== undefined) emitArtefact(block, artefact, events);
      return;
    }
    if (artefact !== undefined && !bare) {
      emitArtefact(openBlock("reasoning", events, artefact), artefact, events);
      closeOpen(events);
    }
    if (text === "") return;
    const block = open?.kind === "text" ? open : openBlock("text", events);
    events.push({ type: "text-delta", index: block.index, text });
  };

  const decodeFunctionCall = (part: WireObject, call: WireObject, events: StreamEvent[]): void => {
    if (partial !== undefined && typeof call["name"] !== "string") {
      applyPartialArgs(partial.args, call["partialArgs"]);
      if (call["willContinue"] !== true) finishPartial(events);
      return;
    }
    // A nameless call outside a streamed one (a stray terminator) opens nothing.
    if (typeof call["name"] !== "string") return;
    closeAll(events);
    const name = call["name"];
    const streamed = call["willContinue"] === true;
    const args = isWireObject(call["args"]) ? call["args"] : {};
    const argumentsText = streamed ? "" : JSON.stringify(args);
    let id: string;
    let signature = typeof part["thoughtSignature"] === "string" ? part["thoughtSignature"] : undefined;
    if (typeof call["id"] === "string") {
      const split = splitToolCallId(call["id"]);
      id = split.id;
      signature ??= split.signature;
    } else {
      // Same derivation as decodeGeminiResponse; streamed arguments are not known yet, so they are left out.
      id = deriveToolCallId("call", responseId, name, argumentsText, callPosition);
    }
    callPosition += 1;
    sawToolCall = true;
    const index = nextIndex++;
    const startEvent: StreamEvent & { type: "tool-call-start" } = { type: "tool-call-start", index, id, name, kind: "function" };
    if (signature !== undefined) startEvent.signature = signature;
    events.push(startEvent);
    if (streamed) {
      partial = { index, args: { ...args } };
      applyPartialArgs(partial.args, call["partialArgs"]);
      return;
    }
    events.push({ type: "tool-call-delta", index, argumentsDelta: argumentsText });
    events.push({ type: "tool-call-end", index });
  };

  const decodePart = (part: unknown, events: StreamEvent[]): void => {
    if (!isWireObject(part)) return;
    if (typeof part["text"] === "string") {
      decodeTextPart(part, part["text"], events);
      return;
    }
    if (isWireObject(part["functionCall"])) {
      decodeFunctionCall(part, part["functionCall"], events);
      return;
    }
    // Generated media, executableCode, codeExecutionResult and unknown parts: carried verbatim.
    closeAll(events);
    events.push({ type: "native-item", index: nextIndex++, part: { type: "native", protocol: geminiProtocol, value: part } });
  };

  const decodeChunk = (chunk: WireObject, events: StreamEvent[]): void => {
    const candidates = Array.isArray(chunk["candidates"]) ? chunk["candidates"] : [];
    const candidate = candidates.find((item) => isWireObject(item) && (item["index"] ?? 0) === 0);
    if (candidates.length > 1 && !warnedCandidates) {
      warnedCandidates = true;
      warnings.push({ code: "extra-candidates-dropped", message: "only the first candidate of the stream is translated" });
    }
    if (isWireObject(candidate) && isWireObject(candidate["content"]) && Array.isArray(candidate["content"]["parts"])) {
      for (const part of candidate["content"]["parts"]) decodePart(part, events);
    }
    const next = hasGeminiTokenCounts(chunk["usageMetadata"]) ? convertGeminiUsage(chunk["usageMetadata"]) : undefined;
    if (next !== undefined) {
      if (usage === undefined || !sameUsageCounts(usage, next)) events.push({ type: "usage", usage: next });
      usage = next;
    }
    const finishReason = isWireObject(candidate) ? candidate["finishReason"] : undefined;
    const feedback = chunk["promptFeedback"];
    if (typeof finishReason === "string") {
      closeAll(events);
      terminated = true;
      events.push(withUsage({ type: "finish", finishReason: mapGeminiFinishReason(finishReason, sawToolCall) }, usage));
    } else if (candidate === undefined && isWireObject(feedback) && typeof feedback["blockReason"] === "string") {
      closeAll(events);
      terminated = true;
      events.push(withUsage({ type: "finish", finishReason: mapGeminiBlockReason(feedback["blockReason"]) }, usage));
    }
  };

  return {
    warnings,
    push(message: SseMessage): StreamEvent[] {
      if (terminated) return [];
      const data = message.data.trim();
      if (data === "" || data === "[DONE]") return [];
      const events: StreamEvent[] = [];
      const chunk = parseWireJson(data);
      if (!isWireObject(chunk)) {
        start(undefined, events);
        return fail(events, { type: "error", error: { code: "upstream_server", message: "malformed JSON in the Gemini stream", httpStatus: 502 } });
      }
      start(chunk, events);
      const upstreamError = decodeGeminiErrorBody(chunk);
      if (upstreamError !== undefined) return fail(events, { type: "error", error: upstreamError });
      decodeChunk(chunk, events);
      return events;
    },
    end(): StreamEvent[] {
      if (terminated) return [];
      const events: StreamEvent[] = [];
      start(undefined, events);
      return fail(events, {
        type: "error",
        error: { code: "upstream_server", message: "the Gemini stream ended without a finishReason", httpStatus: 502 },
      });
    },
  };
}

type GeminiArtefact = ReturnType<typeof decodeGeminiReasoningArtefact>;

function withUsage(event: StreamEvent & { type: "finish" }, usage: Usage | undefined): StreamEvent {
  if (usage !== undefined) event.usage = usage;
  return event;
}

/**
 * Applies Vertex `partialArgs` to the arguments being assembled: each names a JSON path (RFC 9535, e.g.
 * `$.location`, `$.items[0].name`) and a string, number, boolean or null value; a string continues the string
 * already at that path (the previous piece said willContinue).
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Content#PartialArg
 */
function applyPartialArgs(args: WireObject, partialArgs: unknown): void {
  if (!Array.isArray(partialArgs)) return;
  for (const piece of partialArgs) {
    if (!isWireObject(piece) || typeof piece["jsonPath"] !== "string") continue;
    const segments = parseJsonPath(piece["jsonPath"]);
    // Upstream data never names prototype keys legitimately; refusing them keeps the object plain.
    if (segments === undefined || segments.length === 0 || segments.some((segment) => unsafeKeys.has(String(segment)))) continue;
    let value: unknown;
    if (typeof piece["stringValue"] === "string") value = piece["stringValue"];
    else if (typeof piece["numberValue"] === "number") value = piece["numberValue"];
    else if (typeof piece["boolValue"] === "boolean") value = piece["boolValue"];
    else if (piece["nullValue"] !== undefined) value = null;
    else continue;
    setAtPath(args, segments, value);
  }
}

const unsafeKeys = new Set(["__proto__", "constructor", "prototype"]);

function parseJsonPath(path: string): Array<string | number> | undefined {
  if (!path.startsWith("$")) return undefined;
  const segments: Array<string | number> = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (match === null) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? "").replace(/\\(.)/g, "$1"));
  }
  return segments;
}

function setAtPath(root: WireObject, segments: Array<string | number>, value: unknown): void {
  let container: Record<string | number, unknown> = root;
  for (let at = 0; at < segments.length - 1; at += 1) {
    const key = segments[at] as string | number;
    let child = container[key];
    if (typeof child !== "object" || child === null) {
      child = typeof segments[at + 1] === "number" ? [] : {};
      container[key] = child;
    }
    container = child as Record<string | number, unknown>;
  }
  const last = segments[segments.length - 1] as string | number;
  const existing = container[last];
  container[last] = typeof existing === "string" && typeof value === "string" ? existing + value : value;
}
