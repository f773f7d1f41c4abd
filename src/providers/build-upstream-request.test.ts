import { describe, expect, it } from "vitest";
import { buildUpstreamRequest, selectForwardedHeaders } from "./build-upstream-request.js";
import { createCredential } from "./create-credential.js";
import { createProviderRegistry, type ConfiguredProvider } from "./create-provider-registry.js";
import { defineProvider } from "./define-provider.js";
import type { ProviderDeclaration } from "./provider-declaration.js";
import { readProviderEnvironment } from "./read-provider-environment.js";

function providerFrom(env: Record<string, string>, id: string, declarations?: ProviderDeclaration[]): ConfiguredProvider {
  const registry = createProviderRegistry({
    settings: readProviderEnvironment(env, declarations?.map(defineProvider)).settings,
    ...(declarations === undefined ? {} : { declarations: declarations.map(defineProvider) }),
  });
  const provider = registry.get(id);
  if (provider === undefined) throw new Error(`${id} is not active`);
  return provider;
}

describe("buildUpstreamRequest", () => {
  it("bearer auth, OpenAI Chat path, JSON body", () => {
    const openai = providerFrom({ OPENAI_API_KEY: "sk-openai-test" }, "openai");
    const request = buildUpstreamRequest({ provider: openai, model: "gpt-5", operation: "generate", stream: true, body: { model: "gpt-5", stream: true } });
    expect(request).toEqual({
      url: "https://api.openai.com/v1/chat/completions",
      method: "POST",
      headers: { "user-agent": "switchyard/0.1", accept: "text/event-stream", "content-type": "application/json", authorization: "Bearer sk-openai-test" },
      body: '{"model":"gpt-5","stream":true}',
      providerId: "openai",
      credentialId: createCredential("openai", "sk-openai-test").id,
    });
  });

  it("uses the path of the requested protocol (Responses) and a chosen credential", () => {
    const openai = providerFrom({ OPENAI_API_KEY: "sk-one", OPENAI_API_KEY_2: "sk-two" }, "openai");
    const second = openai.credentials[1];
    const request = buildUpstreamRequest({ provider: openai, credential: second, protocol: "openai-responses", model: "gpt-5", operation: "generate", body: "{}" });
    expect(request.url).toBe("https://api.openai.com/v1/responses");
    expect(request.headers.authorization).toBe("Bearer sk-two");
    expect(request.credentialId).toBe(second?.id);
  });

  it("header auth with static anthropic-version; forwarded client betas and version; auth cannot be overridden", () => {
    const anthropic = providerFrom({ ANTHROPIC_API_KEY: "sk-ant-test" }, "anthropic");
    const raw = '{"model":"claude-x",  "max_tokens":1,"unknown_field":{"kept":true}}';
    const request = buildUpstreamRequest({
      provider: anthropic,
      model: "claude-x",
      operation: "generate",
      body: raw,
      clientHeaders: { "Anthropic-Beta": ["a-2025", "b-2026"], "anthropic-version": "2026-10-21", "x-api-key": "client-key", cookie: "c=1" },
    });
    expect(request.url).toBe("https://api.anthropic.com/v1/messages");
    expect(request.headers).toEqual({
      "user-agent": "switchyard/0.1",
      accept: "application/json",
      "content-type": "application/json",
      "anthropic-version": "2026-10-21",
      "anthropic-beta": "a-2025, b-2026",
      "x-api-key": "sk-ant-test",
    });
    expect(request.body).toBe(raw);
    expect(buildUpstreamRequest({ provider: anthropic, model: "claude-x", operation: "count-tokens", body: {} }).url).toBe(
      "https://api.anthropic.com/v1/messages/count_tokens",
    );
  });

  it("Gemini: model in the path, streaming method with alt=sse, x-goog-api-key", () => {
    const gemini = providerFrom({ GEMINI_API_KEY: "AIza-test-key" }, "gemini");
    const stream = buildUpstreamRequest({ provider: gemini, model: "models/gemini-2.5-pro", operation: "generate", stream: true, body: { contents: [] } });
    expect(stream.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    expect(stream.headers["x-goog-api-key"]).toBe("AIza-test-key");
    expect(stream.headers.authorization).toBeUndefined();
    expect(buildUpstreamRequest({ provider: gemini, model: "gemini-2.5-pro", operation: "generate", body: {} }).url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent",
    );
    expect(buildUpstreamRequest({ provider: gemini, model: "tuned/x", operation: "count-tokens", body: {} }).url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/tuned%2Fx:countTokens",
    );
    expect(buildUpstreamRequest({ provider: gemini, model: "text-embedding-004", operation: "embed", body: {} }).url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent",
    );
    const list = buildUpstreamRequest({ provider: gemini, model: "", operation: "list-models", query: { pageSize: "1000", pageToken: "next page" } });
    expect(list).toMatchObject({ method: "GET", url: "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000&pageToken=next+page" });
    expect(list.body).toBeUndefined();
    expect(list.headers["content-type"]).toBeUndefined();
  });

  it("query auth appends the key after the path's own query", () => {
    const declaration: ProviderDeclaration = {
      id: "query-llm",
      displayName: "Query LLM",
      protocol: "gemini",
      baseUrl: "https://query.example.test",
      auth: { type: "query", param: "key" },
      keyRequired: true,
    };
    const provider = providerFrom({ QUERY_LLM_API_KEY: "secret value" }, "query-llm", [declaration]);
    const request = buildUpstreamRequest({ provider, model: "m", operation: "generate", stream: true, body: {} });
    expect(request.url).toBe("https://query.example.test/v1beta/models/m:streamGenerateContent?alt=sse&key=secret+value");
    expect(Object.keys(request.headers)).toEqual(["user-agent", "accept", "content-type"]);
  });

  it("sends no auth for keyless providers", () => {
    const ollama = providerFrom({ OLLAMA_API_BASE: "http://127.0.0.1:11434/v1" }, "ollama");
    const request = buildUpstreamRequest({ provider: ollama, model: "llama3:8b", operation: "generate", body: {} });
    expect(request.url).toBe("http://127.0.0.1:11434/v1/chat/completions");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.credentialId).toBe("ollama:keyless");
  });

  it("runs the adjustRequest and resolveUrl hooks with the call context", () => {
    const declaration: ProviderDeclaration = {
      id: "hooked",
      displayName: "Hooked",
      protocol: "openai-chat",
      baseUrl: "https://hooked.example.test/openai",
      auth: { type: "header", name: "api-key" },
      keyRequired: true,
      hooks: {
        adjustRequest: (body, context) => ({ ...body, model: undefined, hooked: `${context.providerId}/${context.operation}/${String(context.stream)}` }),
        resolveUrl: (context) => `${context.baseUrl}/deployments/${context.model}${context.path}?api-version=2025-01-01`,
      },
    };
    const provider = providerFrom({ HOOKED_API_KEY: "azure-key" }, "hooked", [declaration]);
    const fromObject = buildUpstreamRequest({ provider, model: "gpt-x", operation: "generate", body: { model: "gpt-x", a: 1 } });
    expect(fromObject.url).toBe("https://hooked.example.test/openai/deployments/gpt-x/chat/completions?api-version=2025-01-01");
    expect(fromObject.body).toBe('{"a":1,"hooked":"hooked/generate/false"}');
    expect(fromObject.headers["api-key"]).toBe("azure-key");
    const fromString = buildUpstreamRequest({ provider, model: "gpt-x", operation: "generate", stream: true, body: '{"a":2}' });
    expect(fromString.body).toBe('{"a":2,"hooked":"hooked/generate/true"}');
  });

  it("refuses an operation the protocol has no endpoint for", () => {
    const openai = providerFrom({ OPENAI_API_KEY: "k" }, "openai");
    expect(() => buildUpstreamRequest({ provider: openai, model: "gpt-5", operation: "count-tokens", body: {} })).toThrow(
      "openai (openai-chat) has no count-tokens endpoint",
    );
    expect(() => buildUpstreamRequest({ provider: openai, protocol: "gemini", model: "gpt-5", operation: "generate", body: {} })).toThrow(
      "openai is not configured for the gemini protocol",
    );
  });

  it("keeps each credential's, accept's and method's headers apart when requests reuse them", () => {
    const openai = providerFrom({ OPENAI_API_KEY: "sk-one", OPENAI_API_KEY_2: "sk-two" }, "openai");
    const [first, second] = openai.credentials;
    const build = (credential: typeof first, stream: boolean, clientHeaders?: Record<string, string>) =>
      buildUpstreamRequest({ provider: openai, credential, model: "gpt-5", operation: "generate", stream, body: "{}", ...(clientHeaders === undefined ? {} : { clientHeaders }) }).headers;
    for (let round = 0; round < 2; round += 1) {
      expect(build(first, false)).toEqual({ "user-agent": "switchyard/0.1", accept: "application/json", "content-type": "application/json", authorization: "Bearer sk-one" });
      expect(build(first, true)).toMatchObject({ accept: "text/event-stream", authorization: "Bearer sk-one" });
      expect(build(second, false)).toMatchObject({ accept: "application/json", authorization: "Bearer sk-two" });
      expect(build(second, false, { "openai-beta": "assistants=v2" })).toEqual({
        "user-agent": "switchyard/0.1",
        accept: "application/json",
        "content-type": "application/json",
        "openai-beta": "assistants=v2",
        authorization: "Bearer sk-two",
      });
      expect(build(second, false, { "x-other": "1" })).not.toHaveProperty("openai-beta");
    }
    const list = buildUpstreamRequest({ provider: openai, credential: second, model: "", operation: "list-models" });
    expect(list.headers).toEqual({ "user-agent": "switchyard/0.1", accept: "application/json", authorization: "Bearer sk-two" });
  });

  it("attaches the demo transport", () => {
    const demo = createProviderRegistry().get("demo") as ConfiguredProvider;
    const request = buildUpstreamRequest({ provider: demo, model: "anything", operation: "generate", body: {} });
    expect(request.url).toBe("http://demo.switchyard.invalid/v1/chat/completions");
    expect(typeof request.transport).toBe("function");
    expect(JSON.stringify(request)).not.toContain("transport");
  });
});

describe("selectForwardedHeaders", () => {
  it("forwards only the declared allow-list", () => {
    const anthropic = providerFrom({ ANTHROPIC_API_KEY: "k" }, "anthropic");
    expect(selectForwardedHeaders(anthropic, { "anthropic-beta": "x", authorization: "Bearer client", "x-claude-code-session-id": "s" })).toEqual({
      "anthropic-beta": "x",
    });
    expect(selectForwardedHeaders(providerFrom({ GROQ_API_KEY: "k" }, "groq"), { "anthropic-beta": "x" })).toEqual({});
  });

  it("matches names case-insensitively, the later spelling counting, in the allow-list's order", () => {
    const anthropic = providerFrom({ ANTHROPIC_API_KEY: "k" }, "anthropic");
    expect(Object.entries(selectForwardedHeaders(anthropic, { "Anthropic-Version": "1", "ANTHROPIC-BETA": "early", "anthropic-beta": ["a", "b"] }))).toEqual([
      ["anthropic-beta", "a, b"],
      ["anthropic-version", "1"],
    ]);
    expect(selectForwardedHeaders(anthropic, { "anthropic-beta": "x", "Anthropic-Beta": undefined })).toEqual({});
  });
});
