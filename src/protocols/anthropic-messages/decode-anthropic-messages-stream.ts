import {
  reasoningArtefactFields,
  splitToolCallId,
  untagReasoningArtefact,
  type Citation,
  type FinishReason,
  type ReasoningArtefactKind,
  type ReasoningOrigin,
  type SerializedGatewayError,
  type SseMessage,
  type StreamDecoder,
  type StreamEvent,
  type UnifiedWarning,
  type UntaggedReasoningArtefact,
} from "../../unified/index.js";
import { isWireObject, parseWireJson, type WireObject } from "../common/index.js";
import { convertAnthropicMessagesUsage, mergeAnthropicMessagesUsage } from "./convert-anthropic-messages-usage.js";
import { decodeAnthropicMessagesCitation } from "./decode-anthropic-messages-content.js";
import { decodeAnthropicMessagesErrorBody } from "./decode-anthropic-messages-response.js";
import { mapAnthropicMessagesStopReason } from "./map-anthropic-messages-finish-reason.js";
import { anthropicMessagesProtocol } from "./types.js";

/**
 * An open content block, keyed by Anthropic index. `index` is the unified index: the same number, unless an
 * upstream reuses an index (a spliced second message), which then gets a fresh one so blocks never collide.
 */
type OpenBlock = { index: number } & (
  | { kind: "text"; citations: Citation[] }
  | {
      kind: "reasoning";
      origin: ReasoningOrigin;
      lateOrigin?: ReasoningOrigin;
      /** Artefacts of another kind that rode in a signature or data slot (tag kind marker): sent on reasoning-end. */
      encryptedContent?: string;
      redactedData?: string;
      artefactOrigin?: ReasoningOrigin;
    }
  | { kind: "tool-call"; argumentsSeen: boolean; startInput: unknown }
  | { kind: "native"; block: WireObject; json: string }
);

/**
 * Anthropic SSE → unified stream events. Dispatches on the JSON `type` (recorded chunk logs have no `event:`
 * lines); tolerant of the padding spaces Anthropic puts in `data:` lines (JSON whitespace); `ping` is ignored.
 * `message_start` carries the initial usage and `message_delta` the final cumulative usage: the two are merged
 * field by field, never added. Server-tool blocks (server_tool_use, web_search_tool_result…) and unknown block
 * types are buffered and emitted whole as `native-item` when they stop. Thinking signatures and redacted data are
 * read with `untagReasoningArtefact`: reasoning-start names the block's origin (Anthropic's, or the tag of the
 * artefact it starts with), a signature_delta tagged with another origin carries its own, and a bare origin tag
 * (unsigned reasoning of another origin) sets no signature and puts its origin on reasoning-end. A tag whose kind
 * marker names another artefact than its slot's (Responses encrypted_content in a thinking signature) puts it on
 * reasoning-end; a tag's item id goes on reasoning-start when the block starts with the tag.
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicMessagesStreamDecoder(): StreamDecoder {
  const warnings: UnifiedWarning[] = [];
  const open = new Map<number, OpenBlock>();
  const used = new Set<number>();
  let nextFreeIndex = 0;
  let started = false;
  let terminated = false;
  let usageWire: WireObject | undefined;
  let finishReason: FinishReason | undefined;

  function ensureStarted(events: StreamEvent[]): void {
    if (started) return;
    started = true;
    events.push({ type: "start" });
  }

  function fail(events: StreamEvent[], error: SerializedGatewayError): StreamEvent[] {
    ensureStarted(events);
    terminated = true;
    events.push({ type: "error", error });
    return events;
  }

  function closeBlock(wireIndex: number, block: OpenBlock, events: StreamEvent[]): void {
    open.delete(wireIndex);
    const index = block.index;
    switch (block.kind) {
      case "text":
        events.push(block.citations.length > 0 ? { type: "text-end", index, citations: block.citations } : { type: "text-end", index });
        return;
      case "reasoning": {
        // A bare origin tag read after reasoning-start: the block's reasoning is of that origin (stream-event.ts).
        const end: StreamEvent & { type: "reasoning-end" } = { type: "reasoning-end", index };
        if (block.encryptedContent !== undefined) end.encryptedContent = block.encryptedContent;
        if (block.redactedData !== undefined) end.redactedData = block.redactedData;
        const origin = block.artefactOrigin ?? block.lateOrigin;
        if (origin !== undefined) end.origin = origin;
        events.push(end);
        return;
      }
      case "tool-call":
        // No argument fragments at all means the input given at block start is the whole input (`{}` for a call
        // without arguments), so the reassembled arguments are always a JSON object.
        if (!block.argumentsSeen) events.push({ type: "tool-call-delta", index, argumentsDelta: JSON.stringify(block.startInput ?? {}) });
        events.push({ type: "tool-call-end", index });
        return;
      case "native": {
        const value: WireObject = block.json === "" ? block.block : { ...block.block, input: parseWireJson(block.json) ?? block.json };
        events.push({ type: "native-item", index, part: { type: "native", protocol: anthropicMessagesProtocol, value } });
        return;
      }
      default: {
        const unreachable: never = block;
        return unreachable;
      }
    }
  }

  /**
   * A non-empty artefact read from a signature or data slot: a signature goes out at once; redacted or encrypted data
   * (the tag's kind marker says so, else the slot) waits for reasoning-end. Its origin is named where it differs
   * from the block's.
   */
  function readArtefact(
    block: Extract<OpenBlock, { kind: "reasoning" }>,
    untagged: UntaggedReasoningArtefact,
    slotKind: ReasoningArtefactKind,
    events: StreamEvent[],
  ): void {
    const origin = untagged.origin.protocol === block.origin.protocol ? undefined : untagged.origin;
    const kind = untagged.kind ?? slotKind;
    switch (kind) {
      case "signature": {
        const event: StreamEvent & { type: "reasoning-signature" } = { type: "reasoning-signature", index: block.index, signature: untagged.artefact };
        if (origin !== undefined) event.origin = origin;
        events.push(event);
        return;
      }
      case "redacted":
      case "encrypted":
        block[reasoningArtefactFields[kind]] = untagged.artefact;
        if (origin !== undefined) block.artefactOrigin = origin;
        return;
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  function startBlock(wireIndex: number, block: WireObject, events: StreamEvent[]): void {
    const index = used.has(wireIndex) ? nextFreeIndex : wireIndex;
    used.add(index);
    nextFreeIndex = Math.max(nextFreeIndex, index + 1);
    const type = block["type"];
    switch (type) {
      case "text": {
        open.set(wireIndex, { index, kind: "text", citations: [] });
        events.push({ type: "text-start", index });
        const text = block["text"];
        if (typeof text === "string" && text !== "") events.push({ type: "text-delta", index, text });
        return;
      }
      case "thinking": {
        // The signature normally follows as a signature_delta; one given at block start sets the block's origin.
        const signature = block["signature"];
        const untagged = typeof signature === "string" && signature !== "" ? untagReasoningArtefact(signature, anthropicMessagesProtocol) : undefined;
        const origin = untagged?.origin ?? { protocol: anthropicMessagesProtocol };
        const reasoning: OpenBlock = { index, kind: "reasoning", origin };
        open.set(wireIndex, reasoning);
        events.push(untagged?.id === undefined ? { type: "reasoning-start", index, origin } : { type: "reasoning-start", index, origin, id: untagged.id });
        const thinking = block["thinking"];
        if (typeof thinking === "string" && thinking !== "") events.push({ type: "reasoning-delta", index, text: thinking });
        // A bare origin tag (`swy1.openai-chat.`) names the origin of unsigned reasoning and is no signature.
        if (untagged !== undefined && untagged.artefact !== "") readArtefact(reasoning, untagged, "signature", events);
        return;
      }
      case "redacted_thinking": {
        const data = block["data"];
        const untagged = typeof data === "string" ? untagReasoningArtefact(data, anthropicMessagesProtocol) : undefined;
        const origin = untagged?.origin ?? { protocol: anthropicMessagesProtocol };
        const reasoning: OpenBlock = { index, kind: "reasoning", origin };
        open.set(wireIndex, reasoning);
        const start: StreamEvent & { type: "reasoning-start" } = { type: "reasoning-start", index, origin };
        if (untagged?.id !== undefined) start.id = untagged.id;
        const redacted = untagged !== undefined && (untagged.kind ?? "redacted") === "redacted";
        if (redacted && (untagged.artefact !== "" || untagged.origin.protocol === anthropicMessagesProtocol)) start.redactedData = untagged.artefact;
        events.push(start);
        if (!redacted && untagged !== undefined && untagged.artefact !== "") readArtefact(reasoning, untagged, "redacted", events);
        return;
      }
      case "tool_use": {
        const split = splitToolCallId(typeof block["id"] === "string" ? block["id"] : "");
        const name = typeof block["name"] === "string" ? block["name"] : "";
        open.set(wireIndex, { index, kind: "tool-call", argumentsSeen: false, startInput: block["input"] });
        events.push(
          split.signature === undefined
            ? { type: "tool-call-start", index, id: split.id, name, kind: "function" }
            : { type: "tool-call-start", index, id: split.id, name, kind: "function", signature: split.signature },
        );
        return;
      }
      default:
        open.set(wireIndex, { index, kind: "native", block, json: "" });
    }
  }

  function applyDelta(wireIndex: number, delta: WireObject, events: StreamEvent[]): void {
    const block = open.get(wireIndex);
    if (block === undefined) {
      warnings.push({ code: "stream-delta-ignored", message: `a delta for block ${wireIndex}, which is not open, was ignored` });
      return;
    }
    const index = block.index;
    const type = delta["type"];
    const text = type === "text_delta" ? delta["text"] : type === "thinking_delta" ? delta["thinking"] : undefined;
    if (type === "text_delta" && block.kind === "text" && typeof text === "string") {
      if (text !== "") events.push({ type: "text-delta", index, text });
    } else if (type === "thinking_delta" && block.kind === "reasoning" && typeof text === "string") {
      if (text !== "") events.push({ type: "reasoning-delta", index, text });
    } else if (type === "signature_delta" && block.kind === "reasoning" && typeof delta["signature"] === "string") {
      // A signature tagged with another origin than the block's (reasoning-start has gone out already) says so. A
      // bare origin tag (an encoder's mark on unsigned reasoning, sent just before content_block_stop) is no
      // signature: its origin goes on reasoning-end.
      const untagged = untagReasoningArtefact(delta["signature"], anthropicMessagesProtocol);
      if (untagged.artefact === "") {
        if (untagged.origin.protocol !== block.origin.protocol) block.lateOrigin = untagged.origin;
        return;
      }
      readArtefact(block, untagged, "signature", events);
    } else if (type === "input_json_delta" && typeof delta["partial_json"] === "string") {
      const fragment = delta["partial_json"];
      if (block.kind === "tool-call" && fragment !== "") {
        block.argumentsSeen = true;
        events.push({ type: "tool-call-delta", index, argumentsDelta: fragment });
      } else if (block.kind === "native") {
        block.json += fragment;
      }
    } else if (type === "citations_delta" && block.kind === "text" && isWireObject(delta["citation"])) {
      block.citations.push(decodeAnthropicMessagesCitation(delta["citation"], `content[${index}].citations`));
    } else {
      warnings.push({ code: "stream-delta-ignored", message: `a ${String(type)} delta on a ${block.kind} block was ignored` });
    }
  }

  function decode(payload: WireObject, events: StreamEvent[]): StreamEvent[] {
    switch (payload["type"]) {
      case "message_start": {
        if (started) return events;
        const message = isWireObject(payload["message"]) ? payload["message"] : {};
        started = true;
        const start: StreamEvent & { type: "start" } = { type: "start" };
        if (typeof message["id"] === "string") start.id = message["id"];
        if (typeof message["model"] === "string") start.model = message["model"];
        events.push(start);
        if (isWireObject(message["usage"])) {
          usageWire = message["usage"];
          events.push({ type: "usage", usage: convertAnthropicMessagesUsage(usageWire) });
        }
        return events;
      }
      case "content_block_start": {
        ensureStarted(events);
        const index = payload["index"];
        const block = payload["content_block"];
        if (typeof index !== "number" || !isWireObject(block) || open.has(index)) {
          return fail(events, upstreamError("a content_block_start event was malformed"));
        }
        startBlock(index, block, events);
        return events;
      }
      case "content_block_delta": {
        const index = payload["index"];
        const delta = payload["delta"];
        if (typeof index === "number" && isWireObject(delta)) applyDelta(index, delta, events);
        return events;
      }
      case "content_block_stop": {
        const index = payload["index"];
        const block = typeof index === "number" ? open.get(index) : undefined;
        if (typeof index === "number" && block !== undefined) closeBlock(index, block, events);
        return events;
      }
      case "message_delta": {
        ensureStarted(events);
        const delta = isWireObject(payload["delta"]) ? payload["delta"] : {};
        const stopReason = delta["stop_reason"];
        if (typeof stopReason === "string") {
          const stopSequence = delta["stop_sequence"];
          finishReason = mapAnthropicMessagesStopReason(stopReason, typeof stopSequence === "string" ? stopSequence : null);
        }
        if (isWireObject(payload["usage"])) {
          usageWire = mergeAnthropicMessagesUsage(usageWire, payload["usage"]);
          events.push({ type: "usage", usage: convertAnthropicMessagesUsage(usageWire) });
        }
        return events;
      }
      case "message_stop":
        ensureStarted(events);
        return finish(events);
      case "error":
        return fail(events, decodeAnthropicMessagesErrorBody(payload).serialize());
      default:
        // `ping` and event types added after this code carry nothing to translate.
        return events;
    }
  }

  function finish(events: StreamEvent[]): StreamEvent[] {
    for (const [index, block] of open) closeBlock(index, block, events);
    terminated = true;
    const event: StreamEvent = { type: "finish", finishReason: finishReason ?? { unified: "other", raw: null } };
    if (usageWire !== undefined) event.usage = convertAnthropicMessagesUsage(usageWire);
    events.push(event);
    return events;
  }

  return {
    warnings,
    push(message: SseMessage): StreamEvent[] {
      if (terminated) return [];
      const payload = parseWireJson(message.data);
      if (!isWireObject(payload)) return fail([], upstreamError("the stream carried a data line that is not a JSON object"));
      return decode(payload, []);
    },
    end(): StreamEvent[] {
      if (terminated) return [];
      const events: StreamEvent[] = [];
      ensureStarted(events);
      // message_delta already gave the stop reason: only the empty message_stop is missing, the content is whole.
      if (finishReason !== undefined) return finish(events);
      for (const [index, block] of open) closeBlock(index, block, events);
      return fail(events, upstreamError("the Anthropic stream ended before message_stop"));
    },
  };
}

function upstreamError(message: string): SerializedGatewayError {
  return { code: "upstream_server", message, httpStatus: 502 };
}
