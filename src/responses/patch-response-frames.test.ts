import { describe, expect, it } from "vitest";
import { echoPreviousResponseId, echoPreviousResponseIdInFrame, patchResponseFrame } from "./patch-response-frames.js";
import { parseResponseFrames } from "./parse-response-frames.js";

const created = `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id: "resp_1", object: "response", status: "in_progress" } })}\n\n`;
const delta = `event: response.output_text.delta\ndata: ${JSON.stringify({ type: "response.output_text.delta", sequence_number: 1, delta: "hi" })}\n\n`;

async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

describe("response frames", () => {
  it("splits a stream into whole frames whatever the chunking", async () => {
    const text = `${created}: keep-alive\n\n${delta}`;
    for (const size of [1, 3, 7, text.length]) {
      const frames: string[] = [];
      for await (const frame of parseResponseFrames(chunksOf(text, size))) frames.push(frame);
      expect(frames).toEqual([created, ": keep-alive\n\n", delta]);
    }
  });

  it("patches only the response object of lifecycle events and leaves every other frame byte-identical", () => {
    const patched = echoPreviousResponseIdInFrame(created, "resp_0");
    expect(patched.startsWith("event: response.created\ndata: ")).toBe(true);
    expect(JSON.parse(patched.slice(patched.indexOf("data: ") + 6))).toMatchObject({ sequence_number: 0, response: { id: "resp_1", previous_response_id: "resp_0" } });
    expect(echoPreviousResponseIdInFrame(delta, "resp_0")).toBe(delta);
    // Already right: the frame is returned as it came.
    expect(patchResponseFrame(patched, { previous_response_id: "resp_0" })).toBe(patched);
    // Frames without an event line are recognised by their type.
    const bare = created.replace("event: response.created\n", "");
    expect(patchResponseFrame(bare, { background: true })).toContain('"background":true');
  });

  it("echoes previous_response_id on a response body but never on an error body", () => {
    const response = echoPreviousResponseId({ kind: "json", status: 200, headers: {}, body: { id: "resp_2", object: "response" } }, "resp_1");
    expect(response.kind === "json" && response.body).toMatchObject({ previous_response_id: "resp_1" });
    const error = { kind: "json" as const, status: 400, headers: {}, body: { error: { message: "bad" } } };
    expect(echoPreviousResponseId(error, "resp_1")).toBe(error);
    const bytes = echoPreviousResponseId({ kind: "bytes", status: 200, headers: { "content-length": "40" }, body: JSON.stringify({ id: "resp_2", object: "response", previous_response_id: "resp_up" }) }, "resp_1");
    expect(bytes).toEqual({ kind: "json", status: 200, headers: {}, body: { id: "resp_2", object: "response", previous_response_id: "resp_1" } });
  });
});
