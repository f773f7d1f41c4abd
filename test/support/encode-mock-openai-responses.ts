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
import { openAiErrorCode, openAiErrorType } from "./encode-mock-openai-chat.js";

type Item = Record<string, unknown>;

// input_tokens includes cached tokens; output_tokens includes reasoning tokens.
// @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
function usage(answer: ResolvedMockAnswer): Record<string, unknown> {
  return {
    input_tokens: answer.usage.input,
    input_tokens_details: { cached_tokens: answer.usage.cacheRead ?? 0 },
    output_tokens: answer.usage.output,
    output_tokens_details: { reasoning_tokens: answer.usage.reasoning ?? 0 },
    total_tokens: answer.usage.input + answer.usage.output,
  };
}

function items(answer: ResolvedMockAnswer, context: MockRenderContext): Item[] {
  const out: Item[] = [];
  if (answer.reasoning !== undefined) {
    const item: Item = {
      type: "reasoning",
      id: `rs_mock_${context.sequence}`,
      summary: [{ type: "summary_text", text: answer.reasoning.text }],
    };
    if (answer.reasoning.signature !== undefined) item["encrypted_content"] = answer.reasoning.signature;
    out.push(item);
  }
  // A real empty completion has no message item.
  if (answer.text !== undefined && answer.text !== "") {
    out.push({
      type: "message",
      id: `msg_mock_${context.sequence}`,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: answer.text, annotations: [], logprobs: [] }],
    });
  }
  answer.toolCalls.forEach((call, index) => {
    out.push({
      type: "function_call",
      id: `fc_mock_${context.sequence}_${index}`,
      call_id: mockToolCallId(call, "call_mock_", context.sequence, index),
      name: call.name,
      arguments: JSON.stringify(call.arguments),
      status: "completed",
    });
  });
  return out;
}

function response(answer: ResolvedMockAnswer, context: MockRenderContext, done: boolean): Record<string, unknown> {
  const incomplete = done && answer.finish === "length";
  return {
    id: `resp_mock_${context.sequence}`,
    object: "response",
    created_at: mockCreatedAt(context.sequence),
    status: done ? (incomplete ? "incomplete" : "completed") : "in_progress",
    error: null,
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    model: context.model,
    output: done ? items(answer, context) : [],
    parallel_tool_calls: true,
    store: false,
    usage: done ? usage(answer) : null,
    metadata: {},
  };
}

function itemFrames(item: Item, outputIndex: number, emit: (type: string, rest: Record<string, unknown>) => MockFrame): MockFrame[] {
  const itemId = item["id"];
  const at = { item_id: itemId, output_index: outputIndex };
  switch (item["type"]) {
    case "reasoning": {
      const text = ((item["summary"] as Array<{ text: string }>)[0] ?? { text: "" }).text;
      const part = { ...at, summary_index: 0 };
      return [
        emit("response.output_item.added", { output_index: outputIndex, item: { ...item, summary: [] } }),
        emit("response.reasoning_summary_part.added", { ...part, part: { type: "summary_text", text: "" } }),
        ...splitIntoDeltas(text).map((delta) => emit("response.reasoning_summary_text.delta", { ...part, delta })),
        emit("response.reasoning_summary_text.done", { ...part, text }),
        emit("response.reasoning_summary_part.done", { ...part, part: { type: "summary_text", text } }),
        emit("response.output_item.done", { output_index: outputIndex, item }),
      ];
    }
    case "message": {
      const text = ((item["content"] as Array<{ text: string }>)[0] ?? { text: "" }).text;
      const part = { ...at, content_index: 0 };
      return [
        emit("response.output_item.added", {
          output_index: outputIndex,
          item: { ...item, status: "in_progress", content: [] },
        }),
        emit("response.content_part.added", { ...part, part: { type: "output_text", text: "", annotations: [] } }),
        ...splitIntoDeltas(text).map((delta) => emit("response.output_text.delta", { ...part, delta, logprobs: [] })),
        emit("response.output_text.done", { ...part, text, logprobs: [] }),
        emit("response.content_part.done", { ...part, part: { type: "output_text", text, annotations: [] } }),
        emit("response.output_item.done", { output_index: outputIndex, item }),
      ];
    }
    default: {
      const args = String(item["arguments"]);
      return [
        emit("response.output_item.added", {
          output_index: outputIndex,
          item: { ...item, arguments: "", status: "in_progress" },
        }),
        ...splitArguments(args).map((delta) => emit("response.function_call_arguments.delta", { ...at, delta })),
        emit("response.function_call_arguments.done", { ...at, arguments: args }),
        emit("response.output_item.done", { output_index: outputIndex, item }),
      ];
    }
  }
}

/** OpenAI Responses wire shapes: `POST /v1/responses`, SSE with `event:` lines and `sequence_number`s. */
export const openAiResponsesMockEncoder: MockProtocolEncoder = {
  frameSeparator: "\n\n",
  json(input: MockAnswer, context: MockRenderContext) {
    return response(resolveMockAnswer(input), context, true);
  },
  frames(input: MockAnswer, context: MockRenderContext) {
    const answer = resolveMockAnswer(input);
    let sequenceNumber = 0;
    const emit = (type: string, rest: Record<string, unknown>): MockFrame => ({
      event: type,
      data: { type, sequence_number: sequenceNumber++, ...rest },
    });
    const frames: MockFrame[] = [
      emit("response.created", { response: response(answer, context, false) }),
      emit("response.in_progress", { response: response(answer, context, false) }),
    ];
    items(answer, context).forEach((item, index) => frames.push(...itemFrames(item, index, emit)));
    const terminal = answer.finish === "length" ? "response.incomplete" : "response.completed";
    frames.push(emit(terminal, { response: response(answer, context, true) }));
    return frames;
  },
  error(status, message) {
    return { error: { message, type: openAiErrorType(status), param: null, code: openAiErrorCode(status) } };
  },
};
