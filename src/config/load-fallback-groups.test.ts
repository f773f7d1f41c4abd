import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { loadConfig } from "./load-config.js";

const cwd = "/srv/gateway";
const file = "/srv/gateway/switchyard.json";
const keys = { OPENAI_API_KEY: "k1", ANTHROPIC_API_KEY: "k2" };

function load(env: Record<string, string>, json?: unknown) {
  const files: Record<string, string> = json === undefined ? {} : { [file]: JSON.stringify(json) };
  return loadConfig({ env: { ...keys, ...env }, cwd, readFile: (path) => files[path], dotenv: false });
}

function configError(env: Record<string, string>, json?: unknown): string {
  try {
    load(env, json);
  } catch (error) {
    if (GatewayError.isInstance(error) && error.code === "config") return error.message;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("loadConfig: fallback groups", () => {
  it("reads SWITCHYARD_FALLBACK_GROUPS and the file's fallbackGroups; an env group replaces a file group of its name", () => {
    const config = load(
      { SWITCHYARD_FALLBACK_GROUPS: "coding=anthropic/claude-x|openai/gpt-y" },
      {
        fallbackGroups: {
          coding: { targets: ["openai/gpt-z"], stopOn: ["rate_limited"] },
          fast: { targets: ["openai/gpt-y", "anthropic/claude-h"], failoverOn: ["overloaded", "not_found"], stopOn: ["quota_exhausted"] },
        },
      },
    );
    expect(config.fallbackGroups).toEqual([
      { name: "coding", targets: ["anthropic/claude-x", "openai/gpt-y"] },
      { name: "fast", targets: ["openai/gpt-y", "anthropic/claude-h"], failoverOn: ["overloaded", "not_found"], stopOn: ["quota_exhausted"] },
    ]);
  });

  it("warns about members whose provider is not active", () => {
    const config = load({ SWITCHYARD_FALLBACK_GROUPS: "coding=openai/gpt-y|gemini/gemini-z|nowhere/m" });
    expect(config.warnings).toContain('fallback group "coding" target "gemini/gemini-z" is skipped: gemini is not active (no key: set GEMINI_API_KEY)');
    expect(config.warnings).toContain('fallback group "coding" target "nowhere/m" is skipped: nowhere is not active (not a configured provider)');
  });

  it("names the variable or the file field in errors", () => {
    expect(configError({ SWITCHYARD_FALLBACK_GROUPS: "coding=gpt-y" })).toBe('SWITCHYARD_FALLBACK_GROUPS: group "coding": "gpt-y" is not provider/model');
    expect(configError({}, { fallbackGroups: { coding: { targets: [] } } })).toBe(`${file}: fallbackGroups.coding.targets: Too small: expected array to have >=1 items`);
    expect(configError({}, { fallbackGroups: { coding: { targets: ["gpt-y"] } } })).toBe(`${file}: fallbackGroups.coding.targets[0]: expected provider/model`);
    expect(configError({}, { fallbackGroups: { coding: { targets: ["openai/x"], failoverOn: ["invalid_request"] } } })).toBe(
      `${file}: fallbackGroups.coding.failoverOn[0]: is a hard stop: no group setting makes it fall back`,
    );
    expect(configError({}, { fallbackGroups: { coding: { targets: ["openai/x"], stopOn: ["teapot"] } } })).toMatch(
      new RegExp(`^${file}: fallbackGroups\\.coding\\.stopOn\\[0\\]: Invalid option: expected one of "invalid_request"\\|`),
    );
    expect(configError({}, { fallbackGroups: { coding: { targets: ["openai/x"], failoverOn: ["overloaded"], stopOn: ["overloaded"] } } })).toBe(
      `${file}: fallbackGroups.coding.stopOn[0]: overloaded is also in failoverOn`,
    );
    expect(configError({}, { fallbackGroups: { coding: { targets: ["openai/x"], fallback: true } } })).toBe(`${file}: fallbackGroups.coding.fallback: unknown field`);
  });

  it("an alias to a group that does not exist fails start-up", () => {
    expect(configError({ SWITCHYARD_ALIASES: "claude-*=group/coding" })).toBe('alias "claude-*" points at fallback group "coding", which does not exist (none is configured)');
    expect(load({ SWITCHYARD_ALIASES: "claude-*=group/coding", SWITCHYARD_FALLBACK_GROUPS: "coding=openai/x" }).aliases).toEqual([{ pattern: "claude-*", target: "group/coding" }]);
  });
});
