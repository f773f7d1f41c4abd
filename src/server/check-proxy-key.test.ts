import { describe, expect, it } from "vitest";
import { createProxyKeySet, readClientKey } from "./check-proxy-key.js";

describe("proxy keys", () => {
  const keys = createProxyKeySet(["sk-one", "sk-two"]);

  it("matches configured keys and gives a stable id without the secret", () => {
    const id = keys.match("sk-two");
    expect(id).toMatch(/^key-[0-9a-f]{8}$/);
    expect(id).not.toContain("sk-two");
    expect(keys.match("sk-two")).toBe(id);
    expect(keys.match("sk-three")).toBeUndefined();
    expect(keys.match(undefined)).toBeUndefined();
  });

  it("reads every protocol's key style", () => {
    const none = new URLSearchParams();
    expect(readClientKey({ authorization: "Bearer sk-one" }, none)).toBe("sk-one");
    expect(readClientKey({ "x-api-key": "sk-one" }, none)).toBe("sk-one");
    expect(readClientKey({ "x-goog-api-key": "sk-one" }, none)).toBe("sk-one");
    expect(readClientKey({}, new URLSearchParams("key=sk-one&alt=sse"))).toBe("sk-one");
    expect(readClientKey({}, none)).toBeUndefined();
  });
});
