import {
  defaultHttpStatusByCode,
  type GatewayErrorCode,
  type SseMessage,
  type StreamDecoder,
  type StreamEvent,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, parseWireJson, type WireObject } from "../common/index.js";
import { collectLeftovers, makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { decodeResponsesUsage } from "./convert-openai-responses-usage.js";
import { decodeResponsesErrorCode } from "./map-openai-responses-error-code.js";
import { decodeResponsesFinishReason } from "./map-openai-responses-finish-reason.js";
import { createResponsesItemTracker, type ResponsesItemTracker } from "./decode-openai-responses-stream-items.js";

/** Response fields that the `start` event carries itself (the rest rides in its extensions for same-protocol replay). */
const startConsumed = new Set(["id", "object", "created_at", "model", "output", "usage", "status", "incomplete_details", "error"]);

/**
 * Decodes a Responses SSE stream into unified events. Events are told apart by their JSON `type` (recorded chunk
 * logs have no `event:` lines). Blocks open in the order items and content parts appear; `response.completed` /
 * `response.incomplete` finish, `response.failed` and `error` fail (Codex's in-band `server_is_overloaded` becomes
 * `overloaded`). Content that arrives only in `output_item.done` or in the terminal response is still emitted,
 * reasoning artefacts included: a reasoning-start names the origin of the added item's encrypted_content (else
 * Responses'), and the final encrypted_content read on output_item.done goes on reasoning-signature /
 * reasoning-end (`encryptedContent`, `redactedData`) with its own origin when that differs.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createOpenAiResponsesStreamDecoder(): StreamDecoder {
  const warnings: UnifiedWarning[] = [];
  let started = false;
  let terminated = false;
  let tracker: ResponsesItemTracker = createResponsesItemTracker();

  const start = (out: StreamEvent[], response: unknown): void => {
    if (started) return;
    started = true;
    tracker = createResponsesItemTracker();
    const event: StreamEvent = { type: "start" };
    if (isWireObject(response)) {
      if (typeof response["id"] === "string") event.id = response["id"];
      if (typeof response["model"] === "string") event.model = response["model"];
      if (typeof response["created_at"] === "number") event.created = response["created_at"];
      const extensions = makeResponsesExtensions(collectLeftovers(response, startConsumed));
      if (extensions !== undefined) event.extensions = extensions;
    }
    out.push(event);
  };

  const fail = (out: StreamEvent[], code: GatewayErrorCode, message: string): void => {
    start(out, undefined);
    // Blocks already open are closed first, so the partial content stays well delimited for any re-encoder.
    tracker.completeFromResponse(out, undefined);
    terminated = true;
    out.push({ type: "error", error: { code, message, httpStatus: defaultHttpStatusByCode[code] } });
  };

  const finish = (out: StreamEvent[], response: unknown, defaultStatus: string): void => {
    start(out, response);
    const record = isWireObject(response) ? response : {};
    tracker.completeFromResponse(out, record["output"]);
    const usage = decodeResponsesUsage(record["usage"]);
    if (usage !== undefined) out.push({ type: "usage", usage });
    const incomplete = record["incomplete_details"];
    const finishReason = decodeResponsesFinishReason(
      record["status"] ?? defaultStatus,
      isWireObject(incomplete) ? incomplete["reason"] : undefined,
      tracker.sawToolCall(),
    );
    terminated = true;
    out.push(usage === undefined ? { type: "finish", finishReason } : { type: "finish", finishReason, usage });
  };

  const failFromError = (out: StreamEvent[], error: unknown, fallback: string): void => {
    const record = isWireObject(error) ? error : {};
    const message = typeof record["message"] === "string" ? record["message"] : fallback;
    fail(out, decodeResponsesErrorCode(record["code"], record["type"]), message);
  };

  const handle = (data: WireObject, out: StreamEvent[]): void => {
    const type = data["type"];
    switch (type) {
      case "response.created":
      case "response.in_progress":
      case "response.queued":
        start(out, data["response"]);
        return;
      case "response.completed":
        finish(out, data["response"], "completed");
        return;
      case "response.incomplete":
        finish(out, data["response"], "incomplete");
        return;
      case "response.failed": {
        const response = isWireObject(data["response"]) ? data["response"] : {};
        failFromError(out, response["error"], "the response failed");
        return;
      }
      case "error":
        // Documented as `{type, code, message, param}`; recorded streams also nest it under `error`.
        failFromError(out, isWireObject(data["error"]) ? data["error"] : data, "upstream stream error");
        return;
      default:
        if (typeof type !== "string") {
          if (isWireObject(data["error"])) failFromError(out, data["error"], "upstream stream error");
          return;
        }
        start(out, undefined);
        tracker.handle(type, data, out);
    }
  };

  return {
    warnings,
    push(message: SseMessage): StreamEvent[] {
      if (terminated) return [];
      const out: StreamEvent[] = [];
      const data = parseWireJson(message.data);
      if (!isWireObject(data)) {
        if (message.data.trim() === "[DONE]") return out;
        fail(out, "upstream_server", "malformed JSON in a Responses stream event");
        return out;
      }
      handle(data, out);
      return out;
    },
    end(): StreamEvent[] {
      if (terminated) return [];
      const out: StreamEvent[] = [];
      fail(out, "upstream_server", "the Responses stream ended before response.completed");
      return out;
    },
  };
}
