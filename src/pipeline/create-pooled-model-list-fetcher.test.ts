import { describe, expect, it } from "vitest";
import { createCredentialPools } from "../credentials/index.js";
import { createModelCatalog, createProviderRegistry, readProviderEnvironment, type UpstreamRequest } from "../providers/index.js";
import { createMemoryStateStore } from "../state/index.js";
import type { UpstreamClient, UpstreamResponse } from "../upstream/index.js";
import { createPooledModelListFetcher } from "./create-pooled-model-list-fetcher.js";

// Discovery through the pools, with a scripted upstream: which key each list call used, and what the pool recorded.

const listBody = JSON.stringify({ object: "list", data: [{ id: "discovered-model" }] });

function reply(status: number, bodyText: string, headers: Record<string, string> = {}): UpstreamResponse {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: (async function* () {})(),
    readText: async () => bodyText,
    discard: async () => undefined,
  };
}

function setup(env: Record<string, string>, replies: Array<(request: UpstreamRequest) => UpstreamResponse>) {
  const registry = createProviderRegistry({ settings: readProviderEnvironment(env).settings });
  const pools = createCredentialPools({
    store: createMemoryStateStore(),
    pools: registry.providers
      .filter((provider) => provider.credentials.some((credential) => !credential.keyless))
      .map((provider) => ({ provider: provider.id, strategy: "sequential" as const, credentials: provider.credentials.map((credential) => ({ credential })) })),
  });
  const sent: UpstreamRequest[] = [];
  const upstream: UpstreamClient = {
    send: async (request) => {
      sent.push(request);
      const next = replies.shift();
      return next === undefined ? reply(200, listBody) : next(request);
    },
    close: async () => undefined,
  };
  const catalog = createModelCatalog({ registry, fetch: createPooledModelListFetcher({ upstream, pools, registry }) });
  const keyOf = (request: UpstreamRequest): string | undefined => request.headers["authorization"]?.replace("Bearer ", "");
  return { registry, pools, catalog, sent, keyOf };
}

describe("createPooledModelListFetcher", () => {
  it("a server error on one key tries the next without cooling either", async () => {
    const { catalog, sent, keyOf, pools } = setup({ OPENAI_API_KEY: "sk-first-aaaaaaa", OPENAI_API_KEY_1: "sk-second-bbbbbbb" }, [() => reply(500, '{"error":{"message":"boom"}}')]);
    expect((await catalog.list("openai")).map((model) => model.id)).toEqual(["discovered-model"]);
    expect(sent.map(keyOf)).toEqual(["sk-first-aaaaaaa", "sk-second-bbbbbbb"]);
    expect(await pools.pool("openai").listCooldowns()).toEqual([]);
  });

  it("does not wait out cooldowns: with every key cooling the catalog serves its static list and no call goes out", async () => {
    const { catalog, sent, pools, registry } = setup({ OPENAI_API_KEY: "sk-only-aaaaaaaa" }, [() => reply(429, '{"error":{"message":"slow down"}}', { "retry-after": "600" })]);
    expect((await catalog.list("openai")).map((model) => model.id)).toEqual(registry.get("openai")?.models.map((model) => model.id));
    expect(sent).toHaveLength(1);
    expect(catalog.state("openai")).toMatchObject({ source: "fallback", error: expect.stringMatching(/^rate_limited: /) as unknown });
    expect((await catalog.list("openai", { refresh: true })).map((model) => model.id)).not.toContain("discovered-model");
    expect(sent).toHaveLength(1);
    expect(catalog.state("openai")).toMatchObject({ source: "fallback", error: expect.stringMatching(/^overloaded: openai: no credential free for model discovery \(cooling\)/) as unknown });
    expect((await pools.pool("openai").listCooldowns()).map((cooldown) => cooldown.model)).toEqual(["(model list)"]);
  });

  it("a 404 (no list endpoint) stops at once instead of trying every key", async () => {
    const { catalog, sent } = setup({ OPENAI_API_KEY: "sk-first-aaaaaaa", OPENAI_API_KEY_1: "sk-second-bbbbbbb" }, [() => reply(404, '{"error":{"message":"no such route"}}')]);
    await catalog.list("openai");
    expect(sent).toHaveLength(1);
    expect(catalog.state("openai")).toMatchObject({ source: "fallback", error: expect.stringMatching(/^not_found: /) as unknown });
  });
});
