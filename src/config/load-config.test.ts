import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { loadConfig, type LoadConfigOptions } from "./load-config.js";

const cwd = "/srv/gateway";
const plantedSecret = "sk-planted-0123456789abcdefghijkl";

function load(env: Record<string, string>, files: Record<string, string> = {}, options: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ env, cwd, readFile: (path) => files[path], ...options });
}

function configError(env: Record<string, string>, files: Record<string, string> = {}): string {
  try {
    load(env, files);
  } catch (error) {
    if (GatewayError.isInstance(error) && error.code === "config") return error.message;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("loadConfig", () => {
  it("applies defaults and serves the demo provider on a fresh machine", () => {
    const config = load({});
    expect({ ...config, providers: config.providers.providers.map((provider) => provider.id) }).toEqual({
      host: "127.0.0.1",
      port: 8787,
      dataDir: "/srv/gateway/data",
      proxyKeys: [],
      aliases: [],
      fallbackGroups: [],
      timeouts: { requestMs: 600_000, ttfbMs: 180_000, stallMs: 300_000, heartbeatMs: 15_000 },
      stream: { cancelOnDisconnect: true, reasoningVisible: true, viaNonStream: false, providers: {} },
      upstream: { connectTimeoutMs: 10_000, headersTimeoutMs: 600_000, bodyTimeoutMs: 300_000 },
      limits: { bodyBytes: 33_554_432, jsonDepth: 256 },
      logLevel: "info",
      trace: false,
      dumpFailures: false,
      maxFailureDumps: 100,
      modelDiscovery: { ttlMs: 600_000 },
      demo: { chunkDelayMs: 15 },
      rotation: { defaultStrategy: "balanced", strategies: {}, maxConcurrency: 64, maxRetries: 1, pools: {} },
      providers: ["demo"],
      sources: {},
      warnings: [],
    });
  });

  it("reads every SWITCHYARD_* setting from the environment", () => {
    const config = load({
      SWITCHYARD_HOST: "0.0.0.0",
      SWITCHYARD_PORT: "9000",
      SWITCHYARD_DATA_DIR: "/var/lib/switchyard",
      SWITCHYARD_PROXY_KEYS: "proxy-key-one, proxy-key-two",
      SWITCHYARD_ALIASES: "claude-*=openai/gpt-5.5",
      SWITCHYARD_DEFAULT_PROVIDER: "openai",
      SWITCHYARD_REQUEST_TIMEOUT_MS: "1000",
      SWITCHYARD_TTFB_TIMEOUT_MS: "200",
      SWITCHYARD_STALL_TIMEOUT_MS: "300",
      SWITCHYARD_HEARTBEAT_MS: "0",
      SWITCHYARD_CONNECT_TIMEOUT_MS: "50",
      SWITCHYARD_LOG_LEVEL: "DEBUG",
      SWITCHYARD_TRACE: "1",
      SWITCHYARD_DUMP_FAILURES: "0",
      SWITCHYARD_MAX_FAILURE_DUMPS: "7",
      SWITCHYARD_BODY_LIMIT_BYTES: "1024",
      SWITCHYARD_JSON_DEPTH_LIMIT: "32",
      SWITCHYARD_MODELS_TTL_MS: "0",
      SWITCHYARD_DEMO: "on",
      SWITCHYARD_DEMO_DELAY_MS: "0",
      OPENAI_API_KEY: "sk-openai",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 9000,
      dataDir: "/var/lib/switchyard",
      aliases: [{ pattern: "claude-*", target: "openai/gpt-5.5" }],
      defaultProvider: "openai",
      timeouts: { requestMs: 1000, ttfbMs: 200, stallMs: 300, heartbeatMs: 0 },
      upstream: { connectTimeoutMs: 50, headersTimeoutMs: 1000, bodyTimeoutMs: 300 },
      limits: { bodyBytes: 1024, jsonDepth: 32 },
      logLevel: "debug",
      trace: true,
      dumpFailures: false,
      maxFailureDumps: 7,
      modelDiscovery: { ttlMs: 0 },
      demo: { enabled: true, chunkDelayMs: 0 },
    });
    expect(config.proxyKeys.map((key) => key.secret)).toEqual(["proxy-key-one", "proxy-key-two"]);
    expect(config.proxyKeys[0]?.id).toMatch(/^proxy:[0-9a-f]{10}$/);
    expect(config.providers.providers.map((provider) => provider.id)).toEqual(["openai", "demo"]);
  });

  it("accepts .env.example copied as .env unchanged (it documents the defaults)", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const config = load({}, { "/srv/gateway/.env": example });
    expect({ ...config, providers: config.providers.providers.map((provider) => provider.id), sources: {} }).toEqual({
      ...load({}),
      providers: ["demo"],
    });
  });

  it("reads .env without overriding the real environment", () => {
    const config = load(
      { SWITCHYARD_PORT: "9100" },
      { "/srv/gateway/.env": "SWITCHYARD_PORT=9200\nSWITCHYARD_HOST=localhost\n# a comment\nGROQ_API_KEY='gsk-from-dotenv'\n" },
    );
    expect(config.port).toBe(9100);
    expect(config.host).toBe("localhost");
    expect(config.providers.get("groq")?.credentials[0]?.secret).toBe("gsk-from-dotenv");
    expect(config.sources).toEqual({ envFile: "/srv/gateway/.env" });
    expect(load({}, { "/srv/gateway/.env": "SWITCHYARD_PORT=9200" }, { dotenv: false }).port).toBe(8787);
  });

  it("reads switchyard.json, with the environment overriding it", () => {
    const file = JSON.stringify({
      port: 9300,
      logLevel: "warn",
      aliases: { "claude-*": "groq/llama-4", fast: "groq/llama-4" },
      timeouts: { stallMs: 1234 },
      upstream: { headersTimeoutMs: 5000 },
      providers: { ollama: { enabled: true, models: ["llama3:8b"] }, "my-vllm": { baseUrl: "http://127.0.0.1:8000/v1", protocol: "openai-chat" } },
      demo: { chunkDelayMs: 5 },
    });
    const config = load({ SWITCHYARD_PORT: "9400", SWITCHYARD_ALIASES: "fast=ollama/llama3:8b", GROQ_API_KEY: "gsk" }, { "/srv/gateway/switchyard.json": file });
    expect(config).toMatchObject({
      port: 9400,
      logLevel: "warn",
      timeouts: { stallMs: 1234 },
      upstream: { headersTimeoutMs: 5000, bodyTimeoutMs: 1234 },
      demo: { chunkDelayMs: 5 },
      sources: { configFile: "/srv/gateway/switchyard.json" },
    });
    expect(config.aliases).toEqual([
      { pattern: "fast", target: "ollama/llama3:8b" },
      { pattern: "claude-*", target: "groq/llama-4" },
    ]);
    expect(config.providers.providers.map((provider) => provider.id)).toEqual(["groq", "ollama", "my-vllm"]);
    expect(config.providers.get("ollama")?.models).toEqual([{ id: "llama3:8b" }]);
  });

  it("dumps failures with the trace, alone when asked, and never when switched off", () => {
    const dumps = (env: Record<string, string>, file?: object) => {
      const config = load(env, file === undefined ? {} : { "/srv/gateway/switchyard.json": JSON.stringify(file) });
      return [config.trace, config.dumpFailures, config.maxFailureDumps];
    };
    expect(dumps({ SWITCHYARD_TRACE: "1" })).toEqual([true, true, 100]);
    expect(dumps({ SWITCHYARD_DUMP_FAILURES: "1" })).toEqual([false, true, 100]);
    expect(dumps({ SWITCHYARD_TRACE: "1", SWITCHYARD_DUMP_FAILURES: "0" })).toEqual([true, false, 100]);
    expect(dumps({}, { dumpFailures: true, maxFailureDumps: 20 })).toEqual([false, true, 20]);
    expect(dumps({ SWITCHYARD_DUMP_FAILURES: "0", SWITCHYARD_MAX_FAILURE_DUMPS: "3" }, { dumpFailures: true })).toEqual([false, false, 3]);
    expect(configError({ SWITCHYARD_MAX_FAILURE_DUMPS: "0" })).toContain("SWITCHYARD_MAX_FAILURE_DUMPS");
  });

  it("takes the file from SWITCHYARD_CONFIG (relative to cwd) and requires it to exist", () => {
    expect(load({ SWITCHYARD_CONFIG: "conf/gw.json" }, { "/srv/gateway/conf/gw.json": '{"port": 9500}' }).port).toBe(9500);
    expect(configError({ SWITCHYARD_CONFIG: "missing.json" })).toBe("SWITCHYARD_CONFIG: /srv/gateway/missing.json does not exist");
  });

  it("names the file and field of invalid JSON settings", () => {
    const at = (text: string) => configError({}, { "/srv/gateway/switchyard.json": text });
    expect(at('{"port": "8080"}')).toBe("/srv/gateway/switchyard.json: port: Invalid input: expected number, received string");
    expect(at('{"prot": 1}')).toBe("/srv/gateway/switchyard.json: prot: unknown field");
    expect(at('{"providers": {"openai": {"protocol": "soap"}}}')).toContain("/srv/gateway/switchyard.json: providers.openai.protocol: Invalid option");
    expect(at('{"providers": {"openai": {"baseUrl": "nope"}}}')).toBe(
      "/srv/gateway/switchyard.json: providers.openai.baseUrl: expected an absolute http(s) URL",
    );
    expect(at('{"providers": {"mystery": {"models": ["a"]}}}')).toBe(
      '/srv/gateway/switchyard.json: providers.mystery.baseUrl: "mystery" is not a known provider, so it needs a base URL',
    );
    expect(at('{"providers": {"anthropic": {"enabled": true}}}')).toBe(
      "/srv/gateway/switchyard.json: providers.anthropic.enabled: anthropic needs a key: set ANTHROPIC_API_KEY",
    );
    expect(at("{ port: 1 }")).toMatch(/^\/srv\/gateway\/switchyard\.json: not valid JSON \(/);
    expect(at('{"defaultProvider": "groq"}')).toBe('/srv/gateway/switchyard.json: defaultProvider: "groq" is not active (no key: set GROQ_API_KEY)');
  });

  it("rejects secrets in the JSON file, pointing at the environment variable", () => {
    const at = (value: unknown) => configError({}, { "/srv/gateway/switchyard.json": JSON.stringify(value) });
    expect(at({ providers: { openai: { apiKey: plantedSecret } } })).toBe(
      "/srv/gateway/switchyard.json: providers.openai.apiKey: secrets do not belong in the config file; set OPENAI_API_KEY (environment or .env)",
    );
    expect(at({ providers: { "my-llm": { headers: { "X-Api-Key": "k" } } } })).toContain("providers.my-llm.headers.X-Api-Key: secrets do not belong");
    expect(at({ providers: { "my-llm": { headers: { "X-Api-Key": "k" } } } })).toContain("set MY_LLM_API_KEY");
    expect(at({ proxyKeys: ["a", "b"] })).toBe(
      "/srv/gateway/switchyard.json: proxyKeys: secrets do not belong in the config file; set SWITCHYARD_PROXY_KEYS (environment or .env)",
    );
    expect(at({ nested: { deeper: [{ token: "t" }] } })).toContain("nested.deeper[0].token: secrets do not belong");
    expect(at({ providers: { openai: { apiKey: plantedSecret } } })).not.toContain(plantedSecret);
    // Alias patterns are model names, not field names.
    expect(load({}, { "/srv/gateway/switchyard.json": '{"aliases": {"my-key": "demo/x"}}' }).aliases).toEqual([{ pattern: "my-key", target: "demo/x" }]);
  });

  it("names the variable of invalid environment values", () => {
    expect(configError({ SWITCHYARD_PORT: "80a" })).toBe('SWITCHYARD_PORT: "80a" is not a whole number 1–65535');
    expect(configError({ SWITCHYARD_PORT: "70000" })).toBe('SWITCHYARD_PORT: "70000" is not a whole number 1–65535');
    expect(configError({ SWITCHYARD_TRACE: "maybe" })).toBe('SWITCHYARD_TRACE: "maybe" is not a switch; use 1 or 0');
    expect(configError({ SWITCHYARD_LOG_LEVEL: "loud" })).toBe(
      'SWITCHYARD_LOG_LEVEL: "loud" is not a log level; use one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(configError({ SWITCHYARD_ALIASES: "oops" })).toBe('SWITCHYARD_ALIASES: "oops" is not pattern=target (e.g. claude-*=openai/gpt-5.5)');
    expect(configError({ SWITCHYARD_DEFAULT_PROVIDER: "openai" })).toBe('SWITCHYARD_DEFAULT_PROVIDER: "openai" is not active (no key: set OPENAI_API_KEY)');
    expect(configError({ SWITCHYARD_DEFAULT_PROVIDER: "nobody" })).toBe('SWITCHYARD_DEFAULT_PROVIDER: "nobody" is not a known provider');
    expect(configError({ OPENAI_API_KEY: "k", OPENAI_PROTOCOL: "gemini" })).toContain("OPENAI_PROTOCOL: openai speaks openai-chat, openai-responses, not gemini");
  });

  it("warns about typos and aliases that cannot work", () => {
    const config = load({ SWITCHYARD_POTR: "1", SWITCHYARD_ALIASES: "claude-*=anthropic/claude-x", OPENAI_API_KEY: "k", OPENAI_API_BASE: "http://127.0.0.1:1/v1", MISTRAL_API_BASE: "http://127.0.0.1:2" });
    expect(config.warnings).toEqual([
      "mistral has settings but no key, so it stays inactive (set MISTRAL_API_KEY)",
      "SWITCHYARD_POTR is not a Switchyard setting (typo?); see .env.example",
      'alias "claude-*" points at anthropic, which is not active (no key: set ANTHROPIC_API_KEY)',
    ]);
    expect(config.providers.get("openai")?.baseUrl).toBe("http://127.0.0.1:1/v1");
  });

  it("never serializes or inspects a secret", () => {
    const config = load(
      { OPENAI_API_KEY: plantedSecret, OPENAI_API_KEY_2: `${plantedSecret}-2`, SWITCHYARD_PROXY_KEYS: `${plantedSecret}-proxy`, MY_API_BASE: "http://127.0.0.1:3", MY_API_KEY: plantedSecret },
      { "/srv/gateway/.env": `GROQ_API_KEY=${plantedSecret}-groq` },
    );
    expect(config.providers.get("groq")?.credentials[0]?.secret).toBe(`${plantedSecret}-groq`);
    expect(JSON.stringify(config)).not.toContain("planted");
    expect(inspect(config, { depth: 30 })).not.toContain("planted");
  });

  it("reads rotation settings: a default strategy, per-provider strategies, limits; rejects unknown strategies", () => {
    const config = load({ SWITCHYARD_ROTATION: "sequential, openai=fair-cycle", SWITCHYARD_MAX_CONCURRENCY: "2", SWITCHYARD_MAX_RETRIES: "0" });
    expect(config.rotation).toEqual({ defaultStrategy: "sequential", strategies: { openai: "fair-cycle" }, maxConcurrency: 2, maxRetries: 0, pools: {} });
    expect(() => load({ SWITCHYARD_ROTATION: "openai=round-robin" })).toThrow('SWITCHYARD_ROTATION: "round-robin" is not a strategy; use balanced, sequential, fair-cycle');
  });

  it("reads per-provider pool settings from rotation.providers and names a malformed field", () => {
    const pool = {
      quotaGroups: { "gemini-pro": ["gemini-2.5-pro*", "gemini-3-pro*"] },
      window: { kind: "weekly", resetDayUtc: 1 },
      tiers: { "gemini:0123456789": 2 },
      caps: [{ models: "gemini-pro", limit: "80%", onHit: { cooldownMs: 60000 } }, { limit: "-100", knownLimit: 1000 }],
      exhaustedWithoutReset: "disable",
    };
    const config = load({}, { "/srv/gateway/switchyard.json": JSON.stringify({ rotation: { providers: { gemini: pool } } }) });
    expect(config.rotation.pools).toEqual({ gemini: pool });
    const bad = JSON.stringify({ rotation: { providers: { gemini: { caps: [{ limit: "80 percent" }] } } } });
    expect(() => load({}, { "/srv/gateway/switchyard.json": bad })).toThrow('rotation.providers.gemini.caps[0].limit: expected 500, "-100" or "80%"');
  });
});
