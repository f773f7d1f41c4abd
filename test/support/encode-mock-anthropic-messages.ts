import {
  resolveMockAnswer,
  mockToolCallId,
  splitArguments,
  splitIntoDeltas,
  type MockAnswer,
  type MockFrame,
  type MockProtocolEncoder,
  type MockRenderContext,
  type ResolvedMockAnswer,
} from "./mock-answer.js";

type Block = Record<string, unknown>;

function stopReason(answer: ResolvedMockAnswer): string {
  switch (answer.finish) {
    case "stop":
      return "end_turn";
    case "length":
      return "max_tokens";
    case "tool-calls":
      return "tool_use";
    default: {
      const unreachable: never = answer.finish;
      return unreachable;
    }
  }
}

// Anthropic's input_tokens excludes cache reads, unlike OpenAI's prompt_tokens.
// @see https://docs.anthropic.com/en/api/messages#response-usage
function usage(answer: ResolvedMockAnswer, outputTokens: number): Record<string, unknown> {
  const cacheRead = answer.usage.cacheRead ?? 0;
  return {
    input_tokens: answer.usage.input - cacheRead,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cacheRead,
    output_tokens: outputTokens,
  };
}

function blocks(answer: ResolvedMockAnswer, context: MockRenderContext): Block[] {
  const out: Block[] = [];
  if (answer.reasoning !== undefined) {
    out.push({ type: "thinking", thinking: answer.reasoning.text, signature: answer.reasoning.signature ?? "" });
  }
  // A real empty completion has no content blocks at all.
  if (answer.text !== undefined && answer.text !== "") out.push({ type: "text", text: answer.text });
  answer.toolCalls.forEach((call, index) => {
    out.push({
      type: "tool_use",
      id: mockToolCallId(call, "toolu_mock_", context.sequence, index),
      name: call.name,
      input: call.arguments,
    });
  });
  return out;
}

function message(answer: ResolvedMockAnswer, context: MockRenderContext, content: Block[]): Record<string, unknown> {
  return {
    id: `msg_mock_${context.sequence}`,
    type: "message",
    role: "assistant",
    model: context.model,
    content,
    stop_reason: null,
    stop_sequence: null,
    usage: usage(answer, 1),
  };
}

function blockFrames(block: Block, index: number): MockFrame[] {
  const frame = (type: string, rest: Record<string, unknown>): MockFrame => ({ event: type, data: { type, index, ...rest } });
  switch (block["type"]) {
    case "thinking": {
      const deltas = splitIntoDeltas(String(block["thinking"])).map((thinking) =>
        frame("content_block_delta", { delta: { type: "thinking_delta", thinking } }),
      );
      return [
        frame("content_block_start", { content_block: { type: "thinking", thinking: "", signature: "" } }),
        ...deltas,
        frame("content_block_delta", { delta: { type: "signature_delta", signature: block["signature"] } }),
        frame("content_block_stop", {}),
      ];
    }
    case "text":
      return [
        frame("content_block_start", { content_block: { type: "text", text: "" } }),
        ...splitIntoDeltas(String(block["text"])).map((text) =>
          frame("content_block_delta", { delta: { type: "text_delta", text } }),
        ),
        frame("content_block_stop", {}),
      ];
    default:
      return [
        frame("content_block_start", { content_block: { ...block, input: {} } }),
        ...splitArguments(JSON.stringify(block["input"])).map((partial_json) =>
          frame("content_block_delta", { delta: { type: "input_json_delta", partial_json } }),
        ),
        frame("content_block_stop", {}),
      ];
  }
}

/** Anthropic Messages wire shapes: `POST /v1/messages`, SSE with `event:` lines. */
export const anthropicMessagesMockEncoder: MockProtocolEncoder = {
  frameSeparator: "\n\n",
  json(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    return {
      ...message(answer, context, blocks(answer, context)),
      stop_reason: stopReason(answer),
      usage: usage(answer, answer.usage.output),
    };
  },
  frames(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    const frames: MockFrame[] = [
      { event: "message_start", data: { type: "message_start", message: message(answer, context, []) } },
      { event: "ping", data: { type: "ping" } },
    ];
    blocks(answer, context).forEach((block, index) => frames.push(...blockFrames(block, index)));
    frames.push(
      {
        event: "message_delta",
        data: {
          type: "message_delta",
          delta: { stop_reason: stopReason(answer), stop_sequence: null },
          usage: { output_tokens: answer.usage.output },
        },
      },
      { event: "message_stop", data: { type: "message_stop" } },
    );
    return frames;
  },
  error(status, message) {
    return { type: "error", error: { type: anthropicErrorType(status), message } };
  },
};

// @see https://docs.anthropic.com/en/api/errors
function anthropicErrorType(status: number): string {
  if (status === 400) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 529) return "overloaded_error";
  return "api_error";
}
