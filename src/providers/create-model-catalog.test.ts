import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { createModelCatalog, type ModelListFetcher } from "./create-model-catalog.js";
import { createProviderRegistry } from "./create-provider-registry.js";
import { parseModelListPage } from "./parse-model-list.js";
import type { UpstreamRequest } from "./provider-declaration.js";
import { readProviderEnvironment } from "./read-provider-environment.js";

describe("parseModelListPage", () => {
  it("reads OpenAI-shaped lists, with OpenRouter's capability hints", () => {
    expect(
      parseModelListPage("openai", {
        object: "list",
        data: [
          { id: "gpt-5", object: "model", owned_by: "openai" },
          { id: "" },
          "junk",
          {
            id: "anthropic/claude-x",
            name: "Claude X",
            supported_parameters: ["tools", "reasoning"],
            architecture: { input_modalities: ["text", "image"] },
            top_provider: { max_completion_tokens: 64000 },
          },
        ],
      }),
    ).toEqual({
      models: [
        { id: "gpt-5" },
        { id: "anthropic/claude-x", displayName: "Claude X", capabilities: { tools: true, reasoning: true, vision: true, maxOutputTokens: 64000 } },
      ],
    });
  });

  it("reads Anthropic pages and their after_id cursor", () => {
    expect(parseModelListPage("anthropic", { data: [{ id: "claude-a", display_name: "Claude A", type: "model" }], has_more: true, last_id: "claude-a" })).toEqual({
      models: [{ id: "claude-a", displayName: "Claude A" }],
      nextPage: { param: "after_id", value: "claude-a" },
    });
    expect(parseModelListPage("anthropic", { data: [], has_more: false, last_id: null })).toEqual({ models: [] });
  });

  it("reads Gemini pages: models/ prefix dropped, pageToken cursor, empty last page", () => {
    expect(
      parseModelListPage("gemini", {
        models: [{ name: "models/gemini-2.5-pro", displayName: "Gemini 2.5 Pro", outputTokenLimit: 65536, thinking: true }],
        nextPageToken: "tok",
      }),
    ).toEqual({
      models: [{ id: "gemini-2.5-pro", displayName: "Gemini 2.5 Pro", capabilities: { reasoning: true, maxOutputTokens: 65536 } }],
      nextPage: { param: "pageToken", value: "tok" },
    });
    expect(parseModelListPage("gemini", {})).toEqual({ models: [] });
  });

  it("rejects a body that is not the shape", () => {
    expect(() => parseModelListPage("openai", { models: [] })).toThrow('model list: expected an object with a "data" array');
  });
});

function registryFor(env: Record<string, string>) {
  return createProviderRegistry({ settings: readProviderEnvironment(env).settings });
}

describe("createModelCatalog", () => {
  it("discovers, caches for the TTL, and refreshes after it", async () => {
    let clock = 1_000;
    const seen: UpstreamRequest[] = [];
    let calls = 0;
    const fetch: ModelListFetcher = async (request) => {
      seen.push(request);
      calls += 1;
      return { status: 200, bodyText: JSON.stringify({ data: [{ id: `model-${calls}` }, { id: "gpt-4o" }] }) };
    };
    const catalog = createModelCatalog({ registry: registryFor({ OPENAI_API_KEY: "sk-x" }), fetch, ttlMs: 100, now: () => clock });
    expect(catalog.peek("openai").map((model) => model.id)).toContain("gpt-5");
    expect((await catalog.list("openai")).map((model) => model.id)).toEqual(["model-1", "gpt-4o"]);
    expect(seen[0]).toMatchObject({ method: "GET", url: "https://api.openai.com/v1/models", headers: { authorization: "Bearer sk-x" } });
    clock += 99;
    expect((await catalog.list("openai")).map((model) => model.id)).toEqual(["model-1", "gpt-4o"]);
    expect(catalog.peek("openai").map((model) => model.id)).toEqual(["model-1", "gpt-4o"]);
    expect(catalog.state("openai")).toEqual({ models: [{ id: "model-1" }, { id: "gpt-4o" }], source: "discovered", fetchedAt: 1_000 });
    clock += 1;
    expect((await catalog.list("openai")).map((model) => model.id)).toEqual(["model-2", "gpt-4o"]);
    expect(calls).toBe(2);
  });

  it("follows pagination (Gemini pageToken) up to the page bound", async () => {
    const urls: string[] = [];
    const fetch: ModelListFetcher = async (request) => {
      urls.push(request.url);
      const page = urls.length;
      return { status: 200, bodyText: JSON.stringify({ models: [{ name: `models/m${page}` }], nextPageToken: `t${page}` }) };
    };
    const catalog = createModelCatalog({ registry: registryFor({ GEMINI_API_KEY: "AIza-x" }), fetch, maxPages: 3 });
    expect((await catalog.list("gemini")).map((model) => model.id)).toEqual(["m1", "m2", "m3"]);
    expect(urls).toEqual([
      "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000",
      "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000&pageToken=t1",
      "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000&pageToken=t2",
    ]);
  });

  it("offers the fetcher the same page request for another credential, so a pooled fetcher can choose the key", async () => {
    const registry = registryFor({ GEMINI_API_KEY: "AIza-first", GEMINI_API_KEY_1: "AIza-second" });
    const second = registry.get("gemini")?.credentials[1];
    if (second === undefined) throw new Error("expected two gemini credentials");
    const sent: UpstreamRequest[] = [];
    const fetch: ModelListFetcher = async (request, options) => {
      const chosen = options.withCredential?.(second) ?? request;
      sent.push(chosen);
      return { status: 200, bodyText: JSON.stringify({ models: [{ name: `models/m${sent.length}` }], ...(sent.length === 1 ? { nextPageToken: "t1" } : {}) }) };
    };
    const catalog = createModelCatalog({ registry, fetch });
    expect((await catalog.list("gemini")).map((model) => model.id)).toEqual(["m1", "m2"]);
    expect(sent.map((request) => [request.url, request.headers["x-goog-api-key"], request.credentialId])).toEqual([
      ["https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000", "AIza-second", second.id],
      ["https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000&pageToken=t1", "AIza-second", second.id],
    ]);
  });

  it("falls back to the static list on failure, retries after the failure TTL, and shares one fetch between callers", async () => {
    let clock = 0;
    let calls = 0;
    const fetch: ModelListFetcher = async () => {
      calls += 1;
      if (calls === 1) return { status: 401, bodyText: '{"error":{"message":"bad key sk-secret-value-123456"}}' };
      if (calls === 2) throw new GatewayError("upstream_server", "anthropic: connection failed (ECONNREFUSED)");
      return { status: 200, bodyText: JSON.stringify({ data: [{ id: "claude-sonnet-4-5" }], has_more: false }) };
    };
    const catalog = createModelCatalog({ registry: registryFor({ ANTHROPIC_API_KEY: "k" }), fetch, ttlMs: 1_000, failureTtlMs: 10, now: () => clock });
    const [first, second] = await Promise.all([catalog.list("anthropic"), catalog.list("anthropic")]);
    expect(calls).toBe(1);
    expect(first).toBe(second);
    expect(first.map((model) => model.id)).toEqual(["claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-5-haiku-latest"]);
    expect(catalog.state("anthropic")).toMatchObject({ source: "fallback", error: "upstream_server: HTTP 401" });
    clock = 10;
    await catalog.list("anthropic");
    expect(catalog.state("anthropic")?.error).toBe("upstream_server: anthropic: connection failed (ECONNREFUSED)");
    clock = 20;
    expect(await catalog.list("anthropic")).toEqual([{ id: "claude-sonnet-4-5" }]);
  });

  it("skips discovery when the provider's models are given, and rejects unknown providers", async () => {
    const fetch: ModelListFetcher = async () => {
      throw new Error("must not fetch");
    };
    const catalog = createModelCatalog({ registry: registryFor({ GROQ_API_KEY: "k", GROQ_MODELS: "llama-a" }), fetch });
    expect(await catalog.list("groq")).toEqual([{ id: "llama-a" }]);
    expect(catalog.state("groq")).toEqual({ models: [{ id: "llama-a" }], source: "static" });
    await expect(catalog.list("mistral")).rejects.toThrow('provider "mistral" is not configured');
  });
});
