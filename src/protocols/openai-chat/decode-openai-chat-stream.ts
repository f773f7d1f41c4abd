import {
  deriveToolCallId,
  splitToolCallId,
  untagReasoningArtefact,
  type Citation,
  type FinishReason,
  type ReasoningArtefactKind,
  type ReasoningOrigin,
  type SseMessage,
  type StreamDecoder,
  type StreamEvent,
  type ToolCallKind,
  type UnifiedWarning,
  type UntaggedReasoningArtefact,
  type Usage,
} from "../../unified/index.js";
import { isWireObject, parseWireJson, type WireObject } from "../common/index.js";
import { convertOpenAiChatUsageToUnified } from "./convert-openai-chat-usage.js";
import { decodeOpenAiChatError } from "./decode-openai-chat-error.js";
import { isRedactedFormat } from "./decode-openai-chat-reasoning-details.js";
import { decodeAnnotation } from "./decode-openai-chat-response.js";
import { mapOpenAiChatFinishReason } from "./map-openai-chat-finish-reason.js";
import { openAiChatProtocol } from "./types.js";

/** One streamed tool call, keyed by the wire index it arrives under. */
interface ToolCallState {
  rawId: string | undefined;
  name: string;
  kind: ToolCallKind;
  /** Unified block index once started (a call starts when its name is known). */
  block: number | undefined;
  /** Argument text that arrived before the name. */
  pending: string;
  open: boolean;
}

/** Chunk-level fields kept on the `start` event for a Chat encoder. */
const startFields = ["system_fingerprint", "service_tier", "prompt_filter_results"] as const;

/**
 * Chat Completions SSE (`chat.completion.chunk` JSON per `data:` line, `data: [DONE]` last) → unified events.
 * Handles: a trailing usage-only chunk with empty `choices` (stream_options.include_usage) or usage on the finish
 * chunk (DeepSeek); Azure's first chunk with empty choices, id and model plus `prompt_filter_results` (start waits for
 * a real chunk); parallel tool calls by `index`, and upstreams that send every call with index 0 (a new `id` under
 * the same index starts a new call); `reasoning_content`, OpenRouter `reasoning` / `reasoning_details`; in-band
 * `{"error": …}` chunks; malformed JSON (an `error` event, never a throw). `finish` is emitted at `[DONE]` (or at
 * the end of a stream that gave a finish_reason) so a usage chunk after the finish_reason is on it. Artefacts in
 * `reasoning_details` are read with `untagReasoningArtefact`; reasoning-start names the block's origin (Chat's, or
 * the artefact's that opens it) and a later artefact of another origin carries its own; a bare origin tag (unsigned
 * reasoning of another origin) sets no artefact, only the block's origin (on reasoning-end when read late).
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function createOpenAiChatStreamDecoder(): StreamDecoder {
  const warnings: UnifiedWarning[] = [];
  let started = false;
  let terminated = false;
  let nextBlock = 0;
  let textBlock: number | undefined;
  let textCitations: Citation[] = [];
  let reasoningBlock: number | undefined;
  /** The open reasoning block's origin, as its reasoning-start gave it. */
  let reasoningOrigin: ReasoningOrigin = { protocol: openAiChatProtocol };
  /** A bare origin tag's origin read after the block's reasoning-start, for its reasoning-end (stream-event.ts). */
  let lateOrigin: ReasoningOrigin | undefined;
  const toolCalls = new Map<number, ToolCallState>();
  const startExtensions: WireObject = {};
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;
  let warnedChoices = false;
  let warnedRefusal = false;

  function ensureStart(events: StreamEvent[], chunk: WireObject | undefined): void {
    if (started) return;
    started = true;
    const start: Extract<StreamEvent, { type: "start" }> = { type: "start" };
    if (chunk !== undefined) {
      if (typeof chunk["id"] === "string" && chunk["id"] !== "") start.id = chunk["id"];
      if (typeof chunk["model"] === "string" && chunk["model"] !== "") start.model = chunk["model"];
      if (typeof chunk["created"] === "number" && chunk["created"] > 0) start.created = chunk["created"];
      for (const field of startFields) if (field in chunk) startExtensions[field] = chunk[field];
    }
    if (Object.keys(startExtensions).length > 0) start.extensions = { [openAiChatProtocol]: startExtensions };
    events.push(start);
  }

  function closeText(events: StreamEvent[]): void {
    if (textBlock === undefined) return;
    events.push(textCitations.length > 0 ? { type: "text-end", index: textBlock, citations: textCitations } : { type: "text-end", index: textBlock });
    textBlock = undefined;
    textCitations = [];
  }

  function closeReasoning(events: StreamEvent[], encrypted?: { artefact: string; origin: ReasoningOrigin }): void {
    if (reasoningBlock === undefined) return;
    const end: StreamEvent & { type: "reasoning-end" } = { type: "reasoning-end", index: reasoningBlock };
    if (encrypted !== undefined) {
      end.encryptedContent = encrypted.artefact;
      if (encrypted.origin.protocol !== reasoningOrigin.protocol) end.origin = encrypted.origin;
    } else if (lateOrigin !== undefined) {
      end.origin = lateOrigin;
    }
    events.push(end);
    reasoningBlock = undefined;
    lateOrigin = undefined;
  }

  /**
   * The open reasoning block, opened if needed. Any reasoning block may get `reasoning_details` artefacts, so its
   * reasoning-start names an origin: the given artefact's when one opens it, else Chat's.
   */
  function openReasoning(events: StreamEvent[], origin?: ReasoningOrigin): number {
    if (reasoningBlock !== undefined) return reasoningBlock;
    closeText(events);
    reasoningBlock = nextBlock++;
    reasoningOrigin = origin ?? { protocol: openAiChatProtocol };
    lateOrigin = undefined;
    events.push({ type: "reasoning-start", index: reasoningBlock, origin: reasoningOrigin });
    return reasoningBlock;
  }

  /** A bare origin tag read inside an open reasoning block: its origin goes on the block's reasoning-end. */
  function noteLateOrigin(origin: ReasoningOrigin): void {
    if (reasoningBlock !== undefined && origin.protocol !== reasoningOrigin.protocol) lateOrigin = origin;
  }

  function text(events: StreamEvent[], delta: string): void {
    if (textBlock === undefined) {
      closeReasoning(events);
      textBlock = nextBlock++;
      events.push({ type: "text-start", index: textBlock });
    }
    events.push({ type: "text-delta", index: textBlock, text: delta });
  }

  function startToolCall(events: StreamEvent[], call: ToolCallState): void {
    closeText(events);
    closeReasoning(events);
    const block = nextBlock++;
    call.block = block;
    call.open = true;
    // Never a random id: an upstream that omits it gets one derived from the call.
    const { id, signature } = splitToolCallId(call.rawId ?? deriveToolCallId("call", call.name, block));
    const event: Extract<StreamEvent, { type: "tool-call-start" }> = { type: "tool-call-start", index: block, id, name: call.name, kind: call.kind };
    if (signature !== undefined) event.signature = signature;
    events.push(event);
    if (call.pending !== "") {
      events.push({ type: "tool-call-delta", index: block, argumentsDelta: call.pending });
      call.pending = "";
    }
  }

  function closeToolCall(events: StreamEvent[], call: ToolCallState): void {
    if (call.block === undefined) startToolCall(events, call);
    if (call.open && call.block !== undefined) events.push({ type: "tool-call-end", index: call.block });
    call.open = false;
  }

  function closeAll(events: StreamEvent[]): void {
    closeText(events);
    closeReasoning(events);
    for (const call of toolCalls.values()) if (call.open || call.block === undefined) closeToolCall(events, call);
    toolCalls.clear();
  }

  function toolCallDelta(events: StreamEvent[], value: unknown, legacy: boolean): void {
    if (!isWireObject(value)) return;
    const wireIndex = legacy ? -1 : typeof value["index"] === "number" ? value["index"] : Math.max(0, toolCalls.size - 1);
    const kind: ToolCallKind = value["type"] === "custom" || isWireObject(value["custom"]) ? "custom" : "function";
    const inner = legacy ? value : value[kind];
    const innerObject = isWireObject(inner) ? inner : {};
    const rawId = typeof value["id"] === "string" && value["id"] !== "" ? value["id"] : undefined;
    let call = toolCalls.get(wireIndex);
    if (call !== undefined && rawId !== undefined && call.rawId !== undefined && rawId !== call.rawId) {
      // Same index, new id: an upstream numbering every call 0. The previous call is complete.
      closeToolCall(events, call);
      call = undefined;
    }
    if (call === undefined) {
      call = { rawId, name: "", kind, block: undefined, pending: "", open: false };
      toolCalls.set(wireIndex, call);
    }
    if (call.rawId === undefined && rawId !== undefined) call.rawId = rawId;
    const name = innerObject["name"];
    if (call.block === undefined && typeof name === "string" && name !== "") call.name = name;
    const fragment = innerObject[kind === "custom" && !legacy ? "input" : "arguments"];
    const piece = typeof fragment === "string" ? fragment : "";
    if (call.block === undefined) {
      call.pending += piece;
      if (call.name !== "") startToolCall(events, call);
    } else if (piece !== "" && call.open) {
      events.push({ type: "tool-call-delta", index: call.block, argumentsDelta: piece });
    }
  }

  /** An artefact read from a detail entry, by kind: a signature on the open block, redacted data a block of its own. */
  function detailArtefact(events: StreamEvent[], untagged: UntaggedReasoningArtefact, kind: ReasoningArtefactKind): void {
    switch (kind) {
      case "signature": {
        const index = openReasoning(events, untagged.origin);
        // The block opened earlier (text before the signature) with another origin: the signature says its own.
        events.push(
          untagged.origin.protocol === reasoningOrigin.protocol
            ? { type: "reasoning-signature", index, signature: untagged.artefact }
            : { type: "reasoning-signature", index, signature: untagged.artefact, origin: untagged.origin },
        );
        return;
      }
      case "redacted": {
        closeReasoning(events);
        closeText(events);
        const block = nextBlock++;
        events.push({ type: "reasoning-start", index: block, redactedData: untagged.artefact, origin: untagged.origin }, { type: "reasoning-end", index: block });
        return;
      }
      case "encrypted":
        openReasoning(events, untagged.origin);
        closeReasoning(events, untagged);
        return;
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  function reasoningDetail(events: StreamEvent[], entry: unknown): void {
    if (!isWireObject(entry)) return;
    switch (entry["type"]) {
      case "reasoning.text": {
        const signature = typeof entry["signature"] === "string" && entry["signature"] !== "" ? untagReasoningArtefact(entry["signature"], openAiChatProtocol) : undefined;
        if (typeof entry["text"] === "string" && entry["text"] !== "") {
          events.push({ type: "reasoning-delta", index: openReasoning(events, signature?.origin), text: entry["text"] });
        }
        if (signature !== undefined && signature.artefact === "") {
          // A bare origin tag names the origin of unsigned reasoning (on reasoning-start when its text opened the
          // block, else on reasoning-end); without reasoning it means nothing.
          noteLateOrigin(signature.origin);
        } else if (signature !== undefined) {
          detailArtefact(events, signature, signature.kind ?? "signature");
        }
        return;
      }
      case "reasoning.summary":
        if (typeof entry["summary"] === "string" && entry["summary"] !== "") {
          events.push({ type: "reasoning-delta", index: openReasoning(events), text: entry["summary"], summaryIndex: 0 });
        }
        return;
      case "reasoning.encrypted": {
        if (typeof entry["data"] !== "string") return;
        const untagged = untagReasoningArtefact(entry["data"], openAiChatProtocol);
        if (untagged.artefact === "" && untagged.origin.protocol !== openAiChatProtocol) {
          // A bare origin tag: no payload, only the origin of the open block's reasoning.
          noteLateOrigin(untagged.origin);
        } else {
          // The tag's kind marker says what the payload is; an untagged or unmarked one is told by its `format`.
          detailArtefact(events, untagged, untagged.kind ?? (isRedactedFormat(entry["format"]) ? "redacted" : "encrypted"));
        }
        return;
      }
      default:
        return;
    }
  }

  function choiceDelta(events: StreamEvent[], choice: WireObject): void {
    const delta = isWireObject(choice["delta"]) ? choice["delta"] : {};
    const details = delta["reasoning_details"];
    if (Array.isArray(details)) {
      // OpenRouter sends the same text as `reasoning` and inside `reasoning_details`: the details win.
      for (const entry of details) reasoningDetail(events, entry);
    } else {
      const reasoning = typeof delta["reasoning_content"] === "string" ? delta["reasoning_content"] : delta["reasoning"];
      if (typeof reasoning === "string" && reasoning !== "") events.push({ type: "reasoning-delta", index: openReasoning(events), text: reasoning });
    }
    if (typeof delta["content"] === "string" && delta["content"] !== "") text(events, delta["content"]);
    if (typeof delta["refusal"] === "string" && delta["refusal"] !== "") {
      // The unified stream has no refusal block: the refusal is shown as text.
      if (!warnedRefusal) warnings.push({ code: "refusal-as-text", message: "a streamed refusal is passed on as text" });
      warnedRefusal = true;
      text(events, delta["refusal"]);
    }
    if (Array.isArray(delta["annotations"]) && textBlock !== undefined) {
      for (const annotation of delta["annotations"]) textCitations.push(decodeAnnotation(annotation));
    }
    if (Array.isArray(delta["tool_calls"])) for (const call of delta["tool_calls"]) toolCallDelta(events, call, false);
    if (isWireObject(delta["function_call"])) toolCallDelta(events, delta["function_call"], true);
    if (typeof choice["finish_reason"] === "string" && choice["finish_reason"] !== "") {
      finishReason = mapOpenAiChatFinishReason(choice["finish_reason"]);
      closeAll(events);
    }
  }

  function fail(events: StreamEvent[], message: string): StreamEvent[] {
    ensureStart(events, undefined);
    events.push({ type: "error", error: { code: "upstream_server", message, httpStatus: 502 } });
    terminated = true;
    return events;
  }

  function finish(events: StreamEvent[]): StreamEvent[] {
    ensureStart(events, undefined);
    closeAll(events);
    const event: Extract<StreamEvent, { type: "finish" }> = { type: "finish", finishReason: finishReason ?? { unified: "other", raw: null } };
    if (usage !== undefined) event.usage = usage;
    events.push(event);
    terminated = true;
    return events;
  }

  return {
    warnings,
    push(message: SseMessage): StreamEvent[] {
      if (terminated) return [];
      const data = message.data.trim();
      if (data === "") return [];
      const events: StreamEvent[] = [];
      if (data === "[DONE]") return finish(events);
      const chunk = parseWireJson(data);
      if (!isWireObject(chunk)) return fail(events, "upstream sent a stream chunk that is not a JSON object");
      if (chunk["error"] !== undefined && chunk["error"] !== null) {
        ensureStart(events, chunk);
        events.push({ type: "error", error: decodeOpenAiChatError(chunk["error"]).serialize() });
        terminated = true;
        return events;
      }
      const choices = Array.isArray(chunk["choices"]) ? chunk["choices"] : [];
      if (!started) {
        const real = choices.length > 0 || (typeof chunk["id"] === "string" && chunk["id"] !== "") || isWireObject(chunk["usage"]);
        if (!real) {
          // Azure's preamble: nothing but prompt_filter_results. Keep them for the start event.
          for (const field of startFields) if (field in chunk) startExtensions[field] = chunk[field];
          return events;
        }
        ensureStart(events, chunk);
      }
      for (const choice of choices) {
        if (!isWireObject(choice)) continue;
        if (typeof choice["index"] === "number" && choice["index"] !== 0) {
          // n > 1: the unified stream carries one choice.
          if (!warnedChoices) warnings.push({ code: "choices-dropped", message: "only choice 0 of a multi-choice stream is kept" });
          warnedChoices = true;
          continue;
        }
        choiceDelta(events, choice);
      }
      const chunkUsage = convertOpenAiChatUsageToUnified(chunk["usage"]);
      if (chunkUsage !== undefined) {
        usage = chunkUsage;
        events.push({ type: "usage", usage: chunkUsage });
      }
      return events;
    },
    end(): StreamEvent[] {
      if (terminated) return [];
      const events: StreamEvent[] = [];
      if (finishReason !== undefined) return finish(events);
      closeAll(events);
      return fail(events, "upstream stream ended before a finish_reason");
    },
  };
}
