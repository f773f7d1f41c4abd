import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { loadConfig } from "./load-config.js";

const cwd = "/srv/gateway";
const configPath = "/srv/gateway/switchyard.json";

function load(env: Record<string, string>, file?: object) {
  const files: Record<string, string> = file === undefined ? {} : { [configPath]: JSON.stringify(file) };
  return loadConfig({ env, cwd, readFile: (path) => files[path], dotenv: false });
}

function configError(env: Record<string, string>, file?: object): string {
  try {
    load(env, file);
  } catch (error) {
    if (GatewayError.isInstance(error) && error.code === "config") return error.message;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("stream settings", () => {
  it("reads the global switches from the environment over the file", () => {
    const file = { stream: { cancelOnDisconnect: false, reasoningVisible: false, viaNonStream: true } };
    expect(load({}, file).stream).toEqual({ cancelOnDisconnect: false, reasoningVisible: false, viaNonStream: true, providers: {} });
    const env = { SWITCHYARD_STREAM_CANCEL_ON_DISCONNECT: "1", SWITCHYARD_STREAM_REASONING_VISIBLE: "yes", SWITCHYARD_STREAM_VIA_NONSTREAM: "off" };
    expect(load(env, file).stream).toEqual({ cancelOnDisconnect: true, reasoningVisible: true, viaNonStream: false, providers: {} });
  });

  it("merges per-provider overrides from the file and <NAME>_STREAM_* field by field, the environment winning", () => {
    const config = load(
      {
        OPENAI_API_KEY: "sk-openai-test",
        ANTHROPIC_API_KEY: "sk-ant-test",
        OPENAI_STREAM_TTFB_MS: "90000",
        OPENAI_STREAM_CANCEL_ON_DISCONNECT: "false",
        ANTHROPIC_STREAM_HEARTBEAT_MS: "0",
        ANTHROPIC_STREAM_VIA_NONSTREAM: "1",
        ANTHROPIC_STREAM_REASONING_VISIBLE: "0",
      },
      { providers: { openai: { stream: { ttfbMs: 5000, stallMs: 60_000 } }, anthropic: { stream: { heartbeatMs: 5000 } } } },
    );
    expect(config.stream.providers).toEqual({
      openai: { ttfbMs: 90_000, stallMs: 60_000, cancelOnDisconnect: false },
      anthropic: { heartbeatMs: 0, viaNonStream: true, reasoningVisible: false },
    });
    // Settings that were not overridden keep their global values.
    expect(config.timeouts.ttfbMs).toBe(180_000);
    expect(config.stream.cancelOnDisconnect).toBe(true);
  });

  it("warns about per-provider variables for a provider that is not active, and rejects bad values naming the variable", () => {
    expect(load({ MISTRAL_STREAM_TTFB_MS: "1000" }).warnings).toContain("MISTRAL_STREAM_TTFB_MS names no active provider (MISTRAL); it is ignored");
    expect(configError({ OPENAI_API_KEY: "sk-openai-test", OPENAI_STREAM_STALL_MS: "0" })).toBe('OPENAI_STREAM_STALL_MS: "0" is not a whole number ≥ 1');
    expect(configError({ OPENAI_API_KEY: "sk-openai-test", OPENAI_STREAM_VIA_NONSTREAM: "maybe" })).toBe('OPENAI_STREAM_VIA_NONSTREAM: "maybe" is not a switch; use 1 or 0');
    expect(configError({}, { providers: { openai: { stream: { ttfbMs: 0 } } } })).toContain("providers.openai.stream.ttfbMs");
    expect(configError({}, { stream: { heartbeatMs: 10 } })).toContain("stream.heartbeatMs: unknown field");
  });
});
