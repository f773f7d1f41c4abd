import { describe, expect, it } from "vitest";
import type { UnifiedRequest } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

const codes = (warnings: ReadonlyArray<{ code: string }>): string[] => warnings.map((warning) => warning.code);

describe("encodeGeminiRequest from other protocols", () => {
  it("writes a Chat-shaped request as the exact Gemini body", () => {
    const request: UnifiedRequest = {
      model: "gemini-2.5-flash",
      system: [{ role: "system", parts: [{ type: "text", text: "You are terse.", cacheControl: { type: "ephemeral" } }] }],
      messages: [
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image", source: { kind: "url", url: "data:image/png;base64,iVBOR" } },
            { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" }, detail: "high" },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool-call", id: "call_a", name: "lookup", arguments: '{"q":"cat"}', kind: "function" },
            { type: "tool-call", id: "call_b", name: "apply_patch", arguments: "*** Begin Patch", kind: "custom" },
          ],
        },
        // Answered out of order, in separate tool messages: Gemini wants one content, in call order.
        { role: "tool", content: [{ type: "tool-result", toolCallId: "call_b", content: [{ type: "text", text: "patched" }] }] },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "call_a",
              content: [
                { type: "text", text: "a cat" },
                { type: "image", source: { kind: "base64", mediaType: "image/png", data: "QUJD" } },
              ],
            },
          ],
        },
      ],
      tools: [
        {
          type: "function",
          name: "lookup",
          description: "Look up",
          parameters: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: { q: { type: ["string", "null"] } },
            additionalProperties: false,
          },
          strict: true,
        },
        { type: "custom", name: "apply_patch", description: "Apply a patch", format: { type: "grammar", syntax: "lark", definition: "start: /.+/" } },
        { type: "native", protocol: "openai-responses", name: "web_search", value: { type: "web_search" } },
        { type: "function", name: "read", namespace: "fs", parameters: { type: "object", properties: {} } },
      ],
      toolChoice: { type: "tool", name: "lookup" },
      parallelToolCalls: false,
      generation: { maxOutputTokens: 512, temperature: 0.2, stop: ["a", "b", "c", "d", "e", "f"], n: 2, logprobs: true, topLogprobs: 5 },
      responseFormat: { type: "json_schema", name: "answer", description: "The answer", schema: { type: "object", properties: { a: { type: "string" } } }, strict: true },
      reasoning: { effort: "high", includeThoughts: true },
      stream: true,
      sourceProtocol: "openai-chat",
    };
    const lookupSchema = request.tools?.[0];
    const { value, warnings } = geminiCodec.encodeRequest(request);
    expect(value).toStrictEqual({
      systemInstruction: { parts: [{ text: "You are terse." }, { text: "Answer in French." }] },
      contents: [
        {
          role: "user",
          parts: [
            { text: "What is in these?" },
            { inlineData: { mimeType: "image/png", data: "iVBOR" } },
            { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.jpg" } },
          ],
        },
        {
          role: "model",
          parts: [
            { text: "Let me check." },
            { functionCall: { id: "call_a", name: "lookup", args: { q: "cat" } } },
            { functionCall: { id: "call_b", name: "apply_patch", args: { input: "*** Begin Patch" } } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { id: "call_a", name: "lookup", response: { output: "a cat" } } },
            { functionResponse: { id: "call_b", name: "apply_patch", response: { output: "patched" } } },
            { inlineData: { mimeType: "image/png", data: "QUJD" } },
          ],
        },
      ],
      tools: [
        {
          functionDeclarations: [
            { name: "lookup", description: "Look up", parametersJsonSchema: { type: "object", properties: { q: { type: ["string", "null"] } }, additionalProperties: false } },
            {
              name: "apply_patch",
              description: "Apply a patch\n\nInput must follow this lark grammar:\nstart: /.+/",
              parametersJsonSchema: {
                type: "object",
                properties: { input: { type: "string", description: "The raw input for this tool." } },
                required: ["input"],
                additionalProperties: false,
              },
            },
            { name: "fs__read", parametersJsonSchema: { type: "object", properties: {} } },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["lookup"] } },
      generationConfig: {
        maxOutputTokens: 512,
        temperature: 0.2,
        candidateCount: 2,
        stopSequences: ["a", "b", "c", "d", "e", "f"],
        responseLogprobs: true,
        logprobs: 5,
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", properties: { a: { type: "string" } } },
        thinkingConfig: { thinkingBudget: 16384, includeThoughts: true },
      },
    });
    expect(codes(warnings)).toStrictEqual([
      "cache-control-dropped",
      "image-detail-dropped",
      "custom-tool-as-function",
      "native-tool-dropped",
      "parallel-tool-calls-unsupported",
      "stop-sequences-over-limit",
      "response-format-description-dropped",
      "reasoning-effort-mapped",
    ]);
    expect(warnings.find((warning) => warning.code === "reasoning-effort-mapped")?.message).toBe('reasoning effort "high" → thinkingBudget 16384');
    // The client's schema object was not modified (only a copy of its root lost `$schema`).
    expect(lookupSchema?.type === "function" && lookupSchema.parameters["$schema"]).toBe("http://json-schema.org/draft-07/schema#");
    expect(value).not.toHaveProperty("model");
  });

  it("drops foreign artefacts and signs the first call for Gemini 3 with the documented sentinel", () => {
    const { value, warnings } = geminiCodec.encodeRequest({
      model: "gemini-3-pro-preview",
      system: [],
      messages: [
        { role: "user", content: [{ type: "text", text: "hi" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "hmm", signature: "EqQB", origin: { protocol: "anthropic-messages" } },
            { type: "text", text: "ok" },
            { type: "tool-call", id: "toolu_1", name: "f", arguments: "{}", kind: "function", signature: "x", signatureOrigin: { protocol: "anthropic-messages" } },
            { type: "tool-call", id: "toolu_2", name: "g", arguments: "{}", kind: "function" },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool-result", toolCallId: "toolu_2", content: [{ type: "text", text: "G" }], isError: true },
            { type: "tool-result", toolCallId: "toolu_1", content: [{ type: "text", text: "F" }] },
          ],
        },
      ],
      generation: {},
      reasoning: { effort: "low" },
      stream: false,
      sourceProtocol: "anthropic-messages",
    });
    expect(value).toStrictEqual({
      contents: [
        { role: "user", parts: [{ text: "hi" }] },
        {
          role: "model",
          parts: [
            { text: "ok" },
            { functionCall: { id: "toolu_1", name: "f", args: {} }, thoughtSignature: "skip_thought_signature_validator" },
            { functionCall: { id: "toolu_2", name: "g", args: {} } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { id: "toolu_1", name: "f", response: { output: "F" } } },
            { functionResponse: { id: "toolu_2", name: "g", response: { error: "G" } } },
          ],
        },
      ],
      generationConfig: { thinkingConfig: { thinkingLevel: "low" } },
    });
    expect(codes(warnings)).toStrictEqual(["reasoning-artefact-dropped", "reasoning-artefact-dropped", "thought-signature-sentinel", "reasoning-effort-mapped"]);
  });

  it("replays Gemini-made signatures where they came from and turns a later system message into a user turn", () => {
    const { value, warnings } = geminiCodec.encodeRequest({
      model: "gemini-3-flash-preview",
      system: [],
      messages: [
        { role: "user", content: [{ type: "text", text: "hi" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "", signature: "S1", origin: { protocol: "gemini" } },
            { type: "text", text: "hello" },
            { type: "tool-call", id: "c1", name: "f", arguments: '{"a":1}', kind: "function", signature: "S2", signatureOrigin: { protocol: "gemini" } },
            { type: "reasoning", text: "", signature: "S3", origin: { protocol: "gemini" } },
          ],
        },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "c1", content: [{ type: "text", text: "done" }] }] },
        { role: "system", content: [{ type: "text", text: "Now be formal." }] },
      ],
      generation: {},
      reasoning: { enabled: false },
      stream: false,
    });
    expect(value).toStrictEqual({
      contents: [
        { role: "user", parts: [{ text: "hi" }] },
        {
          role: "model",
          parts: [
            { text: "hello", thoughtSignature: "S1" },
            { functionCall: { id: "c1", name: "f", args: { a: 1 } }, thoughtSignature: "S2" },
            { text: "", thoughtSignature: "S3" },
          ],
        },
        { role: "user", parts: [{ functionResponse: { id: "c1", name: "f", response: { output: "done" } } }] },
        { role: "user", parts: [{ text: "Now be formal." }] },
      ],
      generationConfig: { thinkingConfig: { thinkingLevel: "minimal" } },
    });
    expect(codes(warnings)).toStrictEqual(["system-message-as-user", "reasoning-cannot-disable"]);
  });

  it("uses the configured effort table and reports each mapping", () => {
    const { value, warnings } = geminiCodec.encodeRequest(
      { model: "gemini-2.5-pro", system: [], messages: [{ role: "user", content: [{ type: "text", text: "x" }] }], generation: {}, reasoning: { effort: "medium" }, stream: false },
      { reasoningEffortTable: [{ pattern: "gemini-2.5-pro", mapping: { budgets: { none: 128, minimal: 128, low: 512, medium: 3000, high: 9000, xhigh: 20000, max: 32768 } } }] },
    );
    expect(value["generationConfig"]).toStrictEqual({ thinkingConfig: { thinkingBudget: 3000 } });
    expect(warnings).toStrictEqual([{ code: "reasoning-effort-mapped", message: 'reasoning effort "medium" → thinkingBudget 3000' }]);
  });

  it("keeps what it cannot map visible: unknown result names, non-object arguments, foreign natives, file ids", () => {
    const { value, warnings } = geminiCodec.encodeRequest({
      model: "gemini-2.5-flash",
      system: [],
      messages: [
        {
          role: "assistant",
          content: [
            { type: "tool-call", id: "c9", name: "f", arguments: '{"a":', kind: "function" },
            { type: "native", protocol: "anthropic-messages", value: { type: "server_tool_use" } },
            { type: "refusal", text: "I can't." },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool-result", toolCallId: "unknown", content: [{ type: "text", text: "?" }] },
            { type: "file", source: { kind: "file-id", fileId: "file-abc" } },
            { type: "audio", data: "UklG", format: "wav" },
          ],
        },
      ],
      generation: {},
      stream: false,
    });
    expect(value["contents"]).toStrictEqual([
      { role: "model", parts: [{ functionCall: { id: "c9", name: "f", args: {} } }, { text: "I can't." }] },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "unknown", name: "unknown", response: { output: "?" } } },
          { inlineData: { mimeType: "audio/wav", data: "UklG" } },
        ],
      },
    ]);
    expect(codes(warnings)).toStrictEqual(["tool-call-arguments-invalid", "native-part-dropped", "refusal-as-text", "tool-result-name-unknown", "file-id-dropped"]);
  });
});
