import { describe, expect, it } from "vitest";
import { createCredential } from "../providers/index.js";
import { loadConfig } from "./load-config.js";

const env = { OPENAI_API_KEY: "sk-ref-key-aaaaaaaa", OPENAI_API_KEY_1: "sk-ref-key-bbbbbbbb", SWITCHYARD_CONFIG: "/config/switchyard.json" };
const load = (credentials: Record<string, unknown>, extraEnv: Record<string, string> = {}) =>
  loadConfig({
    env: { ...env, ...extraEnv },
    cwd: "/config",
    dotenv: false,
    readFile: (path) => (path === "/config/switchyard.json" ? JSON.stringify({ rotation: { providers: { openai: { credentials } } } }) : undefined),
  });

describe("rotation.providers.<id>.credentials", () => {
  it("names a credential by the variable holding its key or by its id, and stores only ids", () => {
    const [a, b] = [createCredential("openai", env.OPENAI_API_KEY).id, createCredential("openai", env.OPENAI_API_KEY_1).id];
    const config = load({ OPENAI_API_KEY: { tier: 2 }, [b]: { maxConcurrency: 3, optimalConcurrency: 1, windowCap: 100 } });
    expect(config.rotation.pools["openai"]?.credentials).toEqual({ [a]: { tier: 2 }, [b]: { maxConcurrency: 3, optimalConcurrency: 1, windowCap: 100 } });
    expect(JSON.stringify(config.rotation.pools)).not.toContain("sk-ref-key");
    expect(config.warnings.filter((warning) => warning.includes("credentials"))).toEqual([]);
  });

  it("fails on an unset variable, warns about a name that matches no credential, rejects a credential named twice", () => {
    expect(() => load({ OPENAI_API_KEY_7: { tier: 2 } })).toThrow(/rotation\.providers\.openai\.credentials\.OPENAI_API_KEY_7: OPENAI_API_KEY_7 is not set/);
    expect(load({ "openai:0000000000": { tier: 2 } }).warnings).toContainEqual(expect.stringMatching(/credentials\.openai:0000000000: not one of openai's credentials/));
    const a = createCredential("openai", env.OPENAI_API_KEY).id;
    expect(() => load({ OPENAI_API_KEY: { tier: 2 }, [a]: { tier: 3 } })).toThrow(/names openai:\w+ a second time/);
    expect(() => load({ OPENAI_API_KEY: { tier: 0 } })).toThrow(/tier/);
  });
});
