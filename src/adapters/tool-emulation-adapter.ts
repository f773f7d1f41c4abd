import { z } from "zod";
import type { GatewayError, ProtocolId, UnifiedWarning } from "../unified/index.js";
import { unchanged, type AdapterContext, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { openToolEmulationStream } from "./emulate-tool-call-stream.js";
import { renderEmulatedChatTools, type EmulatedToolsRendering } from "./render-emulated-chat-tools.js";
import { renderEmulatedAnthropicTools, renderEmulatedGeminiTools } from "./render-emulated-message-tools.js";
import { unwrapEmulatedToolCalls } from "./unwrap-emulated-tool-calls.js";
import { appendInstruction } from "./wire-instructions.js";

const options = z.strictObject({
  /** Emulate on every request with tools, not only after the provider rejected them. */
  always: z.boolean().default(false),
  /** How long a model that rejected tools is emulated for at once, without asking the provider again. */
  ttlMs: z.number().int().positive().default(3_600_000),
  /** Upstream error texts (case-insensitive substrings) that mean "this model has no native tools". */
  rejections: z.array(z.string().min(1)).min(1).default(["No endpoints found that support tool use"]),
  /** First line of the instruction that lists the tools. */
  preamble: z.string().min(1).default("You can use the tools listed below."),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a list of messages or contents holds an item some of whose blocks or parts `is` recognises. */
function someBlock(list: unknown, key: string, is: (block: Record<string, unknown>) => boolean): boolean {
  return Array.isArray(list) && list.some((item: unknown) => isRecord(item) && Array.isArray(item[key]) && (item[key] as unknown[]).some((block) => isRecord(block) && is(block)));
}

/** Whether a body uses tools in its protocol: declares them or carries tool calls or results in its history. */
function usesTools(body: WireBody, protocol: ProtocolId): boolean {
  if (Array.isArray(body["tools"]) && body["tools"].length > 0) return true;
  switch (protocol) {
    case "openai-chat": {
      const messages = body["messages"];
      return Array.isArray(messages) && messages.some((message: unknown) => isRecord(message) && (message["role"] === "tool" || Array.isArray(message["tool_calls"])));
    }
    case "anthropic-messages":
      return someBlock(body["messages"], "content", (block) => block["type"] === "tool_use" || block["type"] === "tool_result");
    case "gemini":
      return someBlock(body["contents"], "parts", (part) => ["functionCall", "function_call", "functionResponse", "function_response"].some((key) => part[key] !== undefined));
    case "openai-responses":
      return false;
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** The request rendered without native tools, or undefined for a protocol tools are not emulated in. */
function renderEmulatedTools(body: WireBody, protocol: ProtocolId, preamble: string): EmulatedToolsRendering | undefined {
  switch (protocol) {
    case "openai-chat":
      return renderEmulatedChatTools(body, preamble);
    case "anthropic-messages":
      return renderEmulatedAnthropicTools(body, preamble);
    case "gemini":
      return renderEmulatedGeminiTools(body, preamble);
    case "openai-responses":
      // No provider serving the Responses API is known to reject tools; its item history would need its own renderer.
      return undefined;
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** The request's turn (its message count), which keeps emulated ids of identical answers in one conversation apart. */
function turnOf(body: WireBody): number {
  const list = body["messages"] ?? body["contents"];
  return Array.isArray(list) ? list.length : 0;
}

/** What the request side emulated for one attempt, for its response and stream sides. */
interface Emulation {
  toolNames: readonly string[];
  turn: number;
}

/**
 * `tool-emulation`: for models that reject native tools (OpenRouter answers 404 "No endpoints found that support
 * tool use"). On that error the attempt is retried once with the tools described in the system text and the tool
 * history rendered as text; the model's JSON or textual calls are read back into real tool calls, streamed or not.
 * OpenAI Chat, Anthropic Messages and Gemini targets (Responses bodies pass unchanged).
 *
 * Which models need it is remembered for `ttlMs` per provider and model in the registry's memory for this adapter
 * (adapter-memory.ts), so later requests emulate at once and a chain rebuilt after a cache eviction still knows.
 */
export const toolEmulationAdapter = defineAdapterFactory({
  name: "tool-emulation",
  description: "Emulate tools by prompt for models that reject native tools; parse textual tool calls back.",
  options,
  create: ({ always, ttlMs, rejections, preamble }, { memory }) => {
    // Per attempt: what the request side emulated (keyed by the attempt's context object).
    const emulated = new WeakMap<AdapterContext, Emulation>();
    const clock = (context: AdapterContext): number => (context.now ?? Date.now)();
    const keyOf = (context: AdapterContext): string => `${context.provider}\u0000${context.model}`;
    const patterns = rejections.map((text) => text.toLowerCase());
    return {
      name: "tool-emulation",
      phase: "normal",
      // `"tool…` covers Chat and Anthropic tools and history; `"function…` Gemini's function calls and responses.
      passthroughTriggers: ['"tool', '"function'],
      request(body, context) {
        if (!usesTools(body, context.protocol)) return unchanged(body);
        if (!always && !memory.recalls(keyOf(context), clock(context))) return unchanged(body);
        const rendered = renderEmulatedTools(body, context.protocol, preamble);
        if (rendered === undefined) return unchanged(body);
        const changes = [...rendered.changes];
        let value = rendered.body;
        if (rendered.instruction !== undefined) {
          const appended = appendInstruction(value, context.protocol, rendered.instruction);
          value = appended.value;
          changes.push(appended.change);
        }
        // With no tool callable (`none`), the model was not told about tools: its text is never read as calls.
        emulated.set(context, { toolNames: rendered.instruction === undefined ? [] : rendered.toolNames, turn: turnOf(body) });
        const warnings: UnifiedWarning[] = [{ code: "tools-emulated", message: `${context.provider}/${context.model} has no native tools; tools emulated by prompt` }, ...rendered.warnings];
        return { value, changes, warnings };
      },
      engaged: (context) => (emulated.get(context)?.toolNames.length ?? 0) > 0,
      response(body, context) {
        const emulation = emulated.get(context);
        if (emulation === undefined) return unchanged(body);
        const unwrapped = unwrapEmulatedToolCalls(body, context.protocol, emulation.toolNames, emulation.turn);
        return unwrapped.changes.length === 0 ? unchanged(body) : { value: unwrapped.value, changes: unwrapped.changes, warnings: [] };
      },
      openStream(context) {
        const emulation = emulated.get(context);
        return openToolEmulationStream(emulation?.toolNames ?? [], context.protocol, emulation?.turn ?? 0);
      },
      recover(error: GatewayError, context) {
        if (context.protocol === "openai-responses") return false;
        const text = `${error.message}\n${error.bodyExcerpt ?? ""}`.toLowerCase();
        if (!patterns.some((pattern) => text.includes(pattern))) return false;
        const now = clock(context);
        const alreadyEmulating = always || memory.recalls(keyOf(context), now);
        memory.remember(keyOf(context), now, ttlMs);
        return !alreadyEmulating;
      },
    };
  },
});
