import type { ReasoningOrigin, ReasoningPart, StreamEvent, ToolCallPart } from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { readWireShape } from "./convert-openai-responses-extensions.js";
import { encodeResponsesEncryptedContent, mergeResponsesStreamArtefacts, type StreamArtefact, type StreamArtefacts } from "./convert-openai-responses-reasoning-artefact.js";
import { encodeResponsesAnnotations } from "./encode-openai-responses-content.js";
import { encodeResponsesReasoningOutputItem, encodeResponsesToolCallItem, summarizesReasoning } from "./encode-openai-responses-items.js";
import { encodeNativeItem, startMessageItem, type OutputEncodingContext } from "./encode-openai-responses-output.js";
import type { ResponsesFrameWriter } from "./serialize-openai-responses-stream-frame.js";

type BlockEvent = Extract<StreamEvent, { index: number }>;

interface MessageState {
  outputIndex: number;
  item: WireObject;
  content: WireObject[];
  openParts: number;
  /** Another block started while a part was still open: close the item when its last part ends. */
  closeWhenIdle: boolean;
}
interface TextBlock {
  kind: "text";
  message: MessageState;
  contentIndex: number;
  part: WireObject;
  refusal: boolean;
  text: string;
}
interface ReasoningBlock {
  kind: "reasoning";
  outputIndex: number;
  itemId: string;
  summary: string[];
  openSummary: number | undefined;
  /** reasoning_text content so far (text shown as a summary part is in `summary` only). */
  text: string;
  contentOpen: boolean;
  /** Reasoning shown to this client as summaries (summarizesReasoning). */
  summarizes: boolean;
  /**
   * Where the block's text goes, fixed by its first text delta: summary part 0 when it summarizes and no summary of
   * its own came first (later summaries of its own follow it, one index up), else reasoning_text content.
   */
  textShown?: "summary" | "content";
  /** The reasoning-start's `origin`: where the block's artefacts come from unless their own event says otherwise. */
  origin?: ReasoningOrigin;
  signature?: StreamArtefact;
  redactedData?: StreamArtefact;
}
interface ToolBlock {
  kind: "tool";
  outputIndex: number;
  itemId: string;
  part: ToolCallPart;
  custom: boolean;
  /** A custom tool's call arriving as function arguments: its raw input is only known at the end. */
  mapped: boolean;
  arguments: string;
}
type Block = TextBlock | ReasoningBlock | ToolBlock;

/** Writes the item-level part of a Responses stream. */
export interface ResponsesBlockWriter {
  push(event: BlockEvent): string;
  /** Ends every open block and item (before a terminal event); `status` for message items still open. */
  closeAll(status: "completed" | "incomplete"): string;
}

/** What the block writer needs from its stream encoder. */
export interface BlockWriterOptions {
  frame: ResponsesFrameWriter;
  /** The response's output items so far, shared with the terminal response object. */
  output: WireObject[];
  context: OutputEncodingContext;
}

/** Makes the item writer of one Responses stream. */
export function createResponsesBlockWriter({ frame, output, context }: BlockWriterOptions): ResponsesBlockWriter {
  const blocks = new Map<number, Block>();
  const pendingMessages = new Set<MessageState>();
  let message: MessageState | undefined;
  const suffix = (outputIndex: number): string => `${context.idBase}_${outputIndex}`;

  const closeMessage = (state: MessageState, status: string): string => {
    pendingMessages.delete(state);
    if (message === state) message = undefined;
    state.item["status"] = status;
    output[state.outputIndex] = state.item;
    return frame("response.output_item.done", { output_index: state.outputIndex, item: state.item });
  };
  const detachMessage = (): string => {
    const state = message;
    if (state === undefined) return "";
    message = undefined;
    if (state.openParts === 0) return closeMessage(state, "completed");
    state.closeWhenIdle = true;
    return "";
  };

  const textStart = (event: Extract<StreamEvent, { type: "text-start" }>): string => {
    const shape = readWireShape(event.extensions);
    let text = "";
    if (message !== undefined && (shape?.item !== undefined || message.openParts > 0)) text += detachMessage();
    if (message === undefined) {
      const outputIndex = output.length;
      const item = startMessageItem(undefined, outputIndex, context);
      if (shape?.item !== undefined) Object.assign(item, shape.item);
      item["status"] = "in_progress";
      const content: WireObject[] = [];
      item["content"] = content;
      output.push(item);
      message = { outputIndex, item, content, openParts: 0, closeWhenIdle: false };
      pendingMessages.add(message);
      text += frame("response.output_item.added", { output_index: outputIndex, item });
    }
    const refusal = shape?.refusal === true;
    const part: WireObject = refusal ? { type: "refusal", refusal: "" } : { type: "output_text", annotations: [], logprobs: [], text: "" };
    const contentIndex = message.content.length;
    text += frame("response.content_part.added", { item_id: message.item["id"], output_index: message.outputIndex, content_index: contentIndex, part });
    message.content.push(part);
    message.openParts++;
    blocks.set(event.index, { kind: "text", message, contentIndex, part, refusal, text: "" });
    return text;
  };

  const textEnd = (block: TextBlock, citations: Parameters<typeof encodeResponsesAnnotations>[0] | undefined): string => {
    const state = block.message;
    const where = { item_id: state.item["id"], output_index: state.outputIndex, content_index: block.contentIndex };
    let text = "";
    if (block.refusal) {
      block.part["refusal"] = block.text;
      text += frame("response.refusal.done", { ...where, refusal: block.text });
    } else {
      const annotations = encodeResponsesAnnotations(citations ?? [], context.warnings);
      annotations.forEach((annotation, annotationIndex) => {
        text += frame("response.output_text.annotation.added", { ...where, annotation_index: annotationIndex, annotation });
      });
      block.part["text"] = block.text;
      block.part["annotations"] = annotations;
      text += frame("response.output_text.done", { ...where, text: block.text, logprobs: [] });
    }
    text += frame("response.content_part.done", { ...where, part: block.part });
    state.openParts--;
    if (state.closeWhenIdle && state.openParts === 0) text += closeMessage(state, "completed");
    return text;
  };

  const reasoningStart = (event: Extract<StreamEvent, { type: "reasoning-start" }>): string => {
    const text = detachMessage();
    const outputIndex = output.length;
    const itemId = event.id ?? `rs_${suffix(outputIndex)}`;
    const summarizes = summarizesReasoning(event.origin, event.extensions, context);
    const block: ReasoningBlock = { kind: "reasoning", outputIndex, itemId, summary: [], openSummary: undefined, text: "", contentOpen: false, summarizes };
    if (event.origin !== undefined) block.origin = event.origin;
    blocks.set(event.index, block);
    const item: WireObject = { id: itemId, type: "reasoning", summary: [] };
    if (event.redactedData !== undefined) {
      // Known from the start: the added item carries its encrypted_content already, as OpenAI's does. No origin
      // means Responses' own (artefactForProtocol), where redacted data cannot exist: dropped, with the warning
      // given once, by output_item.done.
      block.redactedData = { value: event.redactedData, origin: block.origin };
      const encrypted = encodeResponsesEncryptedContent({ redactedData: event.redactedData, origin: block.origin }, []);
      if (encrypted !== undefined) item["encrypted_content"] = encrypted;
    }
    output.push(item);
    return text + frame("response.output_item.added", { output_index: outputIndex, item });
  };

  const closeSummary = (block: ReasoningBlock): string => {
    const summaryIndex = block.openSummary;
    if (summaryIndex === undefined) return "";
    block.openSummary = undefined;
    const where = { item_id: block.itemId, output_index: block.outputIndex, summary_index: summaryIndex };
    const summaryText = block.summary[summaryIndex] ?? "";
    return (
      frame("response.reasoning_summary_text.done", { ...where, text: summaryText }) +
      frame("response.reasoning_summary_part.done", { ...where, part: { type: "summary_text", text: summaryText } })
    );
  };

  const reasoningDelta = (block: ReasoningBlock, delta: string, ownSummaryIndex: number | undefined): string => {
    let text = "";
    let summaryIndex = ownSummaryIndex;
    if (summaryIndex === undefined) {
      block.textShown ??= block.summarizes && block.summary.length === 0 ? "summary" : "content";
      // Text after a summary of the block's own went out cannot rejoin part 0: it stays content (no upstream mixes them).
      if (block.textShown === "summary" && (block.openSummary === 0 || block.summary.length === 0)) summaryIndex = 0;
    } else if (block.textShown === "summary") {
      summaryIndex += 1;
    }
    if (summaryIndex === undefined) {
      const where = { item_id: block.itemId, output_index: block.outputIndex, content_index: 0 };
      if (!block.contentOpen) {
        block.contentOpen = true;
        text += frame("response.content_part.added", { ...where, part: { type: "reasoning_text", text: "" } });
      }
      block.text += delta;
      return text + frame("response.reasoning_text.delta", { ...where, delta });
    }
    if (block.openSummary !== summaryIndex) {
      text += closeSummary(block);
      block.openSummary = summaryIndex;
      while (block.summary.length <= summaryIndex) block.summary.push("");
      text += frame("response.reasoning_summary_part.added", {
        item_id: block.itemId,
        output_index: block.outputIndex,
        summary_index: summaryIndex,
        part: { type: "summary_text", text: "" },
      });
    }
    block.summary[summaryIndex] += delta;
    return text + frame("response.reasoning_summary_text.delta", { item_id: block.itemId, output_index: block.outputIndex, summary_index: summaryIndex, delta });
  };

  const reasoningEnd = (block: ReasoningBlock, event: Omit<Extract<StreamEvent, { type: "reasoning-end" }>, "type" | "index">): string => {
    let text = closeSummary(block);
    if (block.contentOpen) {
      const where = { item_id: block.itemId, output_index: block.outputIndex, content_index: 0 };
      text += frame("response.reasoning_text.done", { ...where, text: block.text });
      text += frame("response.content_part.done", { ...where, part: { type: "reasoning_text", text: block.text } });
    }
    // A block whose text went out as summary part 0 keeps what was streamed; `event.summary` (a Responses upstream's
    // final summaries) can only belong to a block that did not.
    const summary = block.textShown === "summary" ? block.summary : (event.summary ?? block.summary);
    const part: ReasoningPart = { type: "reasoning", text: block.text, summary, id: block.itemId };
    // Artefacts known only now (an encrypted payload, or redacted data a Responses upstream gave on output_item.done)
    // have the end event's origin, else the block's.
    const origin = event.origin ?? block.origin;
    const path = `output[${block.outputIndex}]`;
    const endRedacted: StreamArtefact | undefined = event.redactedData === undefined ? undefined : { value: event.redactedData, origin };
    const redactedData = block.redactedData ?? endRedacted;
    if (endRedacted !== undefined && redactedData !== endRedacted && endRedacted.value !== redactedData?.value) {
      context.warnings.push({ code: "reasoning-artefact-dropped", message: "a second redacted payload does not fit encrypted_content", path });
    }
    const collected: StreamArtefacts = {};
    if (block.signature !== undefined) collected.signature = block.signature;
    if (redactedData !== undefined) collected.redactedData = redactedData;
    if (event.encryptedContent !== undefined) collected.encryptedContent = { value: event.encryptedContent, origin };
    const artefacts = mergeResponsesStreamArtefacts(collected, context.warnings, path);
    Object.assign(part, artefacts);
    // Without artefacts the end event's origin (a bare origin tag read late) still names the reasoning's.
    if (part.origin === undefined && origin !== undefined) part.origin = origin;
    const item = encodeResponsesReasoningOutputItem(part, context, { idSuffix: suffix(block.outputIndex), status: "completed" }, path);
    output[block.outputIndex] = item;
    return text + frame("response.output_item.done", { output_index: block.outputIndex, item });
  };

  const toolStart = (event: Extract<StreamEvent, { type: "tool-call-start" }>): string => {
    const text = detachMessage();
    const outputIndex = output.length;
    const part: ToolCallPart = { type: "tool-call", id: event.id, name: event.name, arguments: "", kind: event.kind };
    if (event.signature !== undefined) {
      // Only Gemini signs tool calls.
      part.signature = event.signature;
      part.signatureOrigin = { protocol: "gemini" };
    }
    if (event.extensions !== undefined) part.extensions = event.extensions;
    const item = encodeResponsesToolCallItem(part, context, { idSuffix: suffix(outputIndex), status: "in_progress" });
    const custom = item["type"] === "custom_tool_call";
    output.push(item);
    blocks.set(event.index, { kind: "tool", outputIndex, itemId: String(item["id"]), part, custom, mapped: custom && event.kind !== "custom", arguments: "" });
    return text + frame("response.output_item.added", { output_index: outputIndex, item });
  };

  const toolEnd = (block: ToolBlock): string => {
    const item = encodeResponsesToolCallItem({ ...block.part, arguments: block.arguments }, context, { idSuffix: suffix(block.outputIndex), status: "completed" });
    const where = { item_id: block.itemId, output_index: block.outputIndex };
    let text = "";
    if (block.custom) {
      const input = String(item["input"]);
      if (block.mapped && input !== "") text += frame("response.custom_tool_call_input.delta", { ...where, delta: input });
      text += frame("response.custom_tool_call_input.done", { ...where, input });
    } else {
      text += frame("response.function_call_arguments.done", { ...where, name: item["name"], arguments: block.arguments });
    }
    output[block.outputIndex] = item;
    return text + frame("response.output_item.done", { output_index: block.outputIndex, item });
  };

  const end = (index: number, event?: Extract<StreamEvent, { type: "text-end" | "reasoning-end" }>): string => {
    const block = blocks.get(index);
    if (block === undefined) return "";
    blocks.delete(index);
    switch (block.kind) {
      case "text":
        return textEnd(block, event?.type === "text-end" ? event.citations : undefined);
      case "reasoning":
        return reasoningEnd(block, event?.type === "reasoning-end" ? event : {});
      case "tool":
        return toolEnd(block);
      default: {
        const unreachable: never = block;
        return unreachable;
      }
    }
  };

  return {
    push(event) {
      const block = blocks.get(event.index);
      switch (event.type) {
        case "text-start":
          return textStart(event);
        case "text-delta": {
          if (block?.kind !== "text" || event.text === "") return "";
          block.text += event.text;
          const where = { item_id: block.message.item["id"], output_index: block.message.outputIndex, content_index: block.contentIndex };
          if (block.refusal) return frame("response.refusal.delta", { ...where, delta: event.text });
          return frame("response.output_text.delta", { ...where, delta: event.text, logprobs: [] });
        }
        case "reasoning-start":
          return reasoningStart(event);
        case "reasoning-delta":
          return block?.kind === "reasoning" && event.text !== "" ? reasoningDelta(block, event.text, event.summaryIndex) : "";
        case "reasoning-signature":
          if (block?.kind === "reasoning") block.signature = { value: event.signature, origin: event.origin ?? block.origin };
          return "";
        case "tool-call-start":
          return toolStart(event);
        case "tool-call-delta": {
          if (block?.kind !== "tool" || event.argumentsDelta === "") return "";
          block.arguments += event.argumentsDelta;
          if (block.mapped) return "";
          const type = block.custom ? "response.custom_tool_call_input.delta" : "response.function_call_arguments.delta";
          return frame(type, { item_id: block.itemId, output_index: block.outputIndex, delta: event.argumentsDelta });
        }
        case "text-end":
        case "reasoning-end":
          return end(event.index, event);
        case "tool-call-end":
          return end(event.index);
        case "native-item": {
          const text = detachMessage();
          const item = encodeNativeItem(event.part);
          if (item === undefined) {
            context.warnings.push({ code: "native-part-dropped", message: `${event.part.protocol} item has no Responses form` });
            return text;
          }
          const outputIndex = output.length;
          output.push(item);
          return text + frame("response.output_item.added", { output_index: outputIndex, item }) + frame("response.output_item.done", { output_index: outputIndex, item });
        }
        default: {
          const unreachable: never = event;
          return unreachable;
        }
      }
    },
    closeAll(status) {
      let text = "";
      for (const index of [...blocks.keys()]) text += end(index);
      for (const state of [...pendingMessages]) text += closeMessage(state, status);
      message = undefined;
      return text;
    },
  };
}
