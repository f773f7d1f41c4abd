import {
  artefactForProtocol,
  originTagForProtocol,
  type EncodeResponseOptions,
  type ReasoningOrigin,
  type SerializedGatewayError,
  type StreamEncoder,
  type StreamEvent,
  type StreamStartEvent,
  type UnifiedWarning,
  type Usage,
} from "../../unified/index.js";
import { serializeSseFrame, trackWithoutOutput, type OutputSwitch, type WireObject } from "../common/index.js";
import { convertUsageToAnthropicMessages } from "./convert-anthropic-messages-usage.js";
import { encodeAnthropicMessagesToolCallId } from "./encode-anthropic-messages-content.js";
import { anthropicMessagesClientModel, isForeignReasoningOrigin } from "./encode-anthropic-messages-response.js";
import { mapGatewayErrorCodeToAnthropicMessages } from "./map-anthropic-messages-error-type.js";
import { finishReasonLossWarning, mapFinishReasonToAnthropicMessages } from "./map-anthropic-messages-finish-reason.js";
import { anthropicMessagesProtocol } from "./types.js";

type BlockEvent = Exclude<StreamEvent, { type: "start" | "usage" | "finish" | "error" }>;

/** One unified block on its way to the wire. */
interface Lane {
  /** Given when its content_block_start goes out (-1 before): a block that never shows takes no index. */
  wireIndex: number;
  pending: BlockEvent[];
  ended: boolean;
  /** Its content_block_start has gone out. */
  opened: boolean;
  custom: boolean;
  redacted: boolean;
  /** A thinking block went out for it, and whether a signature_delta followed. */
  thinking: boolean;
  signed: boolean;
  summaryIndex: number | undefined;
  /** The reasoning-start's origin: where the block's artefacts come from unless their own event says otherwise. */
  origin: ReasoningOrigin | undefined;
  /** The reasoning-start's item id, which Anthropic has no slot for: it rides in the tag of a foreign artefact. */
  id: string | undefined;
}

/**
 * Unified stream events → Anthropic SSE for Claude Code and @anthropic-ai/sdk: `message_start` (with usage),
 * `content_block_start` / `content_block_delta` / `content_block_stop` for every block, then `message_delta`
 * (stop_reason, stop_sequence, usage) and `message_stop`; `event:` lines on every frame. An `error` event becomes
 * `event: error`. Anthropic content blocks stream one at a time, so a block that opens while another is still
 * streaming (interleaved parallel tool calls from other protocols) is buffered and sent when the earlier one stops.
 * Reasoning artefacts are written with `artefactForProtocol` and the origin their event (else their block's
 * reasoning-start) gives, with their kind and the block's item id in the tag (reasoning-signature.ts); another
 * protocol's encrypted reasoning known at reasoning-end (Responses encrypted_content) goes out as the thinking
 * block's signature_delta. A thinking block's content_block_start waits for its first delta or signature: redacted
 * data may arrive only at reasoning-end (a Responses upstream gives it on output_item.done), and redacted_thinking
 * needs it at block start. Redacted data arriving after thinking text goes out as a redacted_thinking block of its
 * own; a reasoning block with nothing to show is not sent (as encodeAnthropicMessagesResponse omits it). An
 * unsigned thinking block of another origin gets the bare origin tag as a signature_delta before its stop.
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicMessagesStreamEncoder(options: EncodeResponseOptions = {}): StreamEncoder {
  const warnings: UnifiedWarning[] = [];
  const now = options.now ?? Date.now;
  const lanes = new Map<number, Lane>();
  const queue: Lane[] = [];
  let active: Lane | undefined;
  let nextWireIndex = 0;
  let start: StreamStartEvent | undefined;
  let messageStarted = false;
  let terminated = false;
  let latestUsage: Usage | undefined;
  /** Set while `track` runs: the state moves, no frame is built or serialized. */
  const outputSwitch: OutputSwitch = { muted: false };

  function frame(event: string, data: unknown): string {
    return outputSwitch.muted ? "" : serializeSseFrame(data, event);
  }

  function delta(index: number, payload: WireObject): string {
    return outputSwitch.muted ? "" : frame("content_block_delta", { type: "content_block_delta", index, delta: payload });
  }

  function stop(index: number): string {
    return outputSwitch.muted ? "" : frame("content_block_stop", { type: "content_block_stop", index });
  }

  function errorFrame(error: SerializedGatewayError): string {
    const type = mapGatewayErrorCodeToAnthropicMessages(error.code, error.httpStatus);
    return frame("error", { type: "error", error: { type, message: error.message } });
  }

  /** message_start, sent before the first block (`first`, when a block event triggers it) or with early usage. */
  function messageStart(first?: BlockEvent): string {
    if (messageStarted) return "";
    messageStarted = true;
    // Reasoning of another origin leads (translated upstreams stream it first): name the model the client asked for,
    // or Claude Code drops the signed thinking blocks written for it (anthropicMessagesClientModel).
    const foreignReasoning = first?.type === "reasoning-start" && isForeignReasoningOrigin(first.origin);
    const message: WireObject = {
      id: start?.id ?? `msg_${now()}`,
      type: "message",
      role: "assistant",
      model: foreignReasoning ? anthropicMessagesClientModel(start?.model, options) : (start?.model ?? options.request?.model ?? ""),
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: convertUsageToAnthropicMessages(latestUsage),
    };
    return frame("message_start", { type: "message_start", message });
  }

  /** Sends a lane's content_block_start, giving it the next wire index. */
  function open(lane: Lane, contentBlock: unknown): string {
    lane.wireIndex = nextWireIndex++;
    lane.opened = true;
    return frame("content_block_start", { type: "content_block_start", index: lane.wireIndex, content_block: contentBlock });
  }

  /** Opens a deferred thinking block when its first content arrives. */
  function openThinking(lane: Lane): string {
    if (lane.opened) return "";
    lane.thinking = true;
    return open(lane, { type: "thinking", thinking: "", signature: "" });
  }

  /**
   * The content_block_stop of a reasoning block. Unsigned thinking of another origin (Chat `reasoning_content`)
   * first gets the bare origin tag as its signature (never a fabricated signature), so that the client's next turn
   * brings the origin back and a Chat upstream has its reasoning replayed (reasoning-signature.ts).
   */
  function stopReasoning(lane: Lane, origin: ReasoningOrigin | undefined): string {
    const tag = !lane.thinking || lane.signed ? undefined : originTagForProtocol(origin, anthropicMessagesProtocol);
    lane.signed = true;
    return (tag === undefined ? "" : delta(lane.wireIndex, { type: "signature_delta", signature: tag })) + stop(lane.wireIndex);
  }

  /** A redacted_thinking block, its data tagged with its origin (and the block's item id) when that is not Anthropic. */
  function redactedBlock(data: string, origin: ReasoningOrigin | undefined, id: string | undefined): WireObject {
    return { type: "redacted_thinking", data: artefactForProtocol(data, origin, anthropicMessagesProtocol, "redacted", id) };
  }

  /** reasoning-end: artefacts known only now, then the stop of whatever went out. */
  function endReasoning(lane: Lane, event: Extract<BlockEvent, { type: "reasoning-end" }>): string {
    const origin = event.origin ?? lane.origin;
    let out = "";
    if (event.encryptedContent !== undefined) {
      // As in encodeAnthropicMessagesResponse: another protocol's encrypted reasoning rides in the thinking block's
      // signature, tagged with its kind and item id, when the block has no signature yet (one slot per block).
      if (origin !== undefined && origin.protocol !== anthropicMessagesProtocol && !lane.signed && !lane.redacted) {
        const signature = artefactForProtocol(event.encryptedContent, origin, anthropicMessagesProtocol, "encrypted", lane.id);
        out += openThinking(lane) + delta(lane.wireIndex, { type: "signature_delta", signature });
        lane.signed = true;
      } else {
        const why = origin === undefined || origin.protocol === anthropicMessagesProtocol ? "has no Anthropic stream form" : "does not fit a signed block";
        warnings.push({ code: "reasoning-artefact-dropped", message: `encrypted reasoning ${why} and was dropped` });
      }
    }
    if (event.redactedData === undefined) return lane.opened ? out + stopReasoning(lane, origin) : out;
    if (!lane.opened) {
      lane.redacted = true;
      return out + open(lane, redactedBlock(event.redactedData, origin, lane.id)) + stop(lane.wireIndex);
    }
    // A thinking block cannot take redacted data: it follows as a redacted_thinking block of its own.
    const index = nextWireIndex++;
    const redacted = frame("content_block_start", { type: "content_block_start", index, content_block: redactedBlock(event.redactedData, origin, lane.id) });
    return out + stopReasoning(lane, lane.origin) + redacted + stop(index);
  }

  function render(lane: Lane, event: BlockEvent): string {
    const index = lane.wireIndex;
    switch (event.type) {
      case "text-start":
        return open(lane, { type: "text", text: "" });
      case "text-delta":
        return delta(index, { type: "text_delta", text: event.text });
      case "text-end": {
        let out = "";
        for (const citation of event.citations ?? []) {
          // Only Anthropic's own citations have the fields Anthropic clients expect (indexes, encrypted_index).
          if (citation.origin === anthropicMessagesProtocol) out += delta(index, { type: "citations_delta", citation: citation.raw });
          else warnings.push({ code: "citations-dropped", message: "a citation from another protocol was not streamed to the Anthropic client" });
        }
        return out + stop(index);
      }
      case "reasoning-start":
        lane.origin = event.origin;
        lane.id = event.id;
        if (event.redactedData === undefined) return "";
        lane.redacted = true;
        return open(lane, redactedBlock(event.redactedData, event.origin, event.id));
      case "reasoning-delta": {
        if (lane.redacted || event.text === "") return "";
        // Responses reasoning summaries arrive as numbered parts: keep them apart as paragraphs.
        const separator = event.summaryIndex !== undefined && lane.summaryIndex !== undefined && event.summaryIndex !== lane.summaryIndex ? "\n\n" : "";
        if (event.summaryIndex !== undefined) lane.summaryIndex = event.summaryIndex;
        return openThinking(lane) + delta(lane.wireIndex, { type: "thinking_delta", thinking: separator + event.text });
      }
      case "reasoning-signature": {
        if (lane.redacted) return "";
        const signature = artefactForProtocol(event.signature, event.origin ?? lane.origin, anthropicMessagesProtocol, "signature", lane.id);
        const out = openThinking(lane) + delta(lane.wireIndex, { type: "signature_delta", signature });
        lane.signed = true;
        return out;
      }
      case "reasoning-end":
        return endReasoning(lane, event);
      case "tool-call-start": {
        lane.custom = event.kind === "custom";
        const id = encodeAnthropicMessagesToolCallId(event);
        const out = open(lane, { type: "tool_use", id, name: event.name, input: {} });
        // A freeform call's raw input is streamed inside `{"input": "..."}` (custom-tool-bridge).
        return lane.custom ? out + delta(lane.wireIndex, { type: "input_json_delta", partial_json: '{"input":"' }) : out;
      }
      case "tool-call-delta": {
        const partial = lane.custom ? JSON.stringify(event.argumentsDelta).slice(1, -1) : event.argumentsDelta;
        return partial === "" ? "" : delta(index, { type: "input_json_delta", partial_json: partial });
      }
      case "tool-call-end":
        return (lane.custom ? delta(index, { type: "input_json_delta", partial_json: '"}' }) : "") + stop(index);
      case "native-item":
        return open(lane, event.part.value) + stop(lane.wireIndex);
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  /** Sends queued blocks once the wire is free, in the order they opened. */
  function drain(): string {
    let out = "";
    while (active === undefined && queue.length > 0) {
      const lane = queue.shift() as Lane;
      for (const event of lane.pending) out += render(lane, event);
      lane.pending = [];
      if (!lane.ended) active = lane;
    }
    return out;
  }

  function block(event: BlockEvent): string {
    const opening = event.type === "text-start" || event.type === "reasoning-start" || event.type === "tool-call-start" || event.type === "native-item";
    if (opening) {
      if (event.type === "native-item" && event.part.protocol !== anthropicMessagesProtocol) {
        warnings.push({ code: "native-part-dropped", message: `a ${event.part.protocol} native item cannot be streamed to an Anthropic client` });
        return "";
      }
      const lane: Lane = {
        wireIndex: -1,
        pending: [event],
        ended: event.type === "native-item",
        opened: false,
        custom: false,
        redacted: false,
        thinking: false,
        signed: false,
        summaryIndex: undefined,
        origin: undefined,
        id: undefined,
      };
      lanes.set(event.index, lane);
      queue.push(lane);
      return drain();
    }
    const lane = lanes.get(event.index);
    if (lane === undefined || lane.ended) {
      warnings.push({ code: "stream-event-ignored", message: `a ${event.type} event for block ${event.index}, which is not open, was ignored` });
      return "";
    }
    const ending = event.type === "text-end" || event.type === "reasoning-end" || event.type === "tool-call-end";
    if (ending) lane.ended = true;
    if (lane !== active) {
      lane.pending.push(event);
      return "";
    }
    const out = render(lane, event);
    if (!ending) return out;
    active = undefined;
    return out + drain();
  }

  /** Closes whatever is still open so the client sees every block stopped before message_delta. */
  function closeAll(): string {
    let out = "";
    for (;;) {
      if (active !== undefined) {
        const lane = active;
        lane.ended = true;
        active = undefined;
        // A deferred thinking block that never got content was never sent.
        if (lane.thinking) out += stopReasoning(lane, lane.origin);
        else if (lane.opened) out += (lane.custom ? delta(lane.wireIndex, { type: "input_json_delta", partial_json: '"}' }) : "") + stop(lane.wireIndex);
      }
      if (queue.length === 0) return out;
      out += drain();
    }
  }

  function push(event: StreamEvent): string {
    if (terminated) return "";
    switch (event.type) {
      case "start":
        start = event;
        return "";
      case "usage":
        latestUsage = event.usage;
        // message_start waits for the first event after `start`, so usage that arrives at once goes in it.
        return messageStart();
      case "finish": {
        terminated = true;
        if (event.usage !== undefined) latestUsage = event.usage;
        const finishLoss = finishReasonLossWarning(event.finishReason);
        if (finishLoss !== undefined) warnings.push(finishLoss);
        const out = messageStart() + closeAll();
        const messageDelta = {
          type: "message_delta",
          delta: { stop_reason: mapFinishReasonToAnthropicMessages(event.finishReason), stop_sequence: event.finishReason.stopSequence ?? null },
          usage: convertUsageToAnthropicMessages(latestUsage),
        };
        return out + frame("message_delta", messageDelta) + frame("message_stop", { type: "message_stop" });
      }
      case "error":
        terminated = true;
        return errorFrame(event.error);
      default:
        return messageStart(event) + block(event);
    }
  }

  return {
    warnings,
    push,
    track: (event: StreamEvent): void => trackWithoutOutput(outputSwitch, push, event),
    end(): string {
      if (terminated) return "";
      terminated = true;
      return errorFrame({ code: "upstream_server", message: "the stream ended before the response was complete", httpStatus: 502 });
    },
  };
}
