import type {
  CodecOutput,
  ContentPart,
  EncodeRequestOptions,
  InstructionBlock,
  UnifiedMessage,
  UnifiedRequest,
} from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { encodeGeminiGenerationConfig } from "./encode-gemini-generation-config.js";
import {
  encodeGeminiParts,
  ownGeminiRecord,
  warnCacheControlDropped,
  warnOnce,
  writeGeminiWireFields,
  type GeminiPartEncoding,
} from "./encode-gemini-parts.js";
import { encodeGeminiToolConfig, encodeGeminiTools } from "./encode-gemini-tools.js";
import { GeminiFieldWriter } from "./map-gemini-field-name.js";
import { geminiMarkers as marker, isGemini3Model, skipThoughtSignatureValidator, type GeminiWireContent, type GeminiWirePart } from "./types.js";

/**
 * Unified → Gemini generateContent body. The model is not written: it belongs in the URL, which the provider layer
 * builds. Fields kept from a Gemini client (safetySettings, cachedContent, labels, unknown ones) go back verbatim.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
export function encodeGeminiRequest(request: UnifiedRequest, options?: EncodeRequestOptions): CodecOutput<Record<string, unknown>> {
  const record = ownGeminiRecord(request.extensions);
  const encoding: GeminiPartEncoding = {
    direction: "request",
    writer: new GeminiFieldWriter(record?.[marker.snake]),
    warnings: [],
    warned: new Set(),
    callNames: new Map(),
  };
  const { writer } = encoding;
  const body: WireObject = {};
  writeGeminiWireFields(body, record);

  // Gemini has no system role in contents: leading system/developer messages join systemInstruction.
  let firstTurn = 0;
  while (firstTurn < request.messages.length && isInstruction(request.messages[firstTurn] as UnifiedMessage)) firstTurn += 1;
  const systemInstruction = encodeSystemInstruction(request.system, request.messages.slice(0, firstTurn), encoding);
  if (systemInstruction !== undefined) body[writer.name("systemInstruction")] = systemInstruction;
  body["contents"] = encodeContents(request, firstTurn, encoding);

  const tools = encodeGeminiTools(request, encoding);
  if (tools !== undefined) body["tools"] = tools;
  const toolConfig = encodeGeminiToolConfig(request, record, encoding);
  if (toolConfig !== undefined) body[writer.name("toolConfig")] = toolConfig;
  const generationConfig = encodeGeminiGenerationConfig(request, record, options, encoding);
  if (generationConfig !== undefined) body[writer.name("generationConfig")] = generationConfig;
  // prompt_cache_key and metadata.user have no Gemini field: they serve routing and accounting before this point.
  return { value: body, warnings: encoding.warnings };
}

function isInstruction(message: UnifiedMessage): boolean {
  return message.role === "system" || message.role === "developer";
}

/** Instruction blocks (and hoisted leading system messages) → one systemInstruction Content of text parts. */
function encodeSystemInstruction(blocks: readonly InstructionBlock[], hoisted: readonly UnifiedMessage[], encoding: GeminiPartEncoding): unknown {
  if (blocks.length === 0 && hoisted.length === 0) return undefined;
  const first = blocks[0];
  const firstRecord = ownGeminiRecord(first?.extensions);
  if (blocks.length === 1 && hoisted.length === 0 && firstRecord?.[marker.stringContent] === true) {
    return first?.parts.map((part) => part.text).join("") ?? "";
  }
  const parts: GeminiWirePart[] = [];
  for (const block of blocks) {
    for (const part of block.parts) {
      const wire: GeminiWirePart = {};
      writeGeminiWireFields(wire, ownGeminiRecord(part.extensions));
      wire["text"] = part.text;
      parts.push(wire);
      if (part.cacheControl !== undefined) warnCacheControlDropped(encoding);
    }
  }
  hoisted.forEach((message, at) => parts.push(...instructionText(message.content, `messages[${at}]`, encoding)));
  const content: WireObject = {};
  writeGeminiWireFields(content, firstRecord);
  if (!(firstRecord?.[marker.noParts] === true && parts.length === 0)) content["parts"] = parts;
  return content;
}

/** The text of a system/developer message (Gemini takes only text as instructions). */
function instructionText(content: readonly ContentPart[], path: string, encoding: GeminiPartEncoding): GeminiWirePart[] {
  const parts: GeminiWirePart[] = [];
  for (const part of content) {
    if (part.type === "text") parts.push({ text: part.text });
    else warnOnce(encoding, "instruction-part-dropped", "Gemini instructions take text only; a non-text part was dropped", path);
  }
  return parts;
}

/**
 * Messages → contents. user → user, assistant → model; tool-role messages (Chat, Responses) become user contents,
 * consecutive ones merged, because Gemini wants all responses to one turn's calls together and in call order.
 * A later system/developer message becomes a user content in place, with a warning.
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 */
function encodeContents(request: UnifiedRequest, firstTurn: number, encoding: GeminiPartEncoding): GeminiWireContent[] {
  const contents: GeminiWireContent[] = [];
  const gemini3 = isGemini3Model(request.model);
  let callOrder = new Map<string, number>();
  for (let at = firstTurn; at < request.messages.length; at += 1) {
    const message = request.messages[at] as UnifiedMessage;
    const path = `messages[${at}]`;
    if (isInstruction(message)) {
      const warning = "Gemini has no system role inside contents; a later system message was sent as a user turn";
      warnOnce(encoding, "system-message-as-user", warning, path);
      contents.push({ role: "user", parts: instructionText(message.content, path, encoding) });
      continue;
    }
    let parts = message.content;
    if (message.role === "tool") {
      // Consecutive tool messages answer one model turn: one content, in call order.
      while (request.messages[at + 1]?.role === "tool") {
        at += 1;
        parts = parts.concat((request.messages[at] as UnifiedMessage).content);
      }
    }
    if (message.role !== "assistant") parts = inCallOrder(parts, callOrder);
    const record = ownGeminiRecord(message.extensions);
    const encoded = encodeGeminiParts(parts, `${path}.content`, encoding);
    const wireParts = encoded.besideMedia.length > 0 ? [...encoded.parts, ...encoded.besideMedia] : encoded.parts;
    // Everything in it was dropped (reasoning of another origin): Gemini rejects a content without parts.
    if (wireParts.length === 0 && parts.length > 0) continue;
    const content: GeminiWireContent = {};
    writeGeminiWireFields(content, record);
    const role = wireRole(message, record);
    if (role !== undefined) (content as WireObject)["role"] = role;
    content.parts = wireParts;
    contents.push(content);
    if (message.role === "assistant") {
      callOrder = new Map();
      let position = 0;
      for (const part of message.content) if (part.type === "tool-call") callOrder.set(part.id, position++);
      if (gemini3 && position > 0) signFirstCall(wireParts, path, encoding);
    }
  }
  return contents;
}

function wireRole(message: UnifiedMessage, record: Record<string, unknown> | undefined): string | null | undefined {
  if (record !== undefined && marker.noRole in record) {
    const noRole = record[marker.noRole];
    return noRole === null || noRole === "" ? noRole : undefined;
  }
  if (typeof record?.[marker.wireRole] === "string") return record[marker.wireRole] as string;
  return message.role === "assistant" ? "model" : "user";
}

/** Tool results of one turn, ordered like the calls they answer (other parts keep their place). */
function inCallOrder(parts: ContentPart[], callOrder: ReadonlyMap<string, number>): ContentPart[] {
  if (parts.length < 2 || callOrder.size < 2 || !parts.every((part) => part.type === "tool-result")) return parts;
  const rank = (part: ContentPart): number => (part.type === "tool-result" ? (callOrder.get(part.toolCallId) ?? callOrder.size) : 0);
  return [...parts].sort((a, b) => rank(a) - rank(b));
}

/**
 * Gemini 3 validates the thought signature of the first function call of each model step. When history lost it
 * (another model made the call, or a client dropped it), the documented sentinel goes on the first call instead.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
function signFirstCall(parts: GeminiWirePart[], path: string, encoding: GeminiPartEncoding): void {
  const callKey = encoding.writer.name("functionCall");
  const signatureKey = encoding.writer.name("thoughtSignature");
  const calls = parts.filter((part) => part[callKey] !== undefined);
  const first = calls[0];
  if (first === undefined || calls.some((part) => part[signatureKey] !== undefined)) return;
  first[signatureKey] = skipThoughtSignatureValidator;
  encoding.warnings.push({
    code: "thought-signature-sentinel",
    message: "a function call had no Gemini thought signature; the skip_thought_signature_validator sentinel was sent",
    path,
  });
}
