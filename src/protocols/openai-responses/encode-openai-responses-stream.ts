import {
  type EncodeResponseOptions,
  type Extensions,
  type GatewayErrorCode,
  type StreamEncoder,
  type StreamEvent,
  type StreamStartEvent,
  type Usage,
  type UnifiedWarning,
} from "../../unified/index.js";
import { trackWithoutOutput, type OutputSwitch, type WireObject } from "../common/index.js";
import { spreadWireFields } from "./convert-openai-responses-extensions.js";
import { encodeResponsesUsage } from "./convert-openai-responses-usage.js";
import { createItemEncodingContext, wantsReasoningSummaries } from "./encode-openai-responses-items.js";
import { responsesIdBase, responsesIdFor, type OutputEncodingContext } from "./encode-openai-responses-output.js";
import { echoResponsesRequestFields } from "./encode-openai-responses-response.js";
import { createResponsesBlockWriter, type ResponsesBlockWriter } from "./encode-openai-responses-stream-blocks.js";
import { createResponsesBlockSequencer } from "./encode-openai-responses-stream-sequence.js";
import { indexResponsesToolNames } from "./encode-openai-responses-tools.js";
import { encodeResponsesErrorCode } from "./map-openai-responses-error-code.js";
import { encodeResponsesFinishReason } from "./map-openai-responses-finish-reason.js";
import { createResponsesFrameWriter } from "./serialize-openai-responses-stream-frame.js";

/**
 * Encodes unified stream events as the Responses SSE stream that Codex and the openai SDK consume: `event:` lines,
 * an incrementing `sequence_number`, `response.created` / `response.in_progress`, per item `output_item.added` …
 * `output_item.done` (Codex reads content only from `output_item.done`), and a terminal `response.completed`,
 * `response.incomplete` (length, content filter) or `response.failed` carrying the full response with output and
 * usage. A stream that ends without a terminal event fails rather than closing silently. Reasoning artefacts go into
 * `encrypted_content` (on output_item.added too when known then), tagged with the origin their event, else their
 * block's reasoning-start, gives; an artefact without one is Responses' own (nothing is guessed from the upstream).
 * Items follow each other as OpenAI sends them (createResponsesBlockSequencer), and reasoning of another origin is
 * streamed as summary events when the client asked for summaries (summarizesReasoning).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createOpenAiResponsesStreamEncoder(options: EncodeResponseOptions = {}): StreamEncoder {
  const warnings: UnifiedWarning[] = [];
  const now = options.now ?? Date.now;
  let started = false;
  let terminated = false;
  let responseId = "";
  let model = options.request?.model ?? "";
  let createdAt = 0;
  let recorded: Extensions | undefined;
  let echo: WireObject = {};
  let usage: Usage | undefined;
  const output: WireObject[] = [];
  let blocks: ResponsesBlockWriter | undefined;

  /** Set while `track` runs: the state moves (sequence numbers included), no frame is serialized. */
  const outputSwitch: OutputSwitch = { muted: false };
  const frame = createResponsesFrameWriter(() => outputSwitch.muted);

  const responseObject = (status: string): WireObject => {
    const response: WireObject = { ...echo };
    spreadWireFields(response, recorded);
    response["id"] = responseId;
    response["object"] = "response";
    response["created_at"] = createdAt;
    response["status"] = status;
    if (response["error"] === undefined) response["error"] = null;
    response["incomplete_details"] = null;
    response["model"] = model;
    response["output"] = output.slice();
    response["usage"] = usage === undefined ? null : encodeResponsesUsage(usage);
    return response;
  };

  const begin = (event: StreamStartEvent): string => {
    started = true;
    responseId = responsesIdFor(event.id ?? String(now()));
    if (event.model !== undefined) model = event.model;
    createdAt = event.created ?? Math.floor(now() / 1000);
    recorded = event.extensions;
    echo = echoResponsesRequestFields(options.request);
    const context: OutputEncodingContext = {
      ...createItemEncodingContext(indexResponsesToolNames(options.request?.tools), warnings),
      idBase: responsesIdBase(responseId),
      itemStatus: "completed",
      reasoningSummaries: wantsReasoningSummaries(options.request),
    };
    blocks = createResponsesBlockSequencer(createResponsesBlockWriter({ frame, output, context }));
    return frame("response.created", { response: responseObject("in_progress") }) + frame("response.in_progress", { response: responseObject("in_progress") });
  };

  const fail = (code: GatewayErrorCode, message: string, writer: ResponsesBlockWriter): string => {
    terminated = true;
    const text = writer.closeAll("incomplete");
    const response = responseObject("failed");
    response["error"] = { code: encodeResponsesErrorCode(code).code, message };
    return text + frame("response.failed", { response });
  };

  const push = (event: StreamEvent): string => {
    if (terminated) return "";
    if (event.type === "start") return started ? "" : begin(event);
    let text = started ? "" : begin({ type: "start" });
    const writer = blocks as ResponsesBlockWriter;
    switch (event.type) {
      case "text-start":
      case "text-delta":
      case "text-end":
      case "reasoning-start":
      case "reasoning-delta":
      case "reasoning-signature":
      case "reasoning-end":
      case "tool-call-start":
      case "tool-call-delta":
      case "tool-call-end":
      case "native-item":
        return text + writer.push(event);
      case "usage":
        usage = event.usage;
        return text;
      case "finish": {
        if (event.usage !== undefined) usage = event.usage;
        const { status, incompleteReason } = encodeResponsesFinishReason(event.finishReason);
        if (status === "failed") return text + fail("upstream_server", "the model failed to produce a response", writer);
        text += writer.closeAll(status === "incomplete" ? "incomplete" : "completed");
        terminated = true;
        const response = responseObject(status);
        if (incompleteReason !== undefined) response["incomplete_details"] = { reason: incompleteReason };
        return text + frame(status === "incomplete" ? "response.incomplete" : "response.completed", { response });
      }
      case "error":
        return text + fail(event.error.code, event.error.message, writer);
      default: {
        const unreachable: never = event;
        warnings.push({ code: "unknown-event-dropped", message: `unknown stream event ${JSON.stringify(unreachable)}` });
        return text;
      }
    }
  };

  return {
    warnings,
    push,
    track: (event: StreamEvent): void => trackWithoutOutput(outputSwitch, push, event),
    end(): string {
      if (terminated) return "";
      const text = started ? "" : begin({ type: "start" });
      return text + fail("upstream_server", "the stream ended before the response completed", blocks as ResponsesBlockWriter);
    },
  };
}
