import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { iterateReadableBody } from "./iterate-readable-body.js";

const mapped = (error: unknown) => ({ mapped: error });

function source(): Readable {
  return new Readable({ read() {} });
}

describe("iterateReadableBody", () => {
  it("gives what is buffered at once, waits for more, and ends at the body's end", async () => {
    const body = source();
    body.push(Buffer.from("a"));
    body.push(Buffer.from("b"));
    const iterator = iterateReadableBody(body, mapped);
    expect(Buffer.from((await iterator.next()).value as Uint8Array).toString()).toBe("ab");
    const waiting = iterator.next();
    body.push(Buffer.from("c"));
    expect(Buffer.from((await waiting).value as Uint8Array).toString()).toBe("c");
    const ending = iterator.next();
    body.push(null);
    expect(await ending).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("throws the body's failure through mapError, once, also when it failed before the first read", async () => {
    const failure = new Error("reset");
    const waitingBody = source();
    const waiting = iterateReadableBody(waitingBody, mapped);
    const read = waiting.next();
    waitingBody.destroy(failure);
    await expect(read).rejects.toEqual({ mapped: failure });
    expect(await waiting.next()).toEqual({ done: true, value: undefined });

    const early = source();
    const iterator = iterateReadableBody(early, mapped);
    early.destroy(failure);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(iterator.next()).rejects.toEqual({ mapped: failure });
  });

  it("keeps backpressure: reads ask the source for more only as chunks are taken", async () => {
    let asked = 0;
    const body = new Readable({ highWaterMark: 4, read: () => void (asked += 1) });
    body.push(Buffer.from("12345"));
    const iterator = iterateReadableBody(body, mapped);
    const before = asked;
    expect(Buffer.from((await iterator.next()).value as Uint8Array).toString()).toBe("12345");
    expect(asked).toBeGreaterThan(before);
  });

  it("destroys the body when returned early, answering a pending read with done", async () => {
    const body = source();
    const iterator = iterateReadableBody(body, mapped);
    const pending = iterator.next();
    await iterator.return?.();
    expect(body.destroyed).toBe(true);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("reports a close without an end or error as a premature close", async () => {
    const body = new Readable({ read() {}, destroy: (_error, callback) => callback(null) });
    const iterator = iterateReadableBody(body, mapped);
    const read = iterator.next();
    body.destroy();
    await expect(read).rejects.toMatchObject({ mapped: { code: "ERR_STREAM_PREMATURE_CLOSE" } });
  });
});
