import {
  argumentsToCustomInput,
  canReplayArtefact,
  embedSignatureInToolCallId,
  flattenToolName,
  splitToolCallId,
  type ReasoningPart,
  type ToolCallKind,
  type ToolCallPart,
  type ToolResultPart,
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

/** A reasoning part as a `reasoning` output item shown to a Responses client (foreign artefacts tagged). */
export function encodeResponsesReasoningOutputItem(part: ReasoningPart, context: ItemEncodingContext, defaults: ResponseItemDefaults, path: string): WireObject {
  const item = buildReasoningItem(part, encodeResponsesEncryptedContent(part, context.warnings, path));
  if (item["id"] === undefined) item["id"] = `rs_${defaults.idSuffix}`;
  return item;
}

function buildReasoningItem(part: ReasoningPart, encryptedContent: string | undefined): WireObject {
  const shape = readWireShape(part.extensions);
  const out: WireObject = {};
  spreadWireFields(out, part.extensions);
  out["type"] = "reasoning";
  if (part.id !== undefined) out["id"] = part.id;
  out["summary"] = (part.summary ?? []).map((text) => ({ type: "summary_text", text }));
  const recorded = shape?.reasoningContent;
  if (recorded !== undefined && joinReasoningContent(recorded) === part.text) out["content"] = recorded;
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
