import type { Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { dispatchUpstreamRequest, type DispatchedResponse } from "./dispatch-upstream-request.js";

/** A dispatcher driven by the test: it records the handler and plays undici's side through a controller. */
function scriptedDispatcher() {
  const state = { paused: false, aborted: null as Error | null, resumes: 0 };
  let handler: Dispatcher.DispatchHandler | undefined;
  const controller: Dispatcher.DispatchController = {
    get aborted() {
      return state.aborted !== null;
    },
    get paused() {
      return state.paused;
    },
    get reason() {
      return state.aborted;
    },
    abort(reason) {
      if (state.aborted !== null) return;
      state.aborted = reason;
      // undici reports its own abort back to the handler at once.
      handler?.onResponseError?.(controller, reason);
    },
    pause() {
      state.paused = true;
    },
    resume() {
      if (state.paused) state.resumes += 1;
      state.paused = false;
    },
  };
  const dispatcher = {
    dispatch(_options: Dispatcher.DispatchOptions, given: Dispatcher.DispatchHandler) {
      handler = given;
      return true;
    },
  } as unknown as Dispatcher;
  const current = (): Dispatcher.DispatchHandler => {
    if (handler === undefined) throw new Error("nothing dispatched");
    return handler;
  };
  return {
    dispatcher,
    state,
    start: () => current().onRequestStart?.(controller, {}),
    headers: (status = 200) => current().onResponseStart?.(controller, status, { "content-type": "text/event-stream" }),
    data: (chunk: string | number | Buffer) =>
      current().onResponseData?.(controller, typeof chunk === "number" ? Buffer.alloc(chunk, 97) : typeof chunk === "string" ? Buffer.from(chunk) : chunk),
    end: () => current().onResponseEnd?.(controller, {}),
    fail: (error: Error) => current().onResponseError?.(controller, error),
  };
}

const options: Dispatcher.DispatchOptions = { origin: "http://127.0.0.1:1", path: "/", method: "POST" };
const mapError = (error: unknown): Error => new Error(`mapped: ${(error as Error).message}`);
const identity = (response: DispatchedResponse): DispatchedResponse => response;
const text = (chunk: IteratorResult<Uint8Array>): string => (chunk.done === true ? "<done>" : Buffer.from(chunk.value).toString());

/** A request dispatched to a scripted upstream that has answered with `status` and headers; the body is still to come. */
function answered(status = 200) {
  const upstream = scriptedDispatcher();
  const answer = dispatchUpstreamRequest(upstream.dispatcher, options, undefined, mapError, identity);
  upstream.start();
  upstream.headers(status);
  return { upstream, answer };
}

describe("dispatchUpstreamRequest", () => {
  it("answers at the headers (1xx skipped), gives queued chunks at once, waits for more, and ends", async () => {
    // An informational 103 first: the answer waits for the final status.
    const { upstream, answer } = answered(103);
    upstream.headers(200);
    upstream.data("one ");
    upstream.data("two ");
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream");
    const body = response.body.iterate();
    expect(text(await body.next())).toBe("one ");
    expect(text(await body.next())).toBe("two ");
    const waiting = body.next();
    upstream.data("three");
    expect(text(await waiting)).toBe("three");
    const last = body.next();
    upstream.end();
    expect(text(await last)).toBe("<done>");
    expect(text(await body.next())).toBe("<done>");
  });

  it("pauses undici above 64 KiB unread and resumes once the reader caught up", async () => {
    const { upstream, answer } = answered();
    upstream.data(40 * 1024);
    expect(upstream.state.paused).toBe(false);
    upstream.data(40 * 1024);
    expect(upstream.state.paused).toBe(true);
    const body = (await answer).body.iterate();
    await body.next();
    expect(upstream.state.paused).toBe(false);
    expect(upstream.state.resumes).toBe(1);
  });

  it("rejects the answer with a failure before the headers, mapped", async () => {
    const upstream = scriptedDispatcher();
    const answer = dispatchUpstreamRequest(upstream.dispatcher, options, undefined, mapError, identity);
    upstream.start();
    upstream.fail(new Error("connect ECONNREFUSED"));
    await expect(answer).rejects.toThrow("mapped: connect ECONNREFUSED");
  });

  it("throws a failure after the headers once, to a pending read or the next one, then answers done", async () => {
    const { upstream, answer } = answered();
    const body = (await answer).body.iterate();
    const pending = body.next();
    upstream.fail(new Error("other side closed"));
    await expect(pending).rejects.toThrow("mapped: other side closed");
    expect(text(await body.next())).toBe("<done>");

    const { upstream: second, answer: secondAnswer } = answered();
    second.data("kept?");
    second.fail(new Error("reset"));
    await expect((await secondAnswer).body.iterate().next()).rejects.toThrow("mapped: reset");
  });

  it("aborts the request when the reader returns early, answering a pending read with done", async () => {
    const { upstream, answer } = answered();
    const body = (await answer).body.iterate();
    const pending = body.next();
    expect(await body.return?.()).toEqual({ done: true, value: undefined });
    expect(text(await pending)).toBe("<done>");
    expect(upstream.state.aborted?.name).toBe("AbortError");
    expect(text(await body.next())).toBe("<done>");
  });

  it("aborts through the signal, also before undici started the request, and rejects at once when already aborted", async () => {
    const upstream = scriptedDispatcher();
    const controller = new AbortController();
    const answer = dispatchUpstreamRequest(upstream.dispatcher, options, controller.signal, mapError, identity);
    controller.abort(new Error("deadline"));
    expect(upstream.state.aborted).toBeNull();
    upstream.start();
    expect(upstream.state.aborted?.message).toBe("deadline");
    await expect(answer).rejects.toThrow("mapped: deadline");

    let dispatched = false;
    const never = { dispatch: () => (dispatched = true) } as unknown as Dispatcher;
    await expect(dispatchUpstreamRequest(never, options, controller.signal, mapError, identity)).rejects.toThrow("mapped: deadline");
    expect(dispatched).toBe(false);
  });

  it("reads the whole text, a byte-order mark and a character split across chunks included", async () => {
    const { upstream, answer } = answered();
    const euro = Buffer.from("\uFEFFprice: €5");
    // "€" is three bytes: the first chunk ends inside it.
    const split = euro.length - 2;
    const response = await answer;
    upstream.data(euro.subarray(0, split));
    const whole = response.body.text();
    upstream.data(euro.subarray(split));
    upstream.end();
    expect(await whole).toBe("price: €5");
  });

  it("dumps a small remainder to its end and aborts a large one", async () => {
    const { upstream: small, answer: smallAnswer } = answered(500);
    small.data(100);
    const dumped = (await smallAnswer).body.dump(1024);
    small.data(100);
    small.end();
    await dumped;
    expect(small.state.aborted).toBeNull();

    const { upstream: large, answer: largeAnswer } = answered(500);
    const largeDump = (await largeAnswer).body.dump(1024);
    large.data(2048);
    await largeDump;
    expect(large.state.aborted?.name).toBe("AbortError");
  });
});
