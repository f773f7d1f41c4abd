import type { EncodeResponseOptions, StreamEncoder, StreamEvent, ToolCallKind, UnifiedWarning } from "../../unified/index.js";
import { serializeSseFrame, type WireObject } from "../common/index.js";
import { encodeGeminiUsage } from "./convert-gemini-usage.js";
import { encodeGeminiArguments } from "./encode-gemini-parts.js";
import { mapGatewayCodeToGeminiStatus } from "./map-gemini-error-status.js";
import { encodeGeminiFinishReason } from "./map-gemini-finish-reason.js";
import { geminiProtocol, type GeminiWirePart, type GeminiWireUsage } from "./types.js";

type Block =
  | { kind: "text" }
  | { kind: "reasoning"; hasText: boolean }
  | { kind: "tool-call"; id: string; name: string; callKind: ToolCallKind; signature?: string; args: string };

/**
 * Unified events → Gemini SSE: `data: {GenerateContentResponse}` frames, each with candidates[0].content.parts,
 * the latest usageMetadata, modelVersion and responseId. Text and thought deltas go out as they come; a tool call is
 * sent whole when it ends (Gemini streams function calls as complete parts). The last frame always carries
 * finishReason (Gemini CLI retries a stream without it); a failure is `data: {"error": {code, message, status}}`.
 * Stream events carry no origin for signatures, so they are written as they came (tagging needs the origin).
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function createGeminiStreamEncoder(options?: EncodeResponseOptions): StreamEncoder {
  const warnings: UnifiedWarning[] = [];
  const blocks = new Map<number, Block>();
  let terminated = false;
  let responseId: string | undefined;
  let modelVersion: string | undefined = options?.request?.model === "" ? undefined : options?.request?.model;
  let usageMetadata: GeminiWireUsage | undefined;
  let createTime: string | undefined;

  const frame = (parts: GeminiWirePart[], finishReason?: string): string => {
    const candidate: WireObject = { content: { parts, role: "model" } };
    if (finishReason !== undefined) candidate["finishReason"] = finishReason;
    candidate["index"] = 0;
    const chunk: WireObject = { candidates: [candidate] };
    if (usageMetadata !== undefined) chunk["usageMetadata"] = usageMetadata;
    if (modelVersion !== undefined) chunk["modelVersion"] = modelVersion;
    if (createTime !== undefined) chunk["createTime"] = createTime;
    if (responseId !== undefined) chunk["responseId"] = responseId;
    return serializeSseFrame(chunk);
  };

  const errorFrame = (code: number, message: string, status: string): string => serializeSseFrame({ error: { code, message, status } });

  const push = (event: StreamEvent): string => {
    if (terminated) return "";
    switch (event.type) {
      case "start":
        if (event.id !== undefined && event.id !== "") responseId = event.id;
        if (event.model !== undefined && event.model !== "") modelVersion = event.model;
        if (event.created !== undefined) createTime = new Date(event.created * 1000).toISOString();
        return "";
      case "text-start":
        blocks.set(event.index, { kind: "text" });
        return "";
      case "text-delta":
        return event.text === "" ? "" : frame([{ text: event.text }]);
      case "text-end":
        blocks.delete(event.index);
        return "";
      case "reasoning-start":
        blocks.set(event.index, { kind: "reasoning", hasText: false });
        if (event.redactedData !== undefined) {
          const message = "redacted reasoning of unknown origin cannot be streamed to a Gemini client";
          warnings.push({ code: "reasoning-artefact-dropped", message });
        }
        return "";
      case "reasoning-delta": {
        const block = blocks.get(event.index);
        if (block?.kind === "reasoning") block.hasText = true;
        return event.text === "" ? "" : frame([{ text: event.text, thought: true }]);
      }
      case "reasoning-signature": {
        const block = blocks.get(event.index);
        const hasText = block?.kind === "reasoning" && block.hasText;
        // After thought text the signature closes the thought; alone it takes Gemini's empty text carrier form.
        const part = hasText ? { text: "", thought: true, thoughtSignature: event.signature } : { text: "", thoughtSignature: event.signature };
        return frame([part]);
      }
      case "reasoning-end": {
        const block = blocks.get(event.index);
        blocks.delete(event.index);
        let out = "";
        if (block?.kind === "reasoning" && !block.hasText && event.summary !== undefined && event.summary.length > 0) {
          out += frame([{ text: event.summary.join("\n\n"), thought: true }]);
        }
        if (event.encryptedContent !== undefined) {
          const message = "encrypted reasoning of unknown origin cannot be streamed to a Gemini client";
          warnings.push({ code: "reasoning-artefact-dropped", message });
        }
        return out;
      }
      case "tool-call-start": {
        const block: Block = { kind: "tool-call", id: event.id, name: event.name, callKind: event.kind, args: "" };
        if (event.signature !== undefined) block.signature = event.signature;
        blocks.set(event.index, block);
        return "";
      }
      case "tool-call-delta": {
        const block = blocks.get(event.index);
        if (block?.kind === "tool-call") block.args += event.argumentsDelta;
        return "";
      }
      case "tool-call-end": {
        const block = blocks.get(event.index);
        blocks.delete(event.index);
        if (block?.kind !== "tool-call") return "";
        const args = encodeGeminiArguments(
          { type: "tool-call", id: block.id, name: block.name, arguments: block.args, kind: block.callKind },
          `output[${event.index}]`,
          { warnings, warned: new Set() },
        );
        const part: GeminiWirePart = { functionCall: { id: block.id, name: block.name, args } };
        if (block.signature !== undefined) part["thoughtSignature"] = block.signature;
        return frame([part]);
      }
      case "native-item":
        if (event.part.protocol === geminiProtocol && typeof event.part.value === "object" && event.part.value !== null) {
          return frame([event.part.value as GeminiWirePart]);
        }
        warnings.push({ code: "native-part-dropped", message: `a ${event.part.protocol} native item has no Gemini equivalent and was dropped` });
        return "";
      case "usage":
        usageMetadata = encodeGeminiUsage(event.usage, warnings);
        return "";
      case "finish":
        terminated = true;
        if (event.usage !== undefined) usageMetadata = encodeGeminiUsage(event.usage, warnings);
        return frame([{ text: "" }], encodeGeminiFinishReason(event.finishReason));
      case "error":
        terminated = true;
        return errorFrame(event.error.httpStatus, event.error.message, mapGatewayCodeToGeminiStatus(event.error.code));
      default: {
        const unreachable: never = event;
        throw new Error(`unknown stream event ${JSON.stringify(unreachable)}`);
      }
    }
  };

  return {
    warnings,
    push,
    end(): string {
      if (terminated) return "";
      terminated = true;
      return errorFrame(502, "the upstream stream ended before completion", mapGatewayCodeToGeminiStatus("upstream_server"));
    },
  };
}
