import type { OutputPart, ReasoningPart, StreamEvent, TextPart, ToolCallPart, UnifiedResponse } from "../unified/index.js";

/** Follows a unified stream and rebuilds the complete response it describes. */
export interface StreamResponseAssembler {
  push(event: StreamEvent): void;
  /** True once the stream's `finish` arrived (an `error` terminal never completes it). */
  readonly finished: boolean;
  /** The response, once finished. */
  response(): UnifiedResponse | undefined;
}

/**
 * Streamed answers arrive as deltas (Anthropic thinking as thinking_delta + signature_delta), so the field cache
 * reads them assembled: these parts, encoded by the upstream codec's `encodeResponse`, give the same wire shape a
 * non-streamed answer has, and one set of rule paths serves both.
 */
export function createStreamResponseAssembler(): StreamResponseAssembler {
  const parts = new Map<number, OutputPart>();
  let head: { id?: string; model?: string; created?: number } = {};
  let result: UnifiedResponse | undefined;
  let failed = false;

  const reasoning = (index: number): ReasoningPart | undefined => {
    const part = parts.get(index);
    return part?.type === "reasoning" ? part : undefined;
  };

  return {
    get finished() {
      return result !== undefined;
    },
    response: () => result,
    push(event) {
      switch (event.type) {
        case "start":
          head = { ...(event.id === undefined ? {} : { id: event.id }), ...(event.model === undefined ? {} : { model: event.model }), ...(event.created === undefined ? {} : { created: event.created }) };
          break;
        case "text-start":
          parts.set(event.index, { type: "text", text: "" });
          break;
        case "text-delta": {
          const part = parts.get(event.index);
          if (part?.type === "text") (part as TextPart).text += event.text;
          break;
        }
        case "reasoning-start":
          parts.set(event.index, {
            type: "reasoning",
            text: "",
            ...(event.id === undefined ? {} : { id: event.id }),
            ...(event.redactedData === undefined ? {} : { redactedData: event.redactedData }),
            ...(event.origin === undefined ? {} : { origin: event.origin }),
          });
          break;
        case "reasoning-delta": {
          const part = reasoning(event.index);
          if (part !== undefined) part.text += event.text;
          break;
        }
        case "reasoning-signature": {
          const part = reasoning(event.index);
          if (part !== undefined) part.signature = event.signature;
          break;
        }
        case "reasoning-end": {
          const part = reasoning(event.index);
          if (part === undefined) break;
          if (event.encryptedContent !== undefined) part.encryptedContent = event.encryptedContent;
          if (event.redactedData !== undefined) part.redactedData = event.redactedData;
          if (event.summary !== undefined) part.summary = event.summary;
          break;
        }
        case "tool-call-start":
          parts.set(event.index, {
            type: "tool-call",
            id: event.id,
            name: event.name,
            arguments: "",
            kind: event.kind,
            ...(event.signature === undefined ? {} : { signature: event.signature }),
          });
          break;
        case "tool-call-delta": {
          const part = parts.get(event.index);
          if (part?.type === "tool-call") (part as ToolCallPart).arguments += event.argumentsDelta;
          break;
        }
        case "native-item":
          parts.set(event.index, event.part);
          break;
        case "finish":
          if (failed) break;
          result = {
            id: head.id ?? "",
            model: head.model ?? "",
            ...(head.created === undefined ? {} : { created: head.created }),
            output: [...parts.entries()].sort(([left], [right]) => left - right).map(([, part]) => part),
            finishReason: event.finishReason,
            ...(event.usage === undefined ? {} : { usage: event.usage }),
          };
          break;
        case "error":
          failed = true;
          break;
        case "text-end":
        case "tool-call-end":
        case "usage":
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`unknown stream event ${JSON.stringify(unreachable)}`);
        }
      }
    },
  };
}
