import type { UnifiedResponse } from "../../src/unified/index.js";
import { parseToolArguments, usageContent, type StreamContent } from "./stream-content.js";

/** The content of a decoded non-streaming response, in the same shape as a stream's (so one comparison serves both). */
export function unifiedResponseContent(response: UnifiedResponse): StreamContent & { textParts: string[] } {
  const textParts: string[] = [];
  let refusalText = "";
  let reasoningText = "";
  const artefacts: string[] = [];
  const toolCalls: StreamContent["toolCalls"] = [];
  let nativeItems = 0;
  for (const part of response.output) {
    switch (part.type) {
      case "text":
        textParts.push(part.text);
        break;
      case "refusal":
        refusalText += part.text;
        break;
      case "reasoning":
        reasoningText += part.text + (part.summary ?? []).join("");
        if (part.redactedData !== undefined) artefacts.push(`redacted:${part.redactedData}`);
        if (part.signature !== undefined) artefacts.push(`signature:${part.signature}`);
        if (part.encryptedContent !== undefined) artefacts.push(`encrypted:${part.encryptedContent}`);
        break;
      case "tool-call":
        toolCalls.push({
          id: part.id,
          name: part.name,
          arguments: part.kind === "custom" ? { customInput: part.arguments } : parseToolArguments(part.arguments),
          ...(part.signature === undefined ? {} : { signature: part.signature }),
        });
        break;
      case "native":
        nativeItems += 1;
        break;
      case "image":
        break;
      default: {
        const unreachable: never = part;
        throw new Error(`unknown output part ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return {
    text: textParts.join(""),
    textParts,
    refusalText,
    reasoningText,
    artefacts,
    toolCalls,
    nativeItems,
    ...(response.usage === undefined ? {} : { usage: usageContent(response.usage) }),
    ending: { kind: "finish", unified: response.finishReason.unified, raw: response.finishReason.raw },
  };
}
