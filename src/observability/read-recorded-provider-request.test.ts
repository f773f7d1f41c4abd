import { describe, expect, it } from "vitest";
import { readRecordedProviderRequests } from "./read-recorded-provider-request.js";

const line = (entry: Record<string, unknown>): string => JSON.stringify(entry);

describe("readRecordedProviderRequests", () => {
  it("returns every provider-request line of a trace in order, with its routing fields", () => {
    const trace = [
      line({ seq: 1, kind: "client-request", data: { body: {} } }),
      line({ seq: 2, at: "2026-01-01T00:00:00.000Z", requestId: "r1", kind: "provider-request", provider: "openai", protocol: "openai-chat", model: "m1", operation: "generate", stream: true, data: { url: "http://x/v1/chat/completions", method: "POST", headers: { Authorization: "[redacted]", "Anthropic-Beta": "b1" }, body: { model: "m1" } } }),
      "not json at all",
      line({ seq: 3, kind: "provider-response", data: { status: 529 } }),
      line({ seq: 4, kind: "provider-request", provider: "gemini", data: { url: "http://g/v1beta/models/g1:generateContent", headers: {}, body: { contents: [] } } }),
      "",
    ].join("\n");
    expect(readRecordedProviderRequests(trace)).toEqual([
      {
        source: "trace",
        seq: 2,
        at: "2026-01-01T00:00:00.000Z",
        requestId: "r1",
        provider: "openai",
        protocol: "openai-chat",
        model: "m1",
        operation: "generate",
        stream: true,
        url: "http://x/v1/chat/completions",
        method: "POST",
        headers: { authorization: "[redacted]", "anthropic-beta": "b1" },
        body: { model: "m1" },
      },
      { source: "trace", seq: 4, provider: "gemini", url: "http://g/v1beta/models/g1:generateContent", headers: {}, body: { contents: [] } },
    ]);
  });

  it("reads a failure dump as one request", () => {
    const dump = JSON.stringify({ at: "t", requestId: "r2", provider: "anthropic", protocol: "anthropic-messages", model: "c1", request: { url: "http://a/v1/messages", headers: { "x-api-key": "[redacted]" }, body: "not json" }, error: { code: "invalid_request" } }, null, 2);
    expect(readRecordedProviderRequests(dump)).toEqual([
      { source: "dump", at: "t", requestId: "r2", provider: "anthropic", protocol: "anthropic-messages", model: "c1", url: "http://a/v1/messages", headers: { "x-api-key": "[redacted]" }, body: "not json" },
    ]);
  });

  it("returns nothing for a trace that never reached a provider, and refuses other files", () => {
    expect(readRecordedProviderRequests(line({ seq: 1, kind: "client-request", data: {} }))).toEqual([]);
    expect(() => readRecordedProviderRequests("hello\nworld")).toThrow("neither a transaction trace");
    expect(() => readRecordedProviderRequests('{"name": "package.json"}')).toThrow("not a failure dump");
  });
});
