import type { OutputPart, StreamEvent, UnifiedResponse, UnifiedWarning } from "../unified/index.js";

/** The events and what could not be expressed as events. */
export interface SynthesizedStream {
  events: StreamEvent[];
  warnings: UnifiedWarning[];
}

/**
 * The unified stream equivalent to a complete response: `start`, one block per output part (start, one delta with
 * the whole content, end), `usage`, then `finish`. The sequence obeys the stream grammar, so any client encoder
 * turns it into a well-formed stream of its protocol. Used when a provider's streaming is broken and the gateway
 * asks for the whole answer instead (`streamViaNonStream`).
 */
export function synthesizeStreamEvents(response: UnifiedResponse): SynthesizedStream {
  const events: StreamEvent[] = [
    {
      type: "start",
      id: response.id,
      model: response.model,
      ...(response.created === undefined ? {} : { created: response.created }),
      ...(response.extensions === undefined ? {} : { extensions: response.extensions }),
    },
  ];
  const warnings: UnifiedWarning[] = [];
  let index = 0;
  for (const part of response.output) {
    const block = blockEvents(part, index);
    if (block === undefined) {
      warnings.push({ code: "image-output-dropped-in-stream", path: "output", message: `a ${part.type} output part has no stream event; it was left out of the stream` });
      continue;
    }
    events.push(...block);
    index += 1;
  }
  if (response.usage !== undefined) events.push({ type: "usage", usage: response.usage });
  events.push({ type: "finish", finishReason: response.finishReason, ...(response.usage === undefined ? {} : { usage: response.usage }) });
  return { events, warnings };
}

function blockEvents(part: OutputPart, index: number): StreamEvent[] | undefined {
  switch (part.type) {
    case "text":
      return [
        { type: "text-start", index, ...(part.extensions === undefined ? {} : { extensions: part.extensions }) },
        ...(part.text === "" ? [] : [{ type: "text-delta" as const, index, text: part.text }]),
        { type: "text-end", index, ...(part.citations === undefined ? {} : { citations: part.citations }) },
      ];
    case "refusal":
      // No refusal event exists; the refusal reaches the client as the text it is.
      return [
        { type: "text-start", index },
        { type: "text-delta", index, text: part.text },
        { type: "text-end", index },
      ];
    case "reasoning":
      return [
        {
          type: "reasoning-start",
          index,
          ...(part.id === undefined ? {} : { id: part.id }),
          ...(part.origin === undefined ? {} : { origin: part.origin }),
          ...(part.extensions === undefined ? {} : { extensions: part.extensions }),
        },
        ...(part.text === "" ? [] : [{ type: "reasoning-delta" as const, index, text: part.text }]),
        ...(part.summary ?? []).map((text, summaryIndex) => ({ type: "reasoning-delta" as const, index, text, summaryIndex })),
        ...(part.signature === undefined ? [] : [{ type: "reasoning-signature" as const, index, signature: part.signature }]),
        {
          type: "reasoning-end",
          index,
          ...(part.encryptedContent === undefined ? {} : { encryptedContent: part.encryptedContent }),
          ...(part.redactedData === undefined ? {} : { redactedData: part.redactedData }),
          ...(part.summary === undefined ? {} : { summary: part.summary }),
        },
      ];
    case "tool-call":
      return [
        {
          type: "tool-call-start",
          index,
          id: part.id,
          name: part.name,
          kind: part.kind,
          ...(part.signature === undefined ? {} : { signature: part.signature }),
          ...(part.extensions === undefined ? {} : { extensions: part.extensions }),
        },
        ...(part.arguments === "" ? [] : [{ type: "tool-call-delta" as const, index, argumentsDelta: part.arguments }]),
        { type: "tool-call-end", index },
      ];
    case "native":
      return [{ type: "native-item", index, part }];
    case "image":
      return undefined;
    default: {
      const unreachable: never = part;
      return unreachable;
    }
  }
}
