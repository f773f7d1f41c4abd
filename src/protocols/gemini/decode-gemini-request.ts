import {
  invalidRequest,
  type CodecOutput,
  type InstructionBlock,
  type MessageRole,
  type TextPart,
  type UnifiedMessage,
  type UnifiedRequest,
} from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  expectString,
  joinPath,
  optionalString,
  type WireObject,
} from "../common/index.js";
import { decodeGeminiGenerationConfig } from "./decode-gemini-generation-config.js";
import { decodeGeminiParts, type GeminiPartDecoding } from "./decode-gemini-parts.js";
import { decodeGeminiToolConfig, decodeGeminiTools } from "./decode-gemini-tools.js";
import { bothSpellings, GeminiFieldReader } from "./map-gemini-field-name.js";
import { geminiMarkers as marker, geminiProtocol } from "./types.js";

const requestKeys = bothSpellings(["model", "contents", "systemInstruction", "tools", "toolConfig", "generationConfig"]);
const contentKeys = new Set(["role", "parts"]);
const systemPartKeys = new Set(["text"]);
const systemContentKeys = new Set(["parts"]);

/**
 * Gemini generateContent request body → unified. The model is in the URL, not the body: `model` is taken from the
 * body when present (some SDK proxies add it) and is "" otherwise, for the server to fill from the path. Whether
 * the call streams is also decided by the URL (`:streamGenerateContent`), so `stream` is false here.
 * safetySettings, cachedContent, labels and any unknown field ride in `extensions.gemini`.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
export function decodeGeminiRequest(body: unknown): CodecOutput<UnifiedRequest> {
  const root = expectObject(body, "");
  const reader = new GeminiFieldReader();
  const contentsValue = root["contents"];
  if (contentsValue === undefined || contentsValue === null) throw invalidRequest("contents", "is required");
  const messages = decodeContents(expectArray(contentsValue, "contents"), reader);

  const request: UnifiedRequest = {
    model: optionalString(root, "model", "") ?? "",
    system: [],
    messages,
    generation: {},
    stream: false,
    sourceProtocol: geminiProtocol,
  };
  const markers: Record<string, unknown> = collectUnknownFields(root, requestKeys) ?? {};

  const systemInstruction = reader.read(root, "systemInstruction");
  if (systemInstruction !== undefined && systemInstruction !== null) {
    request.system.push(decodeSystemInstruction(systemInstruction, reader.wireKey(root, "systemInstruction")));
  }
  const tools = reader.read(root, "tools");
  if (tools !== undefined && tools !== null) request.tools = decodeGeminiTools(tools, reader);
  const toolConfig = reader.read(root, "toolConfig");
  if (toolConfig !== undefined && toolConfig !== null) {
    const decoded = decodeGeminiToolConfig(toolConfig, reader);
    if (decoded.toolChoice !== undefined) request.toolChoice = decoded.toolChoice;
    Object.assign(markers, decoded.markers);
  }
  const generationConfig = reader.read(root, "generationConfig");
  if (generationConfig !== undefined && generationConfig !== null) {
    const decoded = decodeGeminiGenerationConfig(generationConfig, reader);
    request.generation = decoded.generation;
    if (decoded.responseFormat !== undefined) request.responseFormat = decoded.responseFormat;
    if (decoded.reasoning !== undefined) request.reasoning = decoded.reasoning;
    Object.assign(markers, decoded.markers);
  }
  const snake = reader.snakeNames();
  if (snake !== undefined) markers[marker.snake] = snake;
  if (Object.keys(markers).length > 0) request.extensions = { [geminiProtocol]: markers };
  return { value: request, warnings: [] };
}

/**
 * contents[] → messages. Roles: user → user, model → assistant; function responses arrive in `user` contents (or
 * the legacy `function` role, kept as a marker) and stay there as tool-result parts, in order.
 * @see https://ai.google.dev/api/caching#Content
 */
function decodeContents(contents: unknown[], reader: GeminiFieldReader): UnifiedMessage[] {
  const decoding: GeminiPartDecoding = { reader, strict: true, idSeed: "", calls: [] };
  const messages: UnifiedMessage[] = new Array<UnifiedMessage>(contents.length);
  for (let at = 0; at < contents.length; at += 1) {
    const path = joinPath("contents", at);
    const content = expectObject(contents[at], path);
    const markers: Record<string, unknown> = collectUnknownFields(content, contentKeys) ?? {};
    const role = decodeRole(content, path, markers);
    const partsValue = content["parts"];
    if (partsValue === undefined || partsValue === null) throw invalidRequest(joinPath(path, "parts"), "is required");
    decoding.idSeed = `contents[${at}]`;
    const parts = decodeGeminiParts(expectArray(partsValue, joinPath(path, "parts")), joinPath(path, "parts"), decoding);
    const message: UnifiedMessage = { role, content: parts };
    if (Object.keys(markers).length > 0) message.extensions = { [geminiProtocol]: markers };
    messages[at] = message;
  }
  return messages;
}

function decodeRole(content: WireObject, path: string, markers: Record<string, unknown>): MessageRole {
  const role = content["role"];
  switch (role) {
    case undefined:
    case null:
    case "":
      // A single-turn request may leave the role unset; Gemini reads it as the user.
      markers[marker.noRole] = role ?? true;
      return "user";
    case "user":
      return "user";
    case "model":
      return "assistant";
    case "function":
      markers[marker.wireRole] = "function";
      return "user";
    default:
      throw invalidRequest(joinPath(path, "role"), `unknown role ${JSON.stringify(role)}; expected "user" or "model"`);
  }
}

/**
 * systemInstruction: a Content of text parts (its `role`, usually "user", is kept verbatim) or, from some SDKs, a
 * plain string. Gemini takes text only here.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
function decodeSystemInstruction(value: unknown, key: string): InstructionBlock {
  if (typeof value === "string") {
    return { role: "system", parts: [{ type: "text", text: value }], extensions: { [geminiProtocol]: { [marker.stringContent]: true } } };
  }
  const content = expectObject(value, key);
  const partsPath = joinPath(key, "parts");
  const partsValue = content["parts"];
  const parts: TextPart[] =
    partsValue === undefined || partsValue === null
      ? []
      : expectArray(partsValue, partsPath).map((part, at) => {
          const partPath = joinPath(partsPath, at);
          const object = expectObject(part, partPath);
          if (object["text"] === undefined) throw invalidRequest(partPath, "systemInstruction takes text parts only");
          const text: TextPart = { type: "text", text: expectString(object["text"], joinPath(partPath, "text")) };
          const unknown = collectUnknownFields(object, systemPartKeys);
          if (unknown !== undefined) text.extensions = { [geminiProtocol]: unknown };
          return text;
        });
  const block: InstructionBlock = { role: "system", parts };
  const markers = collectUnknownFields(content, systemContentKeys) ?? {};
  if (partsValue === undefined) markers[marker.noParts] = true;
  if (Object.keys(markers).length > 0) block.extensions = { [geminiProtocol]: markers };
  return block;
}
