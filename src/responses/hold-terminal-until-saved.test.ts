import { describe, expect, it } from "vitest";
import { holdTerminalUntilSaved, readTerminalResponse } from "./hold-terminal-until-saved.js";

async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  yield* parts;
}

const created = 'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1","status":"in_progress"}}\n\n';
const delta = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hi"}\n\n';
const completed = 'event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[]}}\n\n';

describe("holdTerminalUntilSaved", () => {
  it("saves from the terminal frame before yielding it, even when the frame is split across chunks and bytes", async () => {
    const log: string[] = [];
    const text = created + delta + completed;
    const cut = text.indexOf("response.completed") + 5;
    const bytes = new TextEncoder().encode(text.slice(cut));
    const stream = holdTerminalUntilSaved(chunksOf(text.slice(0, cut), bytes.subarray(0, 7), bytes.subarray(7)), async (response) => {
      log.push(`save ${String(response["id"])} ${String(response["status"])}`);
    });
    let received = "";
    for await (const chunk of stream) {
      received += chunk;
      log.push(chunk.includes("response.completed") ? "terminal" : "frames");
    }
    expect(received).toBe(text);
    expect(log).toEqual(["frames", "save resp_1 completed", "terminal"]);
  });

  it("passes a stream without a terminal event through unchanged and saves nothing", async () => {
    let saves = 0;
    let received = "";
    for await (const chunk of holdTerminalUntilSaved(chunksOf(created, ": keep-alive\n\n", delta.slice(0, -1)), async () => void saves++)) received += chunk;
    expect(received).toBe(created + ": keep-alive\n\n" + delta.slice(0, -1));
    expect(saves).toBe(0);
  });

  it("reads only the terminal events' response objects", () => {
    expect(readTerminalResponse(completed)).toEqual({ id: "resp_1", status: "completed", output: [] });
    expect(readTerminalResponse(created)).toBeUndefined();
    expect(readTerminalResponse('data: {"type":"response.failed","response":{"id":"r"}}\n\n')).toEqual({ id: "r" });
    expect(readTerminalResponse("event: response.completed\ndata: {broken\n\n")).toBeUndefined();
  });
});
