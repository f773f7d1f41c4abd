import { flattenToolName, splitToolCallId, type ReasoningOrigin, type StreamEvent } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { decodeResponsesEncryptedContent } from "./convert-openai-responses-reasoning-artefact.js";
import { decodeResponsesAnnotation } from "./decode-openai-responses-content.js";
import { nativeItemPart } from "./decode-openai-responses-items.js";
import { responsesProtocol, type ResponsesWireShape } from "./types.js";

interface TextBlock {
  index: number;
  open: boolean;
  sawDelta: boolean;
  annotations: unknown[];
}
interface MessageState {
  kind: "message";
  fields: WireObject;
  blocks: Map<number, TextBlock>;
}
interface ReasoningState {
  kind: "reasoning";
  index: number;
  open: boolean;
  summarySeen: Set<number>;
  contentSeen: boolean;
  /** The origin its reasoning-start gave (from the added item's encrypted_content, else Responses). */
  origin: ReasoningOrigin;
  /** Redacted data already given on reasoning-start (the added item had it). */
  redactedData: string | undefined;
}
interface ToolState {
  kind: "tool";
  index: number;
  open: boolean;
  sawDelta: boolean;
  pendingArguments: string;
}
interface NativeState {
  kind: "native";
}
type ItemState = MessageState | ReasoningState | ToolState | NativeState;

/** The per-item half of the Responses stream decoder: output items, content parts and their deltas. */
export interface ResponsesItemTracker {
  handle(type: string, data: WireObject, out: StreamEvent[]): void;
  /**
   * At a terminal event: emits items only present in the final response (when given), then closes every open
   * block.
   */
  completeFromResponse(out: StreamEvent[], output: unknown): void;
  sawToolCall(): boolean;
}

/** Makes the item tracker of one stream. Unified block indexes are given in the order blocks open. */
export function createResponsesItemTracker(): ResponsesItemTracker {
  let nextIndex = 0;
  let toolCallSeen = false;
  const items = new Map<number, ItemState>();
  const itemIds = new Map<string, number>();
  const done = new Set<number>();

  const outputIndexOf = (data: WireObject): number => {
    if (typeof data["output_index"] === "number") return data["output_index"];
    const itemId = data["item_id"];
    return typeof itemId === "string" ? (itemIds.get(itemId) ?? -1) : -1;
  };

  const added = (outputIndex: number, item: WireObject, out: StreamEvent[]): ItemState => {
    const existing = items.get(outputIndex);
    if (existing !== undefined) return existing;
    if (typeof item["id"] === "string") itemIds.set(item["id"], outputIndex);
    let state: ItemState;
    switch (item["type"]) {
      case "message": {
        const fields: WireObject = {};
        if (item["id"] !== undefined) fields["id"] = item["id"];
        if (item["phase"] !== undefined) fields["phase"] = item["phase"];
        state = { kind: "message", fields, blocks: new Map() };
        break;
      }
      case "reasoning": {
        // The added item carries encrypted_content when the client asked for it (OpenAI's is provisional: the final
        // one comes on output_item.done); its origin stands for the block. Without one the block is Responses'.
        const encrypted = item["encrypted_content"];
        const artefacts = typeof encrypted === "string" ? decodeResponsesEncryptedContent(encrypted) : undefined;
        const origin = artefacts?.origin ?? { protocol: responsesProtocol };
        state = { kind: "reasoning", index: nextIndex++, open: true, summarySeen: new Set(), contentSeen: false, origin, redactedData: artefacts?.redactedData };
        const event: StreamEvent = { type: "reasoning-start", index: state.index, origin };
        if (typeof item["id"] === "string") event.id = item["id"];
        if (artefacts?.redactedData !== undefined) event.redactedData = artefacts.redactedData;
        out.push(event);
        break;
      }
      case "function_call":
      case "custom_tool_call":
        state = openToolCall(item, out);
        break;
      default:
        state = { kind: "native" };
    }
    items.set(outputIndex, state);
    return state;
  };

  const openToolCall = (item: WireObject, out: StreamEvent[]): ToolState => {
    const custom = item["type"] === "custom_tool_call";
    const callId = splitToolCallId(typeof item["call_id"] === "string" ? item["call_id"] : "");
    const namespace = typeof item["namespace"] === "string" ? item["namespace"] : undefined;
    const name = flattenToolName(typeof item["name"] === "string" ? item["name"] : "", namespace);
    const state: ToolState = { kind: "tool", index: nextIndex++, open: true, sawDelta: false, pendingArguments: "" };
    const given = item[custom ? "input" : "arguments"];
    if (typeof given === "string") state.pendingArguments = given;
    const event: StreamEvent = { type: "tool-call-start", index: state.index, id: callId.id, name, kind: custom ? "custom" : "function" };
    if (callId.signature !== undefined) event.signature = callId.signature;
    // Only the item id and namespace are kept: the in-progress status would be wrong on the finished item.
    const extensions = makeResponsesExtensions(typeof item["id"] === "string" ? { id: item["id"] } : undefined, namespace === undefined ? undefined : { namespace });
    if (extensions !== undefined) event.extensions = extensions;
    toolCallSeen = true;
    out.push(event);
    return state;
  };

  const messageState = (outputIndex: number): MessageState | undefined => {
    let state = items.get(outputIndex);
    if (state === undefined) {
      state = { kind: "message", fields: {}, blocks: new Map() };
      items.set(outputIndex, state);
    }
    return state.kind === "message" ? state : undefined;
  };

  const openText = (state: MessageState, contentIndex: number, refusal: boolean, out: StreamEvent[]): TextBlock => {
    const existing = state.blocks.get(contentIndex);
    if (existing !== undefined) return existing;
    const block: TextBlock = { index: nextIndex++, open: true, sawDelta: false, annotations: [] };
    const shape: ResponsesWireShape = {};
    // The first part of a message item carries the item's id so a Responses re-encoder keeps it.
    if (state.blocks.size === 0) shape.item = state.fields;
    if (refusal) shape.refusal = true;
    state.blocks.set(contentIndex, block);
    const extensions = makeResponsesExtensions(undefined, shape);
    out.push(extensions === undefined ? { type: "text-start", index: block.index } : { type: "text-start", index: block.index, extensions });
    return block;
  };

  const closeText = (block: TextBlock, annotations: unknown, out: StreamEvent[]): void => {
    if (!block.open) return;
    block.open = false;
    const list = Array.isArray(annotations) && annotations.length > 0 ? annotations : block.annotations;
    if (list.length === 0) out.push({ type: "text-end", index: block.index });
    else out.push({ type: "text-end", index: block.index, citations: list.map((annotation) => decodeResponsesAnnotation(annotation)) });
  };

  const textBlockOf = (data: WireObject, refusal: boolean, out: StreamEvent[]): TextBlock | undefined => {
    const state = messageState(outputIndexOf(data));
    if (state === undefined) return undefined;
    const contentIndex = typeof data["content_index"] === "number" ? data["content_index"] : 0;
    return openText(state, contentIndex, refusal, out);
  };

  const textDelta = (block: TextBlock | undefined, text: unknown, out: StreamEvent[]): void => {
    if (block === undefined || !block.open || typeof text !== "string" || text === "") return;
    block.sawDelta = true;
    out.push({ type: "text-delta", index: block.index, text });
  };

  const reasoningState = (outputIndex: number, out: StreamEvent[]): ReasoningState | undefined => {
    const state = items.get(outputIndex) ?? added(outputIndex, { type: "reasoning" }, out);
    return state.kind === "reasoning" && state.open ? state : undefined;
  };

  const reasoningDelta = (state: ReasoningState | undefined, text: unknown, summaryIndex: number | undefined, out: StreamEvent[]): void => {
    if (state === undefined || typeof text !== "string" || text === "") return;
    if (summaryIndex === undefined) {
      state.contentSeen = true;
      out.push({ type: "reasoning-delta", index: state.index, text });
    } else {
      state.summarySeen.add(summaryIndex);
      out.push({ type: "reasoning-delta", index: state.index, text, summaryIndex });
    }
  };

  const toolDelta = (data: WireObject, text: unknown, out: StreamEvent[]): void => {
    const state = items.get(outputIndexOf(data));
    if (state?.kind !== "tool" || !state.open || typeof text !== "string" || text === "") return;
    state.sawDelta = true;
    out.push({ type: "tool-call-delta", index: state.index, argumentsDelta: text });
  };

  const finishItem = (outputIndex: number, item: WireObject, out: StreamEvent[]): void => {
    if (done.has(outputIndex)) return;
    done.add(outputIndex);
    const state = items.get(outputIndex) ?? added(outputIndex, item, out);
    switch (state.kind) {
      case "message": {
        const content = Array.isArray(item["content"]) ? item["content"] : [];
        content.forEach((part, contentIndex) => {
          if (!isWireObject(part) || (part["type"] !== "output_text" && part["type"] !== "refusal")) return;
          const block = openText(state, contentIndex, part["type"] === "refusal", out);
          if (!block.sawDelta) textDelta(block, part["type"] === "refusal" ? part["refusal"] : part["text"], out);
          closeText(block, part["annotations"], out);
        });
        for (const block of state.blocks.values()) closeText(block, undefined, out);
        return;
      }
      case "reasoning":
        finishReasoning(state, item, out);
        return;
      case "tool": {
        if (!state.open) return;
        const final = item[item["type"] === "custom_tool_call" ? "input" : "arguments"];
        if (!state.sawDelta) {
          const text = typeof final === "string" && final !== "" ? final : state.pendingArguments;
          if (text !== "") out.push({ type: "tool-call-delta", index: state.index, argumentsDelta: text });
        }
        state.open = false;
        out.push({ type: "tool-call-end", index: state.index });
        return;
      }
      case "native":
        out.push({ type: "native-item", index: nextIndex++, part: nativeItemPart(item) });
        return;
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
  };

  const finishReasoning = (state: ReasoningState, item: WireObject, out: StreamEvent[]): void => {
    if (!state.open) return;
    const summary: string[] = [];
    const summaryList = Array.isArray(item["summary"]) ? item["summary"] : undefined;
    summaryList?.forEach((entry, summaryIndex) => {
      const text = isWireObject(entry) && typeof entry["text"] === "string" ? entry["text"] : "";
      summary.push(text);
      if (!state.summarySeen.has(summaryIndex)) reasoningDelta(state, text, summaryIndex, out);
    });
    if (!state.contentSeen && Array.isArray(item["content"])) {
      const text = item["content"].map((entry) => (isWireObject(entry) && typeof entry["text"] === "string" ? entry["text"] : "")).join("");
      reasoningDelta(state, text, undefined, out);
    }
    const end: StreamEvent = { type: "reasoning-end", index: state.index };
    if (summaryList !== undefined) end.summary = summary;
    const encrypted = item["encrypted_content"];
    if (typeof encrypted === "string") {
      // The final artefact is read here. An origin other than the one reasoning-start gave rides on its own event.
      const artefacts = decodeResponsesEncryptedContent(encrypted);
      const origin = artefacts.origin !== undefined && artefacts.origin.protocol !== state.origin.protocol ? artefacts.origin : undefined;
      if (artefacts.signature !== undefined) {
        out.push(origin === undefined ? { type: "reasoning-signature", index: state.index, signature: artefacts.signature } : { type: "reasoning-signature", index: state.index, signature: artefacts.signature, origin });
      }
      // Redacted data first seen on output_item.done goes on reasoning-end (never lost, never given twice).
      if (artefacts.redactedData !== undefined && artefacts.redactedData !== state.redactedData) end.redactedData = artefacts.redactedData;
      if (artefacts.encryptedContent !== undefined) end.encryptedContent = artefacts.encryptedContent;
      // A bare origin tag (no artefact at all) still names the origin of the block's reasoning (stream-event.ts).
      const bare = artefacts.signature === undefined && artefacts.redactedData === undefined && artefacts.encryptedContent === undefined;
      if (origin !== undefined && (bare || end.redactedData !== undefined || end.encryptedContent !== undefined)) end.origin = origin;
    }
    state.open = false;
    out.push(end);
  };

  return {
    sawToolCall: () => toolCallSeen,
    handle(type, data, out) {
      switch (type) {
        case "response.output_item.added":
          if (isWireObject(data["item"])) added(outputIndexOf(data), data["item"], out);
          return;
        case "response.output_item.done":
          if (isWireObject(data["item"])) finishItem(outputIndexOf(data), data["item"], out);
          return;
        case "response.content_part.added":
        case "response.content_part.done": {
          const part = isWireObject(data["part"]) ? data["part"] : {};
          if (part["type"] !== "output_text" && part["type"] !== "refusal") return;
          const block = textBlockOf(data, part["type"] === "refusal", out);
          if (type === "response.content_part.added" || block === undefined) return;
          if (!block.sawDelta) textDelta(block, part["type"] === "refusal" ? part["refusal"] : part["text"], out);
          closeText(block, part["annotations"], out);
          return;
        }
        case "response.output_text.delta":
        case "response.refusal.delta":
          textDelta(textBlockOf(data, type === "response.refusal.delta", out), data["delta"], out);
          return;
        case "response.output_text.done":
        case "response.refusal.done": {
          const block = textBlockOf(data, type === "response.refusal.done", out);
          if (block !== undefined && !block.sawDelta) textDelta(block, data[type === "response.refusal.done" ? "refusal" : "text"], out);
          return;
        }
        case "response.output_text.annotation.added": {
          const block = textBlockOf(data, false, out);
          if (block !== undefined && data["annotation"] !== undefined) block.annotations.push(data["annotation"]);
          return;
        }
        case "response.reasoning_summary_part.added":
          reasoningState(outputIndexOf(data), out);
          return;
        case "response.reasoning_summary_text.delta":
        case "response.reasoning_summary_text.done": {
          const state = reasoningState(outputIndexOf(data), out);
          const summaryIndex = typeof data["summary_index"] === "number" ? data["summary_index"] : 0;
          if (type.endsWith(".delta")) reasoningDelta(state, data["delta"], summaryIndex, out);
          else if (state !== undefined && !state.summarySeen.has(summaryIndex)) reasoningDelta(state, data["text"], summaryIndex, out);
          return;
        }
        case "response.reasoning_text.delta":
        case "response.reasoning_text.done": {
          const state = reasoningState(outputIndexOf(data), out);
          if (type.endsWith(".delta")) reasoningDelta(state, data["delta"], undefined, out);
          else if (state !== undefined && !state.contentSeen) reasoningDelta(state, data["text"], undefined, out);
          return;
        }
        case "response.function_call_arguments.delta":
        case "response.custom_tool_call_input.delta":
          toolDelta(data, data["delta"], out);
          return;
        case "response.function_call_arguments.done":
        case "response.custom_tool_call_input.done": {
          const state = items.get(outputIndexOf(data));
          if (state?.kind === "tool" && !state.sawDelta) toolDelta(data, data[type === "response.custom_tool_call_input.done" ? "input" : "arguments"], out);
          return;
        }
        default:
          // Hosted-tool progress (web_search_call.searching…), audio and anything newer: the item itself arrives
          // complete in output_item.done.
          return;
      }
    },
    completeFromResponse(out, output) {
      if (Array.isArray(output)) {
        output.forEach((item, outputIndex) => {
          if (isWireObject(item)) finishItem(outputIndex, item, out);
        });
      }
      for (const state of items.values()) {
        if (state.kind === "message") for (const block of state.blocks.values()) closeText(block, undefined, out);
        else if (state.kind === "reasoning" && state.open) {
          state.open = false;
          out.push({ type: "reasoning-end", index: state.index });
        } else if (state.kind === "tool" && state.open) {
          state.open = false;
          out.push({ type: "tool-call-end", index: state.index });
        }
      }
    },
  };
}
