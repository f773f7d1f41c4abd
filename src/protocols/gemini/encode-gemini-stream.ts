import {
  artefactForProtocol,
  originTagForProtocol,
  type EncodeResponseOptions,
  type ReasoningOrigin,
  type StreamEncoder,
  type StreamEvent,
  type ToolCallKind,
  type UnifiedWarning,
} from "../../unified/index.js";
import { serializeSseFrame, trackWithoutOutput, type OutputSwitch, type WireObject } from "../common/index.js";
import { encodeGeminiUsage } from "./convert-gemini-usage.js";
import { encodeGeminiArguments } from "./encode-gemini-parts.js";
import { mapGatewayCodeToGeminiStatus } from "./map-gemini-error-status.js";
import { encodeGeminiFinishReason } from "./map-gemini-finish-reason.js";
import { geminiProtocol, type GeminiWirePart, type GeminiWireUsage } from "./types.js";

type Block =
  | { kind: "text" }
  | { kind: "reasoning"; hasText: boolean; origin: ReasoningOrigin | undefined; id: string | undefined; artefactSent: boolean }
  | { kind: "tool-call"; id: string; name: string; callKind: ToolCallKind; signature?: string; args: string };

/**
 * Unified events → Gemini SSE: `data: {GenerateContentResponse}` frames, each with candidates[0].content.parts,
 * the latest usageMetadata, modelVersion and responseId. Text and thought deltas go out as they come; a tool call is
 * sent whole when it ends (Gemini streams function calls as complete parts). The last frame always carries
 * finishReason (Gemini CLI retries a stream without it); a failure is `data: {"error": {code, message, status}}`.
 * Reasoning artefacts are written with `artefactForProtocol` and the origin their event (else their block's
 * reasoning-start) gives, as encodeGeminiResponse does: a foreign signature, or foreign redacted / encrypted data
 * (its kind and the block's item id inside the tag), rides as the thoughtSignature of a thought part of its own, whenever
 * it arrives. Gemini itself makes no redacted or encrypted reasoning, so such data without a foreign origin is
 * dropped with a warning. Thought text of another origin without any artefact ends with a thought part carrying the
 * bare origin tag.
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
  /** Set while `track` runs: the state moves, no frame is built or serialized. */
  const outputSwitch: OutputSwitch = { muted: false };

  const frame = (parts: GeminiWirePart[], finishReason?: string): string => {
    if (outputSwitch.muted) return "";
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

  /**
   * Redacted or encrypted reasoning data: a thought part carrying it tagged with its origin, kind and the block's item
   * id (Gemini has no slot for it), when it has a foreign origin.
   */
  const foreignArtefactFrame = (kind: "redacted" | "encrypted", data: string, origin: ReasoningOrigin | undefined, id: string | undefined): string => {
    if (origin === undefined || origin.protocol === geminiProtocol) {
      warnings.push({ code: "reasoning-artefact-dropped", message: `${kind} reasoning without a foreign origin cannot be streamed to a Gemini client` });
      return "";
    }
    return frame([{ text: "", thought: true, thoughtSignature: artefactForProtocol(data, origin, geminiProtocol, kind, id) }]);
  };

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
        blocks.set(event.index, { kind: "reasoning", hasText: false, origin: event.origin, id: event.id, artefactSent: event.redactedData !== undefined });
        return event.redactedData === undefined ? "" : foreignArtefactFrame("redacted", event.redactedData, event.origin, event.id);
      case "reasoning-delta": {
        const block = blocks.get(event.index);
        if (block?.kind === "reasoning") block.hasText = true;
        return event.text === "" ? "" : frame([{ text: event.text, thought: true }]);
      }
      case "reasoning-signature": {
        const block = blocks.get(event.index);
        const hasText = block?.kind === "reasoning" && block.hasText;
        const origin = event.origin ?? (block?.kind === "reasoning" ? block.origin : undefined);
        const thoughtSignature = artefactForProtocol(event.signature, origin, geminiProtocol, "signature", block?.kind === "reasoning" ? block.id : undefined);
        // After thought text (or when foreign) the signature is a thought's; alone Gemini's own takes the empty text
        // carrier form.
        const own = origin === undefined || origin.protocol === geminiProtocol;
        if (block?.kind === "reasoning") block.artefactSent = true;
        return frame([hasText || !own ? { text: "", thought: true, thoughtSignature } : { text: "", thoughtSignature }]);
      }
      case "reasoning-end": {
        const block = blocks.get(event.index);
        blocks.delete(event.index);
        const origin = event.origin ?? (block?.kind === "reasoning" ? block.origin : undefined);
        let out = "";
        if (block?.kind === "reasoning" && !block.hasText && event.summary !== undefined && event.summary.length > 0) {
          out += frame([{ text: event.summary.join("\n\n"), thought: true }]);
          block.hasText = true;
        }
        const id = block?.kind === "reasoning" ? block.id : undefined;
        if (event.redactedData !== undefined) out += foreignArtefactFrame("redacted", event.redactedData, origin, id);
        if (event.encryptedContent !== undefined) out += foreignArtefactFrame("encrypted", event.encryptedContent, origin, id);
        // Thought text of another origin that got no artefact (Chat reasoning_content) ends with the bare origin
        // tag as a thoughtSignature, as encodeGeminiResponse writes it, so that the origin comes back.
        const artefactSent = block?.kind === "reasoning" && (block.artefactSent || event.redactedData !== undefined || event.encryptedContent !== undefined);
        const tag = block?.kind === "reasoning" && block.hasText && !artefactSent ? originTagForProtocol(origin, geminiProtocol) : undefined;
        if (tag !== undefined) out += frame([{ text: "", thought: true, thoughtSignature: tag }]);
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
    track: (event: StreamEvent): void => trackWithoutOutput(outputSwitch, push, event),
    end(): string {
      if (terminated) return "";
      terminated = true;
      return errorFrame(502, "the upstream stream ended before completion", mapGatewayCodeToGeminiStatus("upstream_server"));
    },
  };
}
