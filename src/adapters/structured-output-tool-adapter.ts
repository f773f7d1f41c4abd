import { z } from "zod";
import type { StreamEvent } from "../unified/index.js";
import { unchanged, type AdapterChange, type AdapterContext, type AdapterPass, type AdapterStream } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { appendInstruction } from "./wire-instructions.js";
import { addForcedTool, readClientToolChoice, takeNativeSchemaFormat, unwrapToolCallAsText, type WireSchemaFormat } from "./wire-structured-output.js";

const options = z.strictObject({
  /** Name of the tool that carries the answer; must not clash with a client tool. */
  toolName: z.string().regex(/^[A-Za-z_][\w-]{0,63}$/).default("structured_output"),
  description: z.string().min(1).default("Give your final answer by calling this tool; its arguments are the answer and must follow the schema."),
});

/**
 * Turns the stream's call of the structured tool into a text block with the arguments as its text, and the finish
 * into a plain stop when no other tool was called. Events keep their indexes, so the block grammar is unchanged.
 */
function openUnwrapStream(toolName: string): AdapterStream {
  const ours = new Set<number>();
  let otherCalls = false;
  const pass = (value: StreamEvent[], changes: AdapterChange[] = []): AdapterPass<StreamEvent[]> => ({ value, changes, warnings: [] });
  return {
    push(event) {
      switch (event.type) {
        case "tool-call-start":
          if (event.name !== toolName) {
            otherCalls = true;
            return pass([event]);
          }
          ours.add(event.index);
          return pass([{ type: "text-start", index: event.index }], [{ path: `tool-call[${event.index}]`, action: "set", detail: "structured tool call as text" }]);
        case "tool-call-delta":
          return pass(ours.has(event.index) ? [{ type: "text-delta", index: event.index, text: event.argumentsDelta }] : [event]);
        case "tool-call-end":
          return pass(ours.has(event.index) ? [{ type: "text-end", index: event.index }] : [event]);
        case "finish":
          if (ours.size === 0 || otherCalls) return pass([event]);
          return pass([{ ...event, finishReason: { ...event.finishReason, unified: "stop", raw: "stop" } }], [{ path: "finish", action: "set", detail: "finish reason stop" }]);
        default:
          return pass([event]);
      }
    },
    end: () => pass([]),
  };
}

/** The json_schema format of this request: the wire's own, else the decoded client request's (which a codec may have dropped). */
function requestedFormat(native: WireSchemaFormat | undefined, context: AdapterContext): WireSchemaFormat | undefined {
  if (native !== undefined) return native;
  const format = context.request?.responseFormat;
  if (format?.type !== "json_schema") return undefined;
  return { schema: format.schema, ...(format.name === undefined ? {} : { name: format.name }), ...(format.description === undefined ? {} : { description: format.description }) };
}

/**
 * `structured-output-tool`: emulates a `json_schema` response format with a forced tool whose parameters are the
 * schema, for targets without native structured output (or whose tool calling is more reliable than it). The
 * native format is removed from the body; the tool's call comes back as the message text (the JSON) with a `stop`
 * finish, in responses and in streams. With client tools present, the client's tool choice decides: `none` (no
 * client tool this turn) forces the structured tool in its place; `auto`, `required` or one named client tool stay
 * as the client chose, the structured tool is added beside the client's, and an instruction tells the model to give
 * its final answer through it (a turn that calls client tools passes through as tool calls).
 */
export const structuredOutputToolAdapter = defineAdapterFactory({
  name: "structured-output-tool",
  description: "Emulate response_format json_schema with a forced tool call, unwrapped back into text.",
  options,
  create: ({ toolName, description }) => {
    const emulating = new WeakSet<AdapterContext>();
    return {
      name: "structured-output-tool",
      phase: "normal",
      passthroughTriggers: ['"json_schema"', "esponseJsonSchema", "esponse_json_schema", "esponseSchema", "esponse_schema", '"output_format"'],
      request(body, context) {
        const native = takeNativeSchemaFormat(body, context.protocol);
        const format = requestedFormat(native.format, context);
        if (format === undefined) return unchanged(body);
        const changes: AdapterChange[] = native.change === undefined ? [] : [native.change];
        const clientTools = Array.isArray(body["tools"]) && body["tools"].length > 0;
        // Forced only when that takes no choice from the client: without client tools, or when the client said no
        // tool this turn (the answer is then the final one). Otherwise (auto, required, one named tool) the client's
        // choice stands, and the model is told to answer through the tool when it answers.
        const force = !clientTools || readClientToolChoice(native.body, context.protocol) === "none";
        const toolDescription = format.description === undefined ? description : `${description}\n${format.description}`;
        let value = addForcedTool(native.body, context.protocol, { name: toolName, description: toolDescription, schema: format.schema }, force);
        changes.push({ path: "tools", action: "inserted", detail: `${toolName} (structured output)` });
        if (force && clientTools) changes.push({ path: "tool_choice", action: "set", detail: `${toolName} forced (the client chose no tool)` });
        if (!force) {
          const appended = appendInstruction(value, context.protocol, `When you give your final answer, give it by calling the tool "${toolName}".`);
          value = appended.value;
          changes.push(appended.change);
        }
        emulating.add(context);
        return { value, changes, warnings: [{ code: "structured-output-emulated", message: `json_schema emulated with the forced tool "${toolName}"` }] };
      },
      engaged: (context) => emulating.has(context),
      response(body, context) {
        if (!emulating.has(context)) return unchanged(body);
        const value = unwrapToolCallAsText(body, context.protocol, toolName);
        return value === undefined ? unchanged(body) : { value, changes: [{ path: "output", action: "set", detail: `${toolName} call unwrapped into text` }], warnings: [] };
      },
      openStream: () => openUnwrapStream(toolName),
    };
  },
});
