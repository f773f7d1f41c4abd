import {
  argumentsToCustomInput,
  canReplayArtefact,
  embedSignatureInToolCallId,
  flattenToolName,
  splitToolCallId,
  type Extensions,
  type ReasoningOrigin,
  type ReasoningPart,
  type ToolCallKind,
  type ToolCallPart,
  type ToolResultPart,
  type UnifiedRequest,
  type UnifiedWarning,
} from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { readWireShape, spreadWireFields } from "./convert-openai-responses-extensions.js";
import { encodeResponsesEncryptedContent } from "./convert-openai-responses-reasoning-artefact.js";
import { encodeResponsesToolOutput, type ContentEncodingContext } from "./encode-openai-responses-content.js";
import type { ResponsesToolName } from "./encode-openai-responses-tools.js";
import { responsesProtocol } from "./types.js";

/** State shared while encoding the items of one request or response. */
export interface ItemEncodingContext extends ContentEncodingContext {
  /** The client's tools by unified name (custom and namespaced tools map calls back). */
  toolNames: ReadonlyMap<string, ResponsesToolName>;
  /** Unified call id → call_id written, where a foreign signature was embedded (tool outputs must match it). */
  wireCallIds: Map<string, string>;
  /** Unified call id → the kind of call item written (its output item must be of the same kind). */
  callKinds: Map<string, ToolCallKind>;
  /** Output items only: the client asked for reasoning summaries (`reasoning.summary`), see summarizesReasoning. */
  reasoningSummaries?: boolean;
}

/** A fresh item-encoding context. */
export function createItemEncodingContext(toolNames: ReadonlyMap<string, ResponsesToolName>, warnings: UnifiedWarning[]): ItemEncodingContext {
  return { warnings, toolNames, wireCallIds: new Map(), callKinds: new Map() };
}

/** Ids and defaults that a response item needs and a request item does not. */
export interface ResponseItemDefaults {
  /** Deterministic id suffix (`<response id>_<output index>`) for items that have no id of their own. */
  idSuffix: string;
  status: string;
}

/**
 * A tool-call part as a `function_call` or `custom_tool_call` item. Calls that crossed another protocol as plain
 * functions become custom or namespaced again when the client declared them so; a foreign (Gemini) signature is
 * embedded in `call_id` so that it comes back with the client's next turn.
 */
export function encodeResponsesToolCallItem(part: ToolCallPart, context: ItemEncodingContext, defaults?: ResponseItemDefaults): WireObject {
  const shape = readWireShape(part.extensions);
  let name = part.name;
  let namespace: string | undefined;
  let kind = part.kind;
  const recordedPrefix = shape?.namespace === undefined ? undefined : flattenToolName("", shape.namespace);
  if (recordedPrefix !== undefined && part.name.startsWith(recordedPrefix)) {
    namespace = shape?.namespace;
    name = part.name.slice(recordedPrefix.length);
  } else {
    const known = context.toolNames.get(part.name);
    if (known !== undefined) {
      name = known.name;
      namespace = known.namespace;
      if (known.kind === "custom") kind = "custom";
    }
  }
  const callId =
    part.signature !== undefined && part.signatureOrigin?.protocol !== responsesProtocol
      ? embedSignatureInToolCallId(part.id, part.signature)
      : part.id;
  if (callId !== part.id) context.wireCallIds.set(part.id, callId);
  context.callKinds.set(part.id, kind);

  const out: WireObject = {};
  spreadWireFields(out, part.extensions);
  out["type"] = kind === "custom" ? "custom_tool_call" : "function_call";
  if (defaults !== undefined && out["id"] === undefined) out["id"] = `${kind === "custom" ? "ctc" : "fc"}_${defaults.idSuffix}`;
  out["call_id"] = callId;
  out["name"] = name;
  if (namespace !== undefined) out["namespace"] = namespace;
  if (kind === "custom") {
    // A custom tool's call that crossed as a function carries `{"input": "..."}`; the client wants the raw input.
    out["input"] = part.kind === "custom" ? part.arguments : argumentsToCustomInput(part.arguments);
  } else {
    out["arguments"] = part.arguments;
    if (defaults !== undefined && out["status"] === undefined) out["status"] = defaults.status;
  }
  return out;
}

/** A tool-result part as a `function_call_output` / `custom_tool_call_output` item, matching its call's id and kind. */
export function encodeResponsesToolOutputItem(part: ToolResultPart, context: ItemEncodingContext, path: string): WireObject {
  const shape = readWireShape(part.extensions);
  const recorded = shape?.wireCallId;
  const callId =
    context.wireCallIds.get(part.toolCallId) ??
    (recorded !== undefined && splitToolCallId(recorded).id === part.toolCallId ? recorded : part.toolCallId);
  const kind = context.callKinds.get(part.toolCallId) ?? part.kind ?? "function";
  if (part.isError === true) {
    // Responses outputs have no error flag; the text of the output is all the model sees.
    context.warnings.push({ code: "tool-error-flag-dropped", message: "tool result is_error has no Responses field", path });
  }
  const out: WireObject = {};
  spreadWireFields(out, part.extensions);
  out["type"] = kind === "custom" ? "custom_tool_call_output" : "function_call_output";
  out["call_id"] = callId;
  out["output"] = encodeResponsesToolOutput(part, context, path);
  if (part.cacheControl !== undefined && context.cacheControlReported !== true) {
    context.cacheControlReported = true;
    context.warnings.push({ code: "cache-control-dropped", message: "cache_control breakpoints have no Responses equivalent", path });
  }
  return out;
}

/**
 * A reasoning part as a `reasoning` item for an upstream request, or undefined when it cannot be sent.
 * OpenAI accepts only reasoning items it produced (their id / encrypted_content are validated; a foreign or
 * fabricated item is a 400), so reasoning of another origin is dropped entirely, visible text included, with a
 * warning; the conversation text itself is unaffected. Responses reasoning that came back through a client of
 * another protocol (its encrypted_content and id in an origin tag) carries as text what that client showed: the
 * item's summaries, which client-facing encoders fold into text. It goes back as one summary, because OpenAI
 * rejects a reasoning input item with non-empty `content` (max length 0); a Responses client's own item is
 * replayed as sent.
 * @see https://platform.openai.com/docs/guides/reasoning#keeping-reasoning-items-in-context
 */
export function encodeResponsesReasoningRequestItem(part: ReasoningPart, context: ItemEncodingContext, path: string): WireObject | undefined {
  // Signatures and redacted data are never Responses' own (it makes neither), whatever origin is recorded.
  if (!canReplayArtefact(part.origin, responsesProtocol) || part.signature !== undefined || part.redactedData !== undefined) {
    context.warnings.push({ code: "reasoning-artefact-dropped", message: `reasoning from ${part.origin?.protocol ?? "another protocol"} cannot be replayed to Responses`, path });
    return undefined;
  }
  const fromResponses = readWireShape(part.extensions)?.reasoningItem === true;
  if (!fromResponses && part.id === undefined && part.encryptedContent === undefined) {
    context.warnings.push({ code: "reasoning-dropped-other-origin", message: "reasoning text without a Responses item id cannot be replayed", path });
    return undefined;
  }
  if (fromResponses || part.text === "" || part.summary !== undefined) return buildReasoningItem(part, part.encryptedContent);
  return buildReasoningItem({ ...part, text: "", summary: [part.text] }, part.encryptedContent);
}

/** Whether a client asked for reasoning summaries: `reasoning.summary` auto, concise or detailed. */
export function wantsReasoningSummaries(request: UnifiedRequest | undefined): boolean {
  const summary = request?.reasoning?.summary;
  return summary !== undefined && summary !== "none";
}

/**
 * Whether reasoning text is shown to this client as a summary part rather than as reasoning_text content. Codex asks
 * for summaries and by default shows only those (raw reasoning_text only with show_raw_agent_reasoning), so behind
 * Anthropic, Gemini or Chat its users would see no thinking; Claude and Gemini document the thinking they return as
 * a summary anyway. Responses' own reasoning keeps the form OpenAI gave it (its summaries and content are replayed
 * to OpenAI as they were). Unlike artefacts, whose origin is never guessed (a wrong one is a 400 upstream), reasoning
 * with no origin counts as foreign here unless it was a Responses item: showing text one way or the other is harmless.
 */
export function summarizesReasoning(origin: ReasoningOrigin | undefined, extensions: Extensions | undefined, context: ItemEncodingContext): boolean {
  if (context.reasoningSummaries !== true) return false;
  if (origin !== undefined) return origin.protocol !== responsesProtocol;
  return readWireShape(extensions)?.reasoningItem !== true;
}

/**
 * A reasoning part as a `reasoning` output item shown to a Responses client (foreign artefacts tagged). Reasoning
 * shown as a summary (summarizesReasoning) that has no summary of its own becomes exactly one summary_text part
 * holding the whole text, and no reasoning_text content: keeping both would send every thought twice in each
 * history a client sends back, and nothing is lost, because decodeResponsesReasoningItem reads that one summary
 * part of a foreign item back as the reasoning's text (hence no warning).
 */
export function encodeResponsesReasoningOutputItem(part: ReasoningPart, context: ItemEncodingContext, defaults: ResponseItemDefaults, path: string): WireObject {
  const asSummary = part.text !== "" && (part.summary === undefined || part.summary.length === 0) && summarizesReasoning(part.origin, part.extensions, context);
  const shown: ReasoningPart = asSummary ? { ...part, text: "", summary: [part.text] } : part;
  const item = buildReasoningItem(shown, encodeResponsesEncryptedContent(part, context.warnings, path));
  if (item["id"] === undefined) item["id"] = `rs_${defaults.idSuffix}`;
  return item;
}

function buildReasoningItem(part: ReasoningPart, encryptedContent: string | undefined): WireObject {
  const shape = readWireShape(part.extensions);
  const out: WireObject = {};
  spreadWireFields(out, part.extensions);
  out["type"] = "reasoning";
  if (part.id !== undefined) out["id"] = part.id;
  // A foreign item read back from its only summary part (decodeResponsesReasoningItem) is written as it came.
  const textAsSummary = shape?.textAsSummary === true && part.summary === undefined;
  out["summary"] = (textAsSummary ? [part.text] : (part.summary ?? [])).map((text) => ({ type: "summary_text", text }));
  const recorded = shape?.reasoningContent;
  if (textAsSummary) {
    if (recorded !== undefined) out["content"] = recorded;
  } else if (recorded !== undefined && joinReasoningContent(recorded) === part.text) out["content"] = recorded;
  else if (part.text !== "") out["content"] = [{ type: "reasoning_text", text: part.text }];
  if (encryptedContent !== undefined) out["encrypted_content"] = encryptedContent;
  return out;
}

function joinReasoningContent(content: unknown[]): string {
  let text = "";
  for (const entry of content) {
    const value = (entry as WireObject | null)?.["text"];
    if (typeof value === "string") text += value;
  }
  return text;
}
