import { z } from "zod";
import { defineAdapterFactory } from "./adapter-registry.js";

/**
 * `stream-via-nonstream`: the chain form of the `viaNonStream` stream setting, so a model whose streaming is broken
 * (empty or truncated SSE while the non-streaming endpoint answers fine) can be named by a model rule instead of
 * switching a whole provider. It transforms nothing: it marks the chain, and the pipeline asks the upstream without
 * streaming and re-emits the answer as the client protocol's stream (heartbeats while it waits).
 */
export const streamViaNonStreamAdapter = defineAdapterFactory({
  name: "stream-via-nonstream",
  description: "Serve streaming requests with a non-streaming upstream call, re-emitted as the client's stream.",
  options: z.strictObject({}),
  create: () => ({ name: "stream-via-nonstream", phase: "normal", streamViaNonStream: true }),
});
