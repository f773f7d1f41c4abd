import { describe, expect, it } from "vitest";
import { defineProvider, type ConfiguredProvider } from "../providers/index.js";
import { resolveAttemptStreamSettings } from "./resolve-attempt-stream-settings.js";

/** A configured provider as far as the stream settings look at it: its id and its declaration. */
function providerDeclaring(id: string, streamViaNonStream?: boolean): ConfiguredProvider {
  const definition = defineProvider({
    id,
    displayName: id,
    protocol: "openai-chat",
    baseUrl: "https://api.example.test/v1",
    auth: { type: "bearer" },
    keyRequired: true,
    ...(streamViaNonStream === undefined ? {} : { streamViaNonStream }),
  });
  return { id, definition } as unknown as ConfiguredProvider;
}

describe("resolveAttemptStreamSettings", () => {
  const timeouts = { ttfbMs: 1000, stallMs: 2000, heartbeatMs: 300 };

  it("the global timeouts and switches, then the provider's overrides from config", () => {
    const settings = { cancelOnDisconnect: false, providers: { slow: { ttfbMs: 9000, cancelOnDisconnect: true } } };
    expect(resolveAttemptStreamSettings(providerDeclaring("slow"), timeouts, settings)).toEqual({
      ttfbMs: 9000,
      stallMs: 2000,
      heartbeatMs: 300,
      cancelOnDisconnect: true,
      reasoningVisible: true,
      viaNonStream: false,
    });
    expect(resolveAttemptStreamSettings(providerDeclaring("other"), timeouts, settings)).toMatchObject({ ttfbMs: 1000, cancelOnDisconnect: false });
  });

  it("a declaration's streamViaNonStream turns it on for that provider, and its config can still turn it off", () => {
    expect(resolveAttemptStreamSettings(providerDeclaring("broken", true), timeouts, { viaNonStream: false }).viaNonStream).toBe(true);
    expect(resolveAttemptStreamSettings(providerDeclaring("broken", true), timeouts, { providers: { broken: { viaNonStream: false } } }).viaNonStream).toBe(false);
    expect(resolveAttemptStreamSettings(providerDeclaring("fine"), timeouts, undefined).viaNonStream).toBe(false);
  });
});
