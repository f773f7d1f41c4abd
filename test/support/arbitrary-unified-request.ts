import fc from "fast-check";
import type { ContentPart, GenerationParameters, ProtocolId, UnifiedMessage, UnifiedRequest } from "../../src/unified/index.js";
import { tinyPngBase64 } from "./conformance-scenarios.js";

/**
 * Generation parameters each protocol has a field for (Responses has no stop sequences, top_k, seed or penalties;
 * Anthropic no seed or penalties; Chat no top_k).
 */
const generationFields: Record<ProtocolId, ReadonlySet<keyof GenerationParameters>> = {
  "openai-chat": new Set(["temperature", "topP", "stop", "seed", "presencePenalty", "frequencyPenalty"]),
  "openai-responses": new Set(["temperature", "topP"]),
  "anthropic-messages": new Set(["temperature", "topP", "topK", "stop"]),
  gemini: new Set(["temperature", "topP", "topK", "stop", "seed", "presencePenalty", "frequencyPenalty"]),
};

const toolNames = ["get_weather", "search_docs", "read_file"] as const;

/** Non-empty text that does not start with whitespace (some protocols reject blank text blocks). */
const textArbitrary = fc.string({ minLength: 0, maxLength: 30, unit: "grapheme" }).map((text) => `w${text}`);

const argumentsArbitrary = fc
  .dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.boolean(), textArbitrary, fc.constant(null)), { maxKeys: 4 })
  .map((value) => JSON.stringify(value));

function userMessage(protocol: ProtocolId): fc.Arbitrary<UnifiedMessage> {
  const image = fc.constantFrom<ContentPart[]>(
    [],
    [{ type: "image", source: { kind: "base64", mediaType: "image/png", data: tinyPngBase64 } }],
    ...(protocol === "gemini" ? [] : [[{ type: "image" as const, source: { kind: "url" as const, url: "https://example.com/a.png" } }]]),
  );
  return fc.tuple(fc.array(textArbitrary, { minLength: 1, maxLength: 2 }), image).map(([texts, images]) => ({
    role: "user",
    content: [...texts.map((text): ContentPart => ({ type: "text", text })), ...images],
  }));
}

/** One round: user turn, optionally an assistant turn with text and/or tool calls, and the calls' results. */
function round(protocol: ProtocolId, roundIndex: number): fc.Arbitrary<UnifiedMessage[]> {
  const calls = fc.array(fc.tuple(fc.constantFrom(...toolNames), argumentsArbitrary), { maxLength: 3 });
  const reasoning = fc.option(fc.tuple(textArbitrary, fc.stringMatching(/^[A-Za-z0-9+/]{8,40}$/)), { nil: undefined });
  return fc.tuple(userMessage(protocol), fc.option(textArbitrary, { nil: undefined }), calls, fc.array(textArbitrary, { minLength: 3, maxLength: 3 }), reasoning).map(([user, reply, toolCalls, results, thought]) => {
    const messages: UnifiedMessage[] = [user];
    if (reply === undefined && toolCalls.length === 0) return messages;
    const reasoningParts: ContentPart[] = thought === undefined ? [] : [reasoningPart(protocol, thought[0], thought[1])];
    const ids = toolCalls.map((_, callIndex) => `call_${roundIndex}_${callIndex}`);
    messages.push({
      role: "assistant",
      content: [
        ...reasoningParts,
        ...(reply === undefined ? [] : [{ type: "text" as const, text: reply }]),
        ...toolCalls.map(([name, argumentsText], callIndex): ContentPart => ({ type: "tool-call", id: ids[callIndex] ?? "", name, arguments: argumentsText, kind: "function" })),
      ],
    });
    toolCalls.forEach(([name], callIndex) => {
      messages.push({ role: "tool", content: [{ type: "tool-result", toolCallId: ids[callIndex] ?? "", name, content: [{ type: "text", text: results[callIndex] ?? "ok" }] }] });
    });
    return messages;
  });
}

/** Reasoning in history as the protocol replays it: Responses with encrypted content, the others signed. */
function reasoningPart(protocol: ProtocolId, text: string, artefact: string): ContentPart {
  const origin = { protocol };
  if (protocol === "openai-responses") return { type: "reasoning", text: "", summary: [text], encryptedContent: `gAAAA${artefact}`, origin };
  return { type: "reasoning", text, signature: artefact, origin };
}

function generation(protocol: ProtocolId): fc.Arbitrary<GenerationParameters> {
  const fields = generationFields[protocol];
  const optional = <T>(field: keyof GenerationParameters, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
    fields.has(field) ? fc.option(arbitrary, { nil: undefined }) : fc.constant(undefined);
  return fc
    .record({
      maxOutputTokens: fc.integer({ min: 1, max: 8192 }),
      temperature: optional("temperature", fc.constantFrom(0, 0.25, 0.5, 1)),
      topP: optional("topP", fc.constantFrom(0.1, 0.5, 0.95, 1)),
      topK: optional("topK", fc.integer({ min: 1, max: 100 })),
      stop: optional("stop", fc.array(fc.stringMatching(/^[A-Z]{1,6}$/), { minLength: 1, maxLength: 3 })),
      seed: optional("seed", fc.integer({ min: 0, max: 100_000 })),
      presencePenalty: optional("presencePenalty", fc.constantFrom(-1, 0, 0.5, 1)),
      frequencyPenalty: optional("frequencyPenalty", fc.constantFrom(-1, 0, 0.5, 1)),
    })
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as GenerationParameters);
}

/** A random request within what `protocol` can express, ending with a user turn. */
export function arbitraryUnifiedRequest(protocol: ProtocolId): fc.Arbitrary<UnifiedRequest> {
  const rounds = fc.integer({ min: 1, max: 3 }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => round(protocol, index))));
  return fc.tuple(fc.array(textArbitrary, { maxLength: 2 }), rounds, userMessage(protocol), generation(protocol)).map(([system, turns, last, parameters]) => {
    const messages = [...turns.flat(), last];
    const usedTools = new Set(messages.flatMap((message) => message.content.flatMap((part) => (part.type === "tool-call" ? [part.name] : []))));
    return {
      model: "property-model",
      system: system.map((text) => ({ role: "system" as const, parts: [{ type: "text" as const, text }] })),
      messages,
      ...(usedTools.size === 0
        ? {}
        : { tools: [...usedTools].sort().map((name) => ({ type: "function" as const, name, parameters: { type: "object", properties: {} } })) }),
      generation: parameters,
      stream: false,
    };
  });
}
