import { z } from "zod";
import { matchModelPattern } from "../providers/index.js";
import { unchanged } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";

const options = z
  .strictObject({
    /** The model id to send whatever the request named. */
    model: z.string().min(1).optional(),
    /** Globs on the body's model id → replacement; first match wins. Used when one provider names models its own way. */
    map: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .refine((value) => value.model !== undefined || value.map !== undefined, { message: "set model or map" });

/**
 * `model-override`: rewrites the `model` field of the outgoing body. Gemini carries the model in the URL, not the
 * body, so there it only warns: routing (aliases) is the place to change a Gemini model.
 */
export const modelOverrideAdapter = defineAdapterFactory({
  name: "model-override",
  description: "Replace the upstream model id in the request body (fixed, or by glob map).",
  options,
  create: ({ model, map }) => ({
    name: "model-override",
    phase: "normal",
    request(body, context) {
      if (context.protocol === "gemini") {
        return { value: body, changes: [], warnings: [{ code: "model-override-unsupported", message: "Gemini names the model in the URL; use an alias instead", path: "model" }] };
      }
      const current = typeof body["model"] === "string" ? body["model"] : context.model;
      let next = model;
      for (const [pattern, replacement] of Object.entries(map ?? {})) {
        if (next !== undefined) break;
        if (matchModelPattern(pattern, current) !== undefined) next = replacement;
      }
      if (next === undefined || next === body["model"]) return unchanged(body);
      return { value: { ...body, model: next }, changes: [{ path: "model", action: "set", detail: `${current} → ${next}` }], warnings: [] };
    },
  }),
});
