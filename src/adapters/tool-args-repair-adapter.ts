import { z } from "zod";
import { GatewayError, type StreamEvent, type UnifiedWarning } from "../unified/index.js";
import { unchanged, type AdapterChange, type AdapterContext, type AdapterPass, type AdapterStream, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { repairToolArguments } from "./repair-truncated-json.js";
import { findWirePaths, formatWirePath, readWirePath, writeWirePath } from "./wire-path.js";

/**
 * Where arguments travel as JSON text. Anthropic `input` and Gemini `args` are objects already (a truncated one fails
 * upstream JSON parsing, before any adapter), so only the OpenAI shapes appear.
 */
const argumentPaths = {
  request: { "openai-chat": ["messages[*].tool_calls[*].function.arguments"], "openai-responses": ["input[*].arguments"] },
  response: { "openai-chat": ["choices[*].message.tool_calls[*].function.arguments"], "openai-responses": ["output[*].arguments"] },
} as const;

function unrepairable(path: string): UnifiedWarning {
  return {
    code: "tool-arguments-unrepairable",
    message: `${path}: tool-call arguments are not a JSON object and could not be closed; passed on unchanged`,
    path,
  };
}

/**
 * What the client gets instead of arguments no tool could parse: an `upstream_server` error (502, the upstream sent
 * an unusable answer; the policy table may retry or move on) naming the tool and where, never the arguments.
 */
function unrepairableError(context: AdapterContext, path: string, tool: string | undefined): GatewayError {
  const which = tool === undefined ? "a tool call" : `tool call "${tool}"`;
  return new GatewayError(
    "upstream_server",
    `${context.provider}/${context.model} answered ${which} whose arguments are not a JSON object and could not be repaired (${path}); tool-args-repair option onUnrepairable: "pass" forwards them as they are`,
    { provider: context.provider, httpStatus: 502 },
  );
}

/** How an answer with arguments that cannot be repaired is handled: a clear error (default), or passed on with a warning. */
type UnrepairablePolicy = "error" | "pass";

function repairBody(body: WireBody, paths: readonly string[], onUnrepairable: UnrepairablePolicy, context: AdapterContext): AdapterPass<WireBody> {
  let value = body;
  const changes: AdapterChange[] = [];
  const warnings: UnifiedWarning[] = [];
  for (const path of paths) {
    for (const concrete of findWirePaths(body, path)) {
      const raw = readWirePath(body, concrete);
      if (typeof raw !== "string") continue;
      const outcome = repairToolArguments(raw);
      const where = formatWirePath(concrete);
      switch (outcome.status) {
        case "valid":
          break;
        case "repaired":
          value = writeWirePath(value, concrete, outcome.text);
          changes.push({ path: where, action: "repaired", detail: "truncated JSON closed" });
          warnings.push({ code: "tool-arguments-repaired", message: `${where}: truncated tool-call arguments were closed`, path: where });
          break;
        case "unrepairable": {
          if (onUnrepairable === "error") {
            const name = readWirePath(body, [...concrete.slice(0, -1), "name"]);
            throw unrepairableError(context, where, typeof name === "string" ? name : undefined);
          }
          warnings.push(unrepairable(where));
          break;
        }
        default: {
          const unknownOutcome: never = outcome;
          return unknownOutcome;
        }
      }
    }
  }
  return changes.length === 0 && warnings.length === 0 ? unchanged(body) : { value, changes, warnings };
}

/**
 * Holds each tool call's argument deltas until its `tool-call-end`, because a repair may need to drop trailing
 * characters already sent. Valid arguments go out as the original deltas; repaired ones as one delta.
 */
function openRepairStream(onUnrepairable: UnrepairablePolicy, context: AdapterContext): AdapterStream {
  const held = new Map<number, StreamEvent[]>();
  const texts = new Map<number, string>();
  const names = new Map<number, string>();
  // After an unrepairable call the stream ended with an error event; whatever the upstream still sends is dropped,
  // so the client sees exactly one terminal event.
  let failed = false;
  const flush = (): StreamEvent[] => {
    const rest = [...held.values()].flat();
    held.clear();
    texts.clear();
    return rest;
  };
  return {
    push(event) {
      if (failed) return { value: [], changes: [], warnings: [] };
      switch (event.type) {
        case "tool-call-start":
          held.set(event.index, []);
          texts.set(event.index, "");
          names.set(event.index, event.name);
          return { value: [event], changes: [], warnings: [] };
        case "tool-call-delta": {
          const buffer = held.get(event.index);
          if (buffer === undefined) return { value: [event], changes: [], warnings: [] };
          buffer.push(event);
          texts.set(event.index, (texts.get(event.index) ?? "") + event.argumentsDelta);
          return { value: [], changes: [], warnings: [] };
        }
        case "tool-call-end": {
          const buffer = held.get(event.index);
          const text = texts.get(event.index) ?? "";
          held.delete(event.index);
          texts.delete(event.index);
          if (buffer === undefined) return { value: [event], changes: [], warnings: [] };
          const outcome = repairToolArguments(text);
          const path = `tool-call[${event.index}].arguments`;
          if (outcome.status === "repaired") {
            return {
              value: [{ type: "tool-call-delta", index: event.index, argumentsDelta: outcome.text }, event],
              changes: [{ path, action: "repaired", detail: "truncated JSON closed" }],
              warnings: [{ code: "tool-arguments-repaired", message: `${path}: truncated tool-call arguments were closed`, path }],
            };
          }
          if (outcome.status === "unrepairable" && onUnrepairable === "error") {
            failed = true;
            const error = unrepairableError(context, path, names.get(event.index)).serialize();
            return { value: [{ type: "error", error }], changes: [{ path, action: "removed", detail: "unrepairable arguments; the stream ends with an error" }], warnings: [] };
          }
          return { value: [...buffer, event], changes: [], warnings: outcome.status === "unrepairable" ? [unrepairable(path)] : [] };
        }
        case "finish":
        case "error":
          // Arguments still held when the stream terminates (no tool-call-end) must precede the terminal event.
          return { value: [...flush(), event], changes: [], warnings: [] };
        default:
          return { value: [event], changes: [], warnings: [] };
      }
    },
    end() {
      if (failed) return { value: [], changes: [], warnings: [] };
      // A stream that ends inside a tool call still delivers what was held; the decoder's own end() closes blocks.
      return { value: flush(), changes: [], warnings: [] };
    },
  };
}

/**
 * `tool-args-repair`: closes truncated tool-call JSON arguments in responses, streams and replayed history. An answer
 * whose arguments cannot be closed into an object is a clear `upstream_server` error by default (a client's JSON
 * parser would otherwise fail on it with no hint of why); `onUnrepairable: "pass"` forwards it with a warning.
 * Replayed history on the request side is only ever warned about: the conversation is the client's, and failing
 * it would fail every later turn.
 */
export const toolArgsRepairAdapter = defineAdapterFactory({
  name: "tool-args-repair",
  description: "Recover truncated tool-call JSON arguments by closing strings and brackets; a clear error when impossible.",
  options: z.strictObject({ onUnrepairable: z.enum(["error", "pass"]).default("error") }),
  create: ({ onUnrepairable }) => ({
    name: "tool-args-repair",
    phase: "normal",
    request(body, context) {
      const paths = context.protocol === "openai-chat" || context.protocol === "openai-responses" ? argumentPaths.request[context.protocol] : [];
      return repairBody(body, paths, "pass", context);
    },
    response(body, context) {
      const paths = context.protocol === "openai-chat" || context.protocol === "openai-responses" ? argumentPaths.response[context.protocol] : [];
      return repairBody(body, paths, onUnrepairable, context);
    },
    openStream: (context) => openRepairStream(onUnrepairable, context),
  }),
});
