import {
  argumentsToCustomInput,
  artefactForProtocol,
  type EncodeResponseOptions,
  type ReasoningOrigin,
  type StreamEncoder,
  type StreamEvent,
  type StreamStartEvent,
  type UnifiedWarning,
  type Usage,
} from "../../unified/index.js";
import { serializeSseFrame, trackWithoutOutput, type OutputSwitch } from "../common/index.js";
import { convertUnifiedUsageToOpenAiChat } from "./convert-openai-chat-usage.js";
import { encodeOpenAiChatErrorObject } from "./encode-openai-chat-error.js";
import { encryptedDetailFormat, formatForOrigin } from "./encode-openai-chat-reasoning-details.js";
import { clientToolCallId, customToolNamesOf, encodeAnnotations } from "./encode-openai-chat-response.js";
import { mapUnifiedFinishReasonToOpenAiChat } from "./map-openai-chat-finish-reason.js";
import { openAiChatProtocol, type ChatWireObject } from "./types.js";

/** A tool call being streamed: its Chat index, and for freeform calls the buffered input. */
interface ToolCallStream {
  index: number;
  id: string;
  name: string;
  /** Custom calls are sent whole at their end (see below). */
  buffered: boolean;
  /** A function call the upstream made for one of the client's custom tools: its `{input}` is unwrapped. */
  unwrap: boolean;
  text: string;
}

const done = "data: [DONE]\n\n";

/**
 * Unified events → `chat.completion.chunk` SSE for a Chat client: the role on the first delta, content /
 * `reasoning_content` deltas, tool calls with one `index` per call (id, type and name on the call's first delta),
 * `finish_reason` on a final chunk (the openai SDK's stream helper throws without it), a usage chunk with empty
 * `choices` when the client asked for `stream_options.include_usage`, then `data: [DONE]`. Errors become an
 * `{"error": …}` chunk and `[DONE]`; `end()` without a terminal event does the same (never a silent close).
 * Reasoning signatures and payloads go out in OpenRouter-style `reasoning_details` deltas whenever they arrive (a
 * redacted or encrypted payload known only at reasoning-end too), written with `artefactForProtocol`: tagged with
 * their origin (the event's, else the block's reasoning-start's) when it is not Chat, so they come back to it.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function createOpenAiChatStreamEncoder(options: EncodeResponseOptions = {}): StreamEncoder {
  const warnings: UnifiedWarning[] = [];
  const now = options.now ?? Date.now;
  const customToolNames = customToolNamesOf(options.request);
  const includeUsage = options.request?.includeUsage === true;
  const head: ChatWireObject = {};
  let started = false;
  let terminated = false;
  const toolCalls = new Map<number, ToolCallStream>();
  /** Open reasoning blocks: the origin and item id their reasoning-start gave, and the summary being streamed. */
  const reasoningBlocks = new Map<number, { origin: ReasoningOrigin | undefined; id: string | undefined; summaryIndex?: number }>();
  let nextToolIndex = 0;
  let usage: Usage | undefined;
  /** Set while `track` runs: the state moves, no frame is built or serialized. */
  const outputSwitch: OutputSwitch = { muted: false };

  function chunk(delta: ChatWireObject, finishReason: string | null = null): string {
    if (outputSwitch.muted) return "";
    const frame: ChatWireObject = { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
    // With include_usage OpenAI gives every chunk `usage: null` and the totals on a last chunk of their own.
    if (includeUsage) frame["usage"] = null;
    return serializeSseFrame(frame);
  }

  function begin(event: StreamStartEvent | undefined): string {
    started = true;
    head["id"] = event?.id ?? `chatcmpl-${now().toString(36)}`;
    head["object"] = "chat.completion.chunk";
    head["created"] = event?.created ?? Math.floor(now() / 1000);
    head["model"] = event?.model ?? options.request?.model ?? "";
    const extra = event?.extensions?.[openAiChatProtocol];
    if (extra !== undefined) {
      if ("system_fingerprint" in extra) head["system_fingerprint"] = extra["system_fingerprint"];
      if ("service_tier" in extra) head["service_tier"] = extra["service_tier"];
    }
    return chunk({ role: "assistant", content: "" });
  }

  function endToolCall(call: ToolCallStream): string {
    if (!call.buffered) return "";
    call.buffered = false;
    const input = call.unwrap ? argumentsToCustomInput(call.text) : call.text;
    return chunk({ tool_calls: [{ index: call.index, id: call.id, type: "custom", custom: { name: call.name, input } }] });
  }

  function encode(event: Exclude<StreamEvent, StreamStartEvent>): string {
    switch (event.type) {
      case "text-start":
        return "";
      case "text-delta":
        return chunk({ content: event.text });
      case "text-end": {
        if (event.citations === undefined || event.citations.length === 0) return "";
        const annotations = encodeAnnotations(event.citations, 0, warnings, event.index);
        return annotations.length === 0 ? "" : chunk({ annotations });
      }
      case "reasoning-start":
        reasoningBlocks.set(event.index, { origin: event.origin, id: event.id });
        if (event.redactedData === undefined) return "";
        return chunk({ reasoning_details: [redactedDetail(event.redactedData, event.origin, event.id)] });
      case "reasoning-delta": {
        if (event.text === "") return "";
        // Responses summaries arrive as numbered parts: apart as paragraphs, as encodeOpenAiChatResponse joins them.
        const block = reasoningBlocks.get(event.index);
        const previous = block?.summaryIndex;
        if (block !== undefined && event.summaryIndex !== undefined) block.summaryIndex = event.summaryIndex;
        const separator = previous !== undefined && event.summaryIndex !== undefined && event.summaryIndex !== previous ? "\n\n" : "";
        return chunk({ reasoning_content: separator + event.text });
      }
      case "reasoning-signature": {
        const block = reasoningBlocks.get(event.index);
        const origin = event.origin ?? block?.origin;
        const signature = artefactForProtocol(event.signature, origin, openAiChatProtocol, "signature");
        return chunk({ reasoning_details: [withId({ type: "reasoning.text", text: "", signature, format: formatForOrigin(origin) }, block?.id)] });
      }
      case "reasoning-end": {
        const block = reasoningBlocks.get(event.index);
        reasoningBlocks.delete(event.index);
        const origin = event.origin ?? block?.origin;
        const details: ChatWireObject[] = [];
        if (event.redactedData !== undefined) details.push(redactedDetail(event.redactedData, origin, block?.id));
        if (event.encryptedContent !== undefined) {
          const data = artefactForProtocol(event.encryptedContent, origin, openAiChatProtocol, "encrypted");
          details.push(withId({ type: "reasoning.encrypted", data, format: encryptedDetailFormat(origin) }, block?.id));
        }
        return details.length === 0 ? "" : chunk({ reasoning_details: details });
      }
      case "tool-call-start": {
        const unwrap = event.kind === "function" && customToolNames.has(event.name);
        // Custom calls go out whole at their end: the openai SDK accumulates only `function.arguments` fragments,
        // so a freeform input split over chunks would be overwritten rather than joined.
        const call: ToolCallStream = {
          index: nextToolIndex++,
          id: clientToolCallId(event.id, event.signature, undefined),
          name: event.name,
          buffered: event.kind === "custom" || unwrap,
          unwrap,
          text: "",
        };
        toolCalls.set(event.index, call);
        if (call.buffered) return "";
        return chunk({ tool_calls: [{ index: call.index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] });
      }
      case "tool-call-end": {
        const call = toolCalls.get(event.index);
        return call === undefined ? "" : endToolCall(call);
      }
      case "tool-call-delta": {
        const call = toolCalls.get(event.index);
        if (call === undefined || event.argumentsDelta === "") return "";
        if (call.buffered) {
          call.text += event.argumentsDelta;
          return "";
        }
        return chunk({ tool_calls: [{ index: call.index, function: { arguments: event.argumentsDelta } }] });
      }
      case "native-item":
        warnings.push({ code: "native-part-dropped", message: `a ${event.part.protocol} native item has no Chat stream form`, path: `index ${event.index}` });
        return "";
      case "usage":
        usage = event.usage;
        return "";
      case "finish": {
        let out = "";
        for (const call of toolCalls.values()) out += endToolCall(call);
        out += chunk({}, mapUnifiedFinishReasonToOpenAiChat(event.finishReason));
        const finalUsage = event.usage ?? usage;
        if (includeUsage && finalUsage !== undefined && !outputSwitch.muted) out += serializeSseFrame({ ...head, choices: [], usage: convertUnifiedUsageToOpenAiChat(finalUsage) });
        terminated = true;
        return out + done;
      }
      case "error":
        terminated = true;
        return serializeSseFrame({ error: encodeOpenAiChatErrorObject(event.error) }) + done;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  function push(event: StreamEvent): string {
    if (terminated) return "";
    if (event.type === "start") return started ? "" : begin(event);
    const prefix = started ? "" : begin(undefined);
    return prefix + encode(event);
  }

  return {
    warnings,
    push,
    track: (event: StreamEvent): void => trackWithoutOutput(outputSwitch, push, event),
    end(): string {
      if (terminated) return "";
      terminated = true;
      const error = { code: "upstream_server" as const, message: "upstream stream ended before completion", path: undefined };
      return serializeSseFrame({ error: encodeOpenAiChatErrorObject(error) }) + done;
    },
  };
}

/** Anthropic redacted thinking as a `reasoning.encrypted` detail; its anthropic `format` is how decoders tell it apart. */
function redactedDetail(data: string, origin: ReasoningOrigin | undefined, id: string | undefined): ChatWireObject {
  return withId({ type: "reasoning.encrypted", data: artefactForProtocol(data, origin, openAiChatProtocol, "redacted"), format: "anthropic-claude-v1" }, id);
}

function withId(entry: ChatWireObject, id: string | undefined): ChatWireObject {
  if (id !== undefined) entry["id"] = id;
  return entry;
}
