import { countTokens } from "gpt-tokenizer";
import type { ContentPart, UnifiedRequest } from "../unified/index.js";

/**
 * A tokenizer count of everything a request sends upstream: system blocks, every message part (text, tool calls
 * with their arguments, tool results, reasoning text), tool definitions and the response schema. Used for
 * `count_tokens` when the target has no count endpoint. It uses OpenAI's o200k_base encoding, so counts for other
 * model families are estimates; media have no text to count and are charged a fixed estimate per part.
 */
export function countRequestTokens(request: UnifiedRequest): number {
  let total = 0;
  for (const block of request.system) for (const part of block.parts) total += countTokens(part.text);
  for (const message of request.messages) {
    // Per-message framing (role markers), as chat templates add a few tokens per turn.
    total += messageOverheadTokens;
    for (const part of message.content) total += countPartTokens(part);
  }
  for (const tool of request.tools ?? []) {
    switch (tool.type) {
      case "function":
        total += countTokens(`${tool.name}\n${tool.description ?? ""}\n${JSON.stringify(tool.parameters)}`);
        break;
      case "custom":
        total += countTokens(`${tool.name}\n${tool.description ?? ""}\n${JSON.stringify(tool.format ?? null)}`);
        break;
      case "native":
        total += countTokens(JSON.stringify(tool.value));
        break;
      default: {
        const unreachable: never = tool;
        return unreachable;
      }
    }
  }
  if (request.responseFormat?.type === "json_schema") total += countTokens(JSON.stringify(request.responseFormat.schema));
  return total;
}

/** Tokens a media part is charged when its size is unknown (a mid-size image on current vision models). */
export const mediaPartTokenEstimate = 1_000;
const messageOverheadTokens = 3;

function countPartTokens(part: ContentPart): number {
  switch (part.type) {
    case "text":
    case "refusal":
      return countTokens(part.text);
    case "reasoning":
      return countTokens([part.text, ...(part.summary ?? [])].join("\n"));
    case "tool-call":
      return countTokens(`${part.name}\n${part.arguments}`);
    case "tool-result":
      return part.content.reduce((sum, inner) => sum + countPartTokens(inner), 0);
    case "image":
    case "file":
    case "audio":
      return mediaPartTokenEstimate;
    case "native":
      return countTokens(JSON.stringify(part.value));
    default: {
      const unreachable: never = part;
      return unreachable;
    }
  }
}
