import { describe, expect, it } from "vitest";
import { defaultStreamSettings, resolveStreamSettings } from "./stream-settings.js";

describe("resolveStreamSettings", () => {
  it("applies overrides in order, field by field, skipping undefined ones", () => {
    expect(resolveStreamSettings(defaultStreamSettings, { ttfbMs: 1000, cancelOnDisconnect: false }, undefined, { ttfbMs: 2000, viaNonStream: true })).toEqual({
      ttfbMs: 2000,
      stallMs: 300_000,
      heartbeatMs: 15_000,
      cancelOnDisconnect: false,
      reasoningVisible: true,
      viaNonStream: true,
    });
  });

  it("defaults suit coding agents: minutes before the first token, a heartbeat well inside proxy idle limits", () => {
    expect(defaultStreamSettings).toEqual({ ttfbMs: 180_000, stallMs: 300_000, heartbeatMs: 15_000, cancelOnDisconnect: true, reasoningVisible: true, viaNonStream: false });
  });
});
