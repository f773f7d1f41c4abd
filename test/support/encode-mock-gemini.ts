import {
  resolveMockAnswer,
  splitIntoDeltas,
  type MockAnswer,
  type MockFrame,
  type MockProtocolEncoder,
  type MockRenderContext,
  type ResolvedMockAnswer,
} from "./mock-answer.js";

type Part = Record<string, unknown>;

function finishReason(answer: ResolvedMockAnswer): string {
  switch (answer.finish) {
    // Gemini reports a function-call turn as STOP too.
    case "stop":
    case "tool-calls":
      return "STOP";
    case "length":
      return "MAX_TOKENS";
    default: {
      const unreachable: never = answer.finish;
      return unreachable;
    }
  }
}

// promptTokenCount includes cached tokens; candidatesTokenCount excludes thoughts (reported apart).
// @see https://ai.google.dev/api/generate-content#UsageMetadata
function usageMetadata(answer: ResolvedMockAnswer, final: boolean): Record<string, unknown> {
  const reasoning = answer.usage.reasoning ?? 0;
  if (!final) return { promptTokenCount: answer.usage.input, totalTokenCount: answer.usage.input };
  const metadata: Record<string, unknown> = {
    promptTokenCount: answer.usage.input,
    candidatesTokenCount: answer.usage.output - reasoning,
    totalTokenCount: answer.usage.input + answer.usage.output,
  };
  if (reasoning > 0) metadata["thoughtsTokenCount"] = reasoning;
  if (answer.usage.cacheRead !== undefined) metadata["cachedContentTokenCount"] = answer.usage.cacheRead;
  return metadata;
}

function functionCallParts(answer: ResolvedMockAnswer): Part[] {
  return answer.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.arguments } }));
}

/**
 * Gemini 3 puts the thought signature on the first function call part, or on a text part when there is no call.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
function signParts(parts: Part[], signature: string | undefined): Part[] {
  if (signature === undefined) return parts;
  const callIndex = parts.findIndex((part) => "functionCall" in part);
  const textIndex = parts.findIndex((part) => "text" in part && part["thought"] !== true);
  const index = callIndex >= 0 ? callIndex : textIndex;
  if (index < 0) return [...parts, { text: "", thoughtSignature: signature }];
  return parts.map((part, at) => (at === index ? { ...part, thoughtSignature: signature } : part));
}

function candidate(parts: Part[], finish: string | undefined): Record<string, unknown> {
  // A real empty completion has a content with a role and no parts.
  const content = parts.length === 0 ? { role: "model" } : { parts, role: "model" };
  return finish === undefined ? { content, index: 0 } : { content, finishReason: finish, index: 0 };
}

function envelope(
  answer: ResolvedMockAnswer,
  context: MockRenderContext,
  parts: Part[],
  final: boolean,
): Record<string, unknown> {
  return {
    candidates: [candidate(parts, final ? finishReason(answer) : undefined)],
    usageMetadata: usageMetadata(answer, final),
    modelVersion: context.model,
    responseId: `mock-response-${context.sequence}`,
  };
}

/** Gemini generateContent wire shapes; streams are `data:`-only SSE separated by CRLF pairs, as Google sends them. */
export const geminiMockEncoder: MockProtocolEncoder = {
  frameSeparator: "\r\n\r\n",
  json(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    const parts: Part[] = [];
    if (answer.reasoning !== undefined) parts.push({ text: answer.reasoning.text, thought: true });
    if (answer.text !== undefined && answer.text !== "") parts.push({ text: answer.text });
    parts.push(...functionCallParts(answer));
    return envelope(answer, context, signParts(parts, answer.reasoning?.signature), true);
  },
  frames(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    const chunks: Part[][] = [];
    if (answer.reasoning !== undefined) {
      for (const piece of splitIntoDeltas(answer.reasoning.text)) chunks.push([{ text: piece, thought: true }]);
    }
    if (answer.text !== undefined && answer.text !== "") {
      for (const piece of splitIntoDeltas(answer.text)) chunks.push([{ text: piece }]);
    }
    // Gemini streams each function call whole, all calls of a turn in one chunk.
    const calls = functionCallParts(answer);
    if (calls.length > 0) chunks.push(calls);
    const signature = answer.reasoning?.signature;
    if (signature !== undefined) {
      if (calls.length > 0) chunks[chunks.length - 1] = signParts(calls, signature);
      else chunks.push([{ text: "", thoughtSignature: signature }]);
    }
    if (chunks.length === 0) chunks.push([]);
    return chunks.map(
      (parts, index): MockFrame => ({ data: envelope(answer, context, parts, index === chunks.length - 1) }),
    );
  },
  error(status, message, retryAfter) {
    const error: Record<string, unknown> = { code: status, message, status: googleRpcStatus(status) };
    if (retryAfter?.seconds !== undefined) {
      error["details"] = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfter.seconds}s` }];
    }
    return { error };
  },
};

// @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
function googleRpcStatus(status: number): string {
  if (status === 400) return "INVALID_ARGUMENT";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "PERMISSION_DENIED";
  if (status === 404) return "NOT_FOUND";
  if (status === 429) return "RESOURCE_EXHAUSTED";
  if (status === 503 || status === 529) return "UNAVAILABLE";
  if (status === 504) return "DEADLINE_EXCEEDED";
  return "INTERNAL";
}
