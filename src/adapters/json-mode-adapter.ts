import { z } from "zod";
import { unchanged, type AdapterChange, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { appendInstruction } from "./wire-instructions.js";
import { readWirePath, removeWirePath } from "./wire-path.js";

const defaultInstruction = "Respond with one valid JSON object and nothing else: no prose before or after it, no code fences.";

/** The native json_object switch of each protocol that has one on the wire, as a concrete path. */
function nativeSwitch(body: WireBody, protocol: string): readonly string[] | undefined {
  if (protocol === "openai-chat" && readWirePath(body, ["response_format", "type"]) === "json_object") return ["response_format"];
  if (protocol === "openai-responses" && readWirePath(body, ["text", "format", "type"]) === "json_object") return ["text", "format"];
  return undefined;
}

/**
 * `json-mode`: emulates `json_object` with an instruction for targets that reject or lack it (OpenAI-compatible
 * servers without JSON mode; Anthropic, whose codec drops json_object with a warning, seen here through
 * `context.request`). The native switch is removed because such servers answer 400 to it.
 */
export const jsonModeAdapter = defineAdapterFactory({
  name: "json-mode",
  description: "Emulate response_format json_object with a system instruction where the target lacks it.",
  options: z.strictObject({ instruction: z.string().min(1).default(defaultInstruction) }),
  create: ({ instruction }) => ({
    name: "json-mode",
    phase: "normal",
    // On passthrough only a native switch can ask for JSON (no decoded request there), and it names this string.
    passthroughTriggers: ['"json_object"'],
    request(body, context) {
      const native = nativeSwitch(body, context.protocol);
      const wanted = native !== undefined || context.request?.responseFormat?.type === "json_object";
      if (!wanted) return unchanged(body);
      const changes: AdapterChange[] = [];
      let value = body;
      if (native !== undefined) {
        value = removeWirePath(value, native);
        changes.push({ path: native.join("."), action: "removed", detail: "json_object emulated by instruction" });
      }
      const appended = appendInstruction(value, context.protocol, instruction);
      changes.push(appended.change);
      return { value: appended.value, changes, warnings: [{ code: "json-mode-emulated", message: "json_object emulated with an instruction; output is not guaranteed JSON" }] };
    },
  }),
});
