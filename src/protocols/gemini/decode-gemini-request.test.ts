import { describe, expect, it } from "vitest";
import { GatewayError, deriveToolCallId, embedSignatureInToolCallId, tagReasoningArtefact } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

/** The GatewayError a decode throws (fails the test when it does not throw one). */
function decodeError(body: unknown): GatewayError {
  try {
    geminiCodec.decodeRequest(body);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw new Error(`threw a non-GatewayError: ${String(error)}`, { cause: error });
  }
  throw new Error("did not throw");
}

const user = (text: string) => ({ role: "user", parts: [{ text }] });

describe("decodeGeminiRequest: structure errors name the path", () => {
  it.each([
    ["not an object", 42, "", "expected an object"],
    ["missing contents", {}, "contents", "is required"],
    ["contents not an array", { contents: {} }, "contents", "expected an array"],
    ["content not an object", { contents: [null] }, "contents[0]", "expected an object"],
    ["unknown role", { contents: [{ role: "system", parts: [{ text: "x" }] }] }, "contents[0].role", 'unknown role "system"'],
    ["missing parts", { contents: [{ role: "user" }] }, "contents[0].parts", "is required"],
    ["text not a string", { contents: [{ role: "user", parts: [{ text: 3 }] }] }, "contents[0].parts[0].text", "expected a string"],
    ["thought not a boolean", { contents: [{ role: "model", parts: [{ text: "a", thought: "yes" }] }] }, "contents[0].parts[0].thought", "expected a boolean"],
    ["functionCall without name", { contents: [{ role: "model", parts: [{ functionCall: { args: {} } }] }] }, "contents[0].parts[0].functionCall.name", "expected a string"],
    ["functionCall args not an object", { contents: [{ role: "model", parts: [{ functionCall: { name: "f", args: [1] } }] }] }, "contents[0].parts[0].functionCall.args", "expected an object"],
    ["inlineData without data", { contents: [user("a"), { role: "user", parts: [{ inlineData: { mimeType: "image/png" } }] }] }, "contents[1].parts[0].inlineData.data", "expected a string"],
    ["functionResponse response not an object", { contents: [{ role: "user", parts: [{ functionResponse: { name: "f", response: "x" } }] }] }, "contents[0].parts[0].functionResponse.response", "expected an object"],
    ["system instruction with an image", { contents: [user("a")], systemInstruction: { parts: [{ inlineData: { mimeType: "image/png", data: "x" } }] } }, "systemInstruction.parts[0]", "text parts only"],
    ["tools not an array", { contents: [user("a")], tools: {} }, "tools", "expected an array"],
    ["declaration without name", { contents: [user("a")], tools: [{ functionDeclarations: [{}] }] }, "tools[0].functionDeclarations[0].name", "expected a string"],
    ["temperature not a number", { contents: [user("a")], generationConfig: { temperature: "hot" } }, "generationConfig.temperature", "expected a number"],
    ["stop sequence not a string", { contents: [user("a")], generationConfig: { stopSequences: ["a", 1] } }, "generationConfig.stopSequences[1]", "expected a string"],
    ["thinking budget below -1", { contents: [user("a")], generationConfig: { thinkingConfig: { thinkingBudget: -2 } } }, "generationConfig.thinkingConfig.thinkingBudget", "expected -1"],
    ["allowed names not strings", { contents: [user("a")], toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [1] } } }, "toolConfig.functionCallingConfig.allowedFunctionNames[0]", "expected a string"],
  ])("%s", (_name, body, path, message) => {
    const error = decodeError(body);
    expect(error.code).toBe("invalid_request");
    expect(error.httpStatus).toBe(400);
    expect(error.path).toBe(path);
    expect(error.message).toContain(message);
  });
});

describe("decodeGeminiRequest: parts", () => {
  it("reads every part kind, keeping unknown part shapes verbatim", () => {
    const executable = { executableCode: { language: "PYTHON", code: "print(1)" } };
    const { value } = geminiCodec.decodeRequest({
      contents: [
        {
          role: "user",
          parts: [
            { text: "look", videoMetadata: { startOffset: "1s" } },
            { inlineData: { mimeType: "image/png", data: "iVBOR" } },
            { inlineData: { mimeType: "audio/wav", data: "UklGR" } },
            { inlineData: { mimeType: "application/pdf", data: "JVBER" } },
            { fileData: { mimeType: "image/jpeg", fileUri: "https://generativelanguage.googleapis.com/v1beta/files/a" } },
            { fileData: { fileUri: "gs://bucket/doc.pdf" } },
          ],
        },
        { role: "model", parts: [executable, { codeExecutionResult: { outcome: "OUTCOME_OK", output: "1" } }] },
      ],
    });
    expect(value.messages[0]?.content).toStrictEqual([
      { type: "text", text: "look", extensions: { gemini: { videoMetadata: { startOffset: "1s" } } } },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" } },
      { type: "audio", data: "UklGR", format: "audio/wav" },
      { type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "JVBER" } },
      {
        type: "image",
        source: { kind: "url", url: "https://generativelanguage.googleapis.com/v1beta/files/a" },
        extensions: { gemini: { $mimeType: "image/jpeg" } },
      },
      { type: "file", source: { kind: "url", url: "gs://bucket/doc.pdf" } },
    ]);
    expect(value.messages[1]?.content[0]).toStrictEqual({ type: "native", protocol: "gemini", value: executable });
  });

  it("turns thoughts into reasoning and a text part's signature into a signature-only reasoning part before it", () => {
    const { value } = geminiCodec.decodeRequest({
      contents: [
        user("q"),
        {
          role: "model",
          parts: [
            { text: "thinking…", thought: true },
            { text: "answer", thoughtSignature: "c2ln" },
            { text: "", thoughtSignature: "ZW5k" },
          ],
        },
      ],
    });
    expect(value.messages[1]?.content).toStrictEqual([
      { type: "reasoning", text: "thinking…" },
      { type: "reasoning", text: "", signature: "c2ln", origin: { protocol: "gemini" } },
      { type: "text", text: "answer" },
      { type: "reasoning", text: "", signature: "ZW5k", origin: { protocol: "gemini" } },
    ]);
  });

  it("untags artefacts of other origins that a Gemini client sends back", () => {
    const { value } = geminiCodec.decodeRequest({
      contents: [
        user("q"),
        {
          role: "model",
          parts: [
            { text: "t", thought: true, thoughtSignature: tagReasoningArtefact("EqQB", "anthropic-messages") },
            { text: "", thought: true, thoughtSignature: tagReasoningArtefact("redacted:b3BhcXVl", "anthropic-messages") },
            { text: "", thought: true, thoughtSignature: tagReasoningArtefact("encrypted:Z0FBQQ", "openai-responses") },
          ],
        },
      ],
    });
    expect(value.messages[1]?.content).toStrictEqual([
      { type: "reasoning", text: "t", signature: "EqQB", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning", text: "", redactedData: "b3BhcXVl", origin: { protocol: "anthropic-messages" }, extensions: { gemini: { $thought: true } } },
      { type: "reasoning", text: "", encryptedContent: "Z0FBQQ", origin: { protocol: "openai-responses" }, extensions: { gemini: { $thought: true } } },
    ]);
  });

  it("gives calls without ids deterministic ids and matches responses to them by name and order", () => {
    const body = {
      contents: [
        user("weather in Paris and Rome?"),
        {
          role: "model",
          parts: [
            { functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: "c2ln" },
            { functionCall: { name: "weather", args: { city: "Rome" } } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "weather", response: { output: "sunny" } } },
            { functionResponse: { name: "weather", response: { error: "no data" } } },
          ],
        },
      ],
    };
    const first = geminiCodec.decodeRequest(body).value;
    const second = geminiCodec.decodeRequest(body).value;
    expect(second).toStrictEqual(first);
    const paris = deriveToolCallId("call", "contents[1]", "weather", '{"city":"Paris"}', 0);
    const rome = deriveToolCallId("call", "contents[1]", "weather", '{"city":"Rome"}', 1);
    expect(paris).not.toBe(rome);
    expect(first.messages[1]?.content).toStrictEqual([
      {
        type: "tool-call",
        id: paris,
        name: "weather",
        arguments: '{"city":"Paris"}',
        kind: "function",
        signature: "c2ln",
        signatureOrigin: { protocol: "gemini" },
        extensions: { gemini: { $idDerived: true } },
      },
      { type: "tool-call", id: rome, name: "weather", arguments: '{"city":"Rome"}', kind: "function", extensions: { gemini: { $idDerived: true } } },
    ]);
    expect(first.messages[2]?.content).toStrictEqual([
      { type: "tool-result", toolCallId: paris, name: "weather", content: [{ type: "text", text: "sunny" }], kind: "function", extensions: { gemini: { $idDerived: true } } },
      {
        type: "tool-result",
        toolCallId: rome,
        name: "weather",
        content: [{ type: "text", text: "no data" }],
        isError: true,
        kind: "function",
        extensions: { gemini: { $idDerived: true } },
      },
    ]);
    expect(geminiCodec.encodeRequest(first).value).toStrictEqual(body);
  });

  it("splits signatures embedded in ids and keeps media nested in a functionResponse as tool-result media", () => {
    const { value } = geminiCodec.decodeRequest({
      contents: [
        { role: "model", parts: [{ functionCall: { id: embedSignatureInToolCallId("call_1", "c2ln"), name: "shot", args: {} } }] },
        {
          role: "user",
          parts: [
            {
              functionResponse: {
                id: embedSignatureInToolCallId("call_1", "c2ln"),
                name: "shot",
                response: { output: "ok" },
                parts: [{ inlineData: { mimeType: "image/png", data: "iVBOR" } }],
              },
            },
          ],
        },
      ],
    });
    expect(value.messages[0]?.content[0]).toMatchObject({ id: "call_1", signature: "c2ln", signatureOrigin: { protocol: "gemini" } });
    expect(value.messages[1]?.content[0]).toStrictEqual({
      type: "tool-result",
      toolCallId: "call_1",
      name: "shot",
      content: [
        { type: "text", text: "ok" },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" } },
      ],
      kind: "function",
      extensions: { gemini: { $nestedMedia: true } },
    });
  });
});

describe("decodeGeminiRequest: configuration", () => {
  it("maps tool choice modes", () => {
    const choice = (functionCallingConfig: unknown) =>
      geminiCodec.decodeRequest({ contents: [user("a")], toolConfig: { functionCallingConfig } }).value.toolChoice;
    expect(choice({ mode: "AUTO" })).toStrictEqual({ type: "auto" });
    expect(choice({ mode: "NONE" })).toStrictEqual({ type: "none" });
    expect(choice({ mode: "ANY" })).toStrictEqual({ type: "required" });
    expect(choice({ mode: "ANY", allowedFunctionNames: ["lookup"] })).toStrictEqual({ type: "tool", name: "lookup" });
    expect(choice({ mode: "ANY", allowedFunctionNames: ["a", "b"] })).toStrictEqual({ type: "required" });
    expect(choice({ mode: "VALIDATED" })).toStrictEqual({ type: "auto" });
    expect(choice({})).toBeUndefined();
  });

  it("reads generation parameters, thinking and structured output (snake_case too)", () => {
    const { value } = geminiCodec.decodeRequest({
      contents: [user("a")],
      generation_config: {
        max_output_tokens: 100,
        temperature: 0.5,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ["END"],
        seed: 7,
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
        candidate_count: 2,
        response_logprobs: true,
        logprobs: 3,
        response_mime_type: "application/json",
        response_schema: { type: "OBJECT", properties: { n: { type: "INTEGER", nullable: true } } },
        thinking_config: { thinking_level: "HIGH", include_thoughts: true },
      },
    });
    expect(value.generation).toStrictEqual({
      maxOutputTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      n: 2,
      topLogprobs: 3,
      logprobs: true,
      stop: ["END"],
    });
    expect(value.responseFormat).toStrictEqual({ type: "json_schema", schema: { type: "object", properties: { n: { type: ["integer", "null"] } } } });
    expect(value.reasoning).toStrictEqual({ effort: "high", includeThoughts: true });
  });

  it("lower-cases Gemini CLI's upper-case responseJsonSchema types for other protocols and writes the original back", () => {
    const schema = { type: "OBJECT", properties: { reasoning: { type: "STRING" }, model_choice: { type: "STRING", enum: ["flash", "pro"] } }, required: ["reasoning"] };
    const body = { contents: [user("route this")], generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema, thinkingConfig: { thinkingLevel: "LOW" } } };
    const { value } = geminiCodec.decodeRequest(body);
    expect(value.responseFormat).toStrictEqual({
      type: "json_schema",
      schema: { type: "object", properties: { reasoning: { type: "string" }, model_choice: { type: "string", enum: ["flash", "pro"] } }, required: ["reasoning"] },
    });
    expect(value.reasoning).toStrictEqual({ effort: "low" });
    expect(geminiCodec.encodeRequest({ ...value, model: "gemini-2.5-flash-lite" })).toStrictEqual({ value: body, warnings: [] });
  });

  it("converts OpenAPI-subset parameters to JSON Schema in a copy and keeps parametersJsonSchema as is", () => {
    const openApi = { type: "OBJECT", properties: { q: { type: "STRING" }, tags: { type: "ARRAY", items: { type: "STRING" } } }, required: ["q"] };
    const jsonSchema = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", additionalProperties: false, properties: {} };
    const { value } = geminiCodec.decodeRequest({
      contents: [user("a")],
      tools: [{ functionDeclarations: [{ name: "search", parameters: openApi }, { name: "noop", parametersJsonSchema: jsonSchema }, { name: "bare" }] }, { googleSearch: {} }],
    });
    expect(value.tools).toStrictEqual([
      {
        type: "function",
        name: "search",
        parameters: { type: "object", properties: { q: { type: "string" }, tags: { type: "array", items: { type: "string" } } }, required: ["q"] },
        extensions: { gemini: { $schemaField: "parameters", $originalSchema: openApi } },
      },
      { type: "function", name: "noop", parameters: jsonSchema },
      { type: "function", name: "bare", parameters: { type: "object", properties: {} }, extensions: { gemini: { $noParameters: true } } },
      { type: "native", protocol: "gemini", name: "googleSearch", value: { googleSearch: {} } },
    ]);
    expect(openApi.type).toBe("OBJECT");
  });

  it("keeps unknown and provider-only fields in extensions and puts them back", () => {
    const body = {
      model: "models/gemini-2.5-flash",
      contents: [{ parts: [{ text: "hi" }], futureContentField: 1 }],
      systemInstruction: "be brief",
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
      cachedContent: "cachedContents/abc",
      labels: { team: "x" },
      futureTopLevel: { a: 1 },
      generationConfig: { responseModalities: ["TEXT"], thinkingConfig: { thinkingBudget: -1, futureThinking: true } },
      toolConfig: { functionCallingConfig: { mode: "VALIDATED" }, retrievalConfig: { languageCode: "en" } },
    };
    const decoded = geminiCodec.decodeRequest(body).value;
    expect(decoded.model).toBe("models/gemini-2.5-flash");
    expect(decoded.system).toStrictEqual([{ role: "system", parts: [{ type: "text", text: "be brief" }], extensions: { gemini: { $string: true } } }]);
    expect(decoded.messages[0]).toStrictEqual({ role: "user", content: [{ type: "text", text: "hi" }], extensions: { gemini: { futureContentField: 1, $noRole: true } } });
    expect(decoded.reasoning).toStrictEqual({ budgetTokens: -1 });
    const { model: _model, ...wire } = body;
    expect(geminiCodec.encodeRequest(decoded).value).toStrictEqual(wire);
  });
});
