import type {
  EncodeResponseOptions,
  SerializedGatewayError,
  StreamEncoder,
  StreamEvent,
  StreamStartEvent,
  UnifiedWarning,
  Usage,
} from "../../unified/index.js";
import { serializeSseFrame, type WireObject } from "../common/index.js";
import { convertUsageToAnthropicMessages } from "./convert-anthropic-messages-usage.js";
import { encodeAnthropicMessagesToolCallId } from "./encode-anthropic-messages-content.js";
import { mapGatewayErrorCodeToAnthropicMessages } from "./map-anthropic-messages-error-type.js";
import { finishReasonLossWarning, mapFinishReasonToAnthropicMessages } from "./map-anthropic-messages-finish-reason.js";
import { anthropicMessagesProtocol } from "./types.js";

type BlockEvent = Exclude<StreamEvent, { type: "start" | "usage" | "finish" | "error" }>;

/** One unified block on its way to the wire. */
interface Lane {
  wireIndex: number;
  pending: BlockEvent[];
  ended: boolean;
  custom: boolean;
  redacted: boolean;
  summaryIndex: number | undefined;
}

/**
 * Unified stream events → Anthropic SSE for Claude Code and @anthropic-ai/sdk: `message_start` (with usage),
 * `content_block_start` / `content_block_delta` / `content_block_stop` for every block, then `message_delta`
 * (stop_reason, stop_sequence, usage) and `message_stop`; `event:` lines on every frame. An `error` event becomes
 * `event: error`. Anthropic content blocks stream one at a time, so a block that opens while another is still
 * streaming (interleaved parallel tool calls from other protocols) is buffered and sent when the earlier one stops.
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

  function messageStart(): string {
    if (messageStarted) return "";
    messageStarted = true;
    const message: WireObject = {
      id: start?.id ?? `msg_${now()}`,
      type: "message",
      role: "assistant",
      model: start?.model ?? options.request?.model ?? "",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: convertUsageToAnthropicMessages(latestUsage),
    };
    return frame("message_start", { type: "message_start", message });
  }

  function render(lane: Lane, event: BlockEvent): string {
    const index = lane.wireIndex;
    switch (event.type) {
      case "text-start":
        return frame("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
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
        lane.redacted = event.redactedData !== undefined;
        return frame("content_block_start", {
          type: "content_block_start",
          index,
          content_block: event.redactedData !== undefined ? { type: "redacted_thinking", data: event.redactedData } : { type: "thinking", thinking: "", signature: "" },
        });
      case "reasoning-delta": {
        if (lane.redacted) return "";
        // Responses reasoning summaries arrive as numbered parts: keep them apart as paragraphs.
        const separator = event.summaryIndex !== undefined && lane.summaryIndex !== undefined && event.summaryIndex !== lane.summaryIndex ? "\n\n" : "";
        if (event.summaryIndex !== undefined) lane.summaryIndex = event.summaryIndex;
        return delta(index, { type: "thinking_delta", thinking: separator + event.text });
      }
      case "reasoning-signature":
        return lane.redacted ? "" : delta(index, { type: "signature_delta", signature: event.signature });
      case "reasoning-end":
        if (event.encryptedContent !== undefined) {
          warnings.push({ code: "reasoning-artefact-dropped", message: "encrypted reasoning has no Anthropic stream form and was dropped" });
        }
        return stop(index);
      case "tool-call-start": {
        lane.custom = event.kind === "custom";
        const id = encodeAnthropicMessagesToolCallId(event);
        const out = frame("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id, name: event.name, input: {} } });
        // A freeform call's raw input is streamed inside `{"input": "..."}` (custom-tool-bridge).
        return lane.custom ? out + delta(index, { type: "input_json_delta", partial_json: '{"input":"' }) : out;
      }
      case "tool-call-delta": {
        const partial = lane.custom ? JSON.stringify(event.argumentsDelta).slice(1, -1) : event.argumentsDelta;
        return partial === "" ? "" : delta(index, { type: "input_json_delta", partial_json: partial });
      }
      case "tool-call-end":
        return (lane.custom ? delta(index, { type: "input_json_delta", partial_json: '"}' }) : "") + stop(index);
      case "native-item":
        return frame("content_block_start", { type: "content_block_start", index, content_block: event.part.value }) + stop(index);
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
      lane.wireIndex = nextWireIndex++;
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
      const lane: Lane = { wireIndex: -1, pending: [event], ended: event.type === "native-item", custom: false, redacted: false, summaryIndex: undefined };
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
        out += (lane.custom ? delta(lane.wireIndex, { type: "input_json_delta", partial_json: '"}' }) : "") + stop(lane.wireIndex);
      }
      if (queue.length === 0) return out;
      out += drain();
    }
  }

  return {
    warnings,
    push(event: StreamEvent): string {
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
          return messageStart() + block(event);
      }
    },
    end(): string {
      if (terminated) return "";
      terminated = true;
      return errorFrame({ code: "upstream_server", message: "the stream ended before the response was complete", httpStatus: 502 });
    },
  };
}

function errorFrame(error: SerializedGatewayError): string {
  const type = mapGatewayErrorCodeToAnthropicMessages(error.code, error.httpStatus);
  return frame("error", { type: "error", error: { type, message: error.message } });
}

function frame(event: string, data: unknown): string {
  return serializeSseFrame(data, event);
}

function delta(index: number, payload: WireObject): string {
  return frame("content_block_delta", { type: "content_block_delta", index, delta: payload });
}

function stop(index: number): string {
  return frame("content_block_stop", { type: "content_block_stop", index });
}
