import {
  mockCreatedAt,
  mockToolCallId,
  resolveMockAnswer,
  splitArguments,
  splitIntoDeltas,
  type MockAnswer,
  type MockFrame,
  type MockProtocolEncoder,
  type MockRenderContext,
  type ResolvedMockAnswer,
} from "./mock-answer.js";

function finishReason(answer: ResolvedMockAnswer): string {
  switch (answer.finish) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool-calls":
      return "tool_calls";
    default: {
      const unreachable: never = answer.finish;
      return unreachable;
    }
  }
}

// prompt_tokens includes cached tokens; completion_tokens includes reasoning tokens.
// @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
function usage(answer: ResolvedMockAnswer): Record<string, unknown> {
  return {
    prompt_tokens: answer.usage.input,
    completion_tokens: answer.usage.output,
    total_tokens: answer.usage.input + answer.usage.output,
    prompt_tokens_details: { cached_tokens: answer.usage.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: answer.usage.reasoning ?? 0 },
  };
}

function toolCalls(answer: ResolvedMockAnswer, context: MockRenderContext): Array<Record<string, unknown>> {
  return answer.toolCalls.map((call, index) => ({
    id: mockToolCallId(call, "call_mock_", context.sequence, index),
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
}

function envelope(context: MockRenderContext, object: string): Record<string, unknown> {
  return {
    id: `chatcmpl-mock-${context.sequence}`,
    object,
    created: mockCreatedAt(context.sequence),
    model: context.model,
    system_fingerprint: "fp_mock",
  };
}

/** Whether the request asked for the trailing usage chunk, as real OpenAI sends it only then. */
function wantsStreamUsage(body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  const options = (body as Record<string, unknown>)["stream_options"];
  return typeof options === "object" && options !== null && (options as Record<string, unknown>)["include_usage"] === true;
}

/**
 * OpenAI Chat Completions wire shapes. Reasoning goes in `reasoning_content` (the DeepSeek-style compatible
 * field: OpenAI itself never returns reasoning text on this API), so it has no signature.
 */
export const openAiChatMockEncoder: MockProtocolEncoder = {
  frameSeparator: "\n\n",
  json(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    const calls = toolCalls(answer, context);
    const message: Record<string, unknown> = {
      role: "assistant",
      content: answer.text ?? (calls.length > 0 ? null : ""),
      refusal: null,
    };
    if (answer.reasoning !== undefined) message["reasoning_content"] = answer.reasoning.text;
    if (calls.length > 0) message["tool_calls"] = calls;
    return {
      ...envelope(context, "chat.completion"),
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer) }],
      usage: usage(answer),
    };
  },
  frames(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): MockFrame => ({
      data: {
        ...envelope(context, "chat.completion.chunk"),
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      },
    });
    const frames: MockFrame[] = [chunk({ role: "assistant", content: "", refusal: null })];
    if (answer.reasoning !== undefined) {
      for (const piece of splitIntoDeltas(answer.reasoning.text)) frames.push(chunk({ reasoning_content: piece }));
    }
    if (answer.text !== undefined && answer.text !== "") {
      for (const piece of splitIntoDeltas(answer.text)) frames.push(chunk({ content: piece }));
    }
    toolCalls(answer, context).forEach((call, index) => {
      const fn = call["function"] as { name: string; arguments: string };
      frames.push(chunk({ tool_calls: [{ index, id: call["id"], type: "function", function: { name: fn.name, arguments: "" } }] }));
      for (const piece of splitArguments(fn.arguments)) {
        frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
    frames.push(chunk({}, finishReason(answer)));
    if (wantsStreamUsage(context.body)) {
      frames.push({ data: { ...envelope(context, "chat.completion.chunk"), choices: [], usage: usage(answer) } });
    }
    frames.push({ data: "[DONE]" });
    return frames;
  },
  error(status, message) {
    return { error: { message, type: openAiErrorType(status), param: null, code: openAiErrorCode(status) } };
  },
};

// @see https://platform.openai.com/docs/guides/error-codes
/** The `error.type` OpenAI uses for a status (shared with the Responses encoder). */
export function openAiErrorType(status: number): string {
  if (status === 429) return "requests";
  if (status === 401) return "invalid_request_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** The `error.code` OpenAI uses for a status (shared with the Responses encoder). */
export function openAiErrorCode(status: number): string | null {
  if (status === 429) return "rate_limit_exceeded";
  if (status === 401) return "invalid_api_key";
  if (status === 404) return "model_not_found";
  if (status === 503) return "server_is_overloaded";
  return null;
}
