import { flattenToolName, type ContentPart, type MediaSource, type ProtocolId, type UnifiedRequest } from "../../src/unified/index.js";
import { parseToolArguments } from "./stream-content.js";

/**
 * What a request *says*, independent of how a protocol shapes it: instruction texts, then the conversation as runs
 * of one speaker. Tool results form their own `tool` runs wherever a protocol puts them (Chat `tool` messages,
 * Anthropic `tool_result` blocks in a user turn, Gemini `functionResponse` parts), and `developer` ranks as
 * `system`. Within a run each kind keeps its order; order across kinds is not compared, because protocols fix it
 * (Chat puts an assistant's text before its tool calls whatever the source order was).
 */
export interface RequestContent {
  model: string;
  /** Top-level instructions plus leading system/developer messages (protocols move them between the two). */
  system: string[];
  turns: TurnContent[];
  /** Function and custom tools by (flattened) name; native tools as `native:<name>`. */
  tools: string[];
}

/** One speaker's consecutive parts. */
export interface TurnContent {
  speaker: "system" | "user" | "assistant" | "tool";
  texts: string[];
  images: ImageContent[];
  /** Files and audio, by kind. */
  media: string[];
  toolCalls: RequestToolCall[];
  toolResults: RequestToolResult[];
  reasoning: RequestReasoning[];
  refusals: string[];
  natives: number;
}

/** A tool call in history. */
export interface RequestToolCall {
  id: string;
  name: string;
  arguments: unknown;
  signature?: string;
}

/** A tool result sent back. */
export interface RequestToolResult {
  id: string;
  text: string;
  images: ImageContent[];
  isError: boolean;
}

/** A reasoning part in history. */
export interface RequestReasoning {
  text: string;
  /** `signature:`, `redacted:`, `encrypted:` prefixed payloads. */
  artefacts: string[];
  /** undefined when the decoder recorded no origin (a bug when artefacts are present). */
  origin: ProtocolId | undefined;
}

/** An image source; data URLs count as base64 (protocols convert between the two). */
export type ImageContent = { kind: "url"; url: string } | { kind: "base64"; mediaType: string; data: string } | { kind: "file-id"; fileId: string };

/** Projects a unified request onto its comparable content. */
export function unifiedRequestContent(request: UnifiedRequest): RequestContent {
  // Instruction blocks are listed part by part: protocols with one system slot keep the parts, not the blocks.
  const system = request.system.flatMap((block) => block.parts.map((part) => part.text)).filter((text) => text !== "");
  const turns: TurnContent[] = [];
  let leading = true;
  for (const message of request.messages) {
    const isInstruction = message.role === "system" || message.role === "developer";
    if (leading && isInstruction) {
      system.push(...message.content.flatMap((part) => (part.type === "text" && part.text !== "" ? [part.text] : [])));
      continue;
    }
    leading = false;
    for (const part of message.content) {
      const speaker = part.type === "tool-result" || message.role === "tool" ? "tool" : isInstruction ? "system" : message.role === "assistant" ? "assistant" : "user";
      addPart(turnFor(turns, speaker), part);
    }
  }
  const tools = (request.tools ?? []).map((tool) => (tool.type === "native" ? `native:${tool.name}` : flattenToolName(tool.name, tool.type === "function" ? tool.namespace : undefined)));
  return { model: request.model, system, turns: turns.filter((turn) => !isEmptyTurn(turn)), tools };
}

/** The run for `speaker`, continuing the last one when it is the same speaker. */
export function turnFor(turns: TurnContent[], speaker: TurnContent["speaker"]): TurnContent {
  const last = turns[turns.length - 1];
  if (last !== undefined && last.speaker === speaker) return last;
  const turn: TurnContent = { speaker, texts: [], images: [], media: [], toolCalls: [], toolResults: [], reasoning: [], refusals: [], natives: 0 };
  turns.push(turn);
  return turn;
}

/** True when a run holds nothing. */
export function isEmptyTurn(turn: TurnContent): boolean {
  return (
    turn.texts.length + turn.images.length + turn.media.length + turn.toolCalls.length + turn.toolResults.length + turn.reasoning.length + turn.refusals.length + turn.natives ===
    0
  );
}

function addPart(turn: TurnContent, part: ContentPart): void {
  switch (part.type) {
    case "text":
      // An empty text part says nothing (and Anthropic rejects empty text blocks): not content.
      if (part.text !== "") turn.texts.push(part.text);
      return;
    case "image":
      turn.images.push(imageContent(part.source));
      return;
    case "file":
      turn.media.push("file");
      return;
    case "audio":
      turn.media.push("audio");
      return;
    case "tool-call":
      turn.toolCalls.push({
        id: part.id,
        name: part.name,
        arguments: part.kind === "custom" ? { customInput: part.arguments } : parseToolArguments(part.arguments),
        ...(part.signature === undefined ? {} : { signature: part.signature }),
      });
      return;
    case "tool-result":
      turn.toolResults.push({
        id: part.toolCallId,
        text: part.content.map((item) => (item.type === "text" ? item.text : "")).join(""),
        images: part.content.flatMap((item) => (item.type === "image" ? [imageContent(item.source)] : [])),
        isError: part.isError === true,
      });
      return;
    case "reasoning": {
      const artefacts = [
        ...(part.redactedData === undefined ? [] : [`redacted:${part.redactedData}`]),
        ...(part.signature === undefined ? [] : [`signature:${part.signature}`]),
        ...(part.encryptedContent === undefined ? [] : [`encrypted:${part.encryptedContent}`]),
      ];
      turn.reasoning.push({ text: part.text + (part.summary ?? []).join(""), artefacts, origin: part.origin?.protocol });
      return;
    }
    case "refusal":
      turn.refusals.push(part.text);
      return;
    case "native":
      turn.natives += 1;
      return;
    default: {
      const unreachable: never = part;
      throw new Error(`unknown content part ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A media source as comparable data (a `data:` URL is base64 by another name). */
export function imageContent(source: MediaSource): ImageContent {
  if (source.kind === "url") {
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
    if (match !== null) return { kind: "base64", mediaType: match[1] ?? "", data: match[2] ?? "" };
    return { kind: "url", url: source.url };
  }
  if (source.kind === "base64") return { kind: "base64", mediaType: source.mediaType, data: source.data };
  return { kind: "file-id", fileId: source.fileId };
}

/** Equal text lists, or the same text joined into fewer parts ("", "\n" or "\n\n" between them). */
export function textsEquivalent(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length === actual.length && expected.every((text, index) => text === actual[index])) return true;
  return ["", "\n", "\n\n"].some((separator) => expected.join(separator) === actual.join(separator));
}
