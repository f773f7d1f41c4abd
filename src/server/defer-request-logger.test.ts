import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Gateway } from "../pipeline/index.js";
import { buildServer } from "./build-server.js";

const gateway: Gateway = {
  handle: () => Promise.reject(new Error("not called")),
  listModels: () => Promise.resolve([]),
  health: () => Promise.resolve({ status: "ok" }),
  close: () => Promise.resolve(),
};

function serverWithLines(): { app: ReturnType<typeof buildServer>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { app: buildServer({ gateway, logger }), lines };
}

describe("the per-request logger", () => {
  let app: ReturnType<typeof buildServer> | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("is not made for a request that logs nothing through it", async () => {
    const server = serverWithLines();
    app = server.app;
    await app.ready();
    const child = vi.spyOn(app.log, "child");
    const response = await app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect(server.lines).toEqual([]);
  });

  it("logs with the request id and the parent's bindings when something does log through it", async () => {
    const server = serverWithLines();
    app = server.app;
    app.get("/log-probe", (request, reply) => {
      request.log.warn({ probe: 1 }, "from the request");
      reply.log.error({ probe: 2 }, "from the reply");
      request.log.child({ extra: "yes" }).info("from a grandchild");
      return reply.send({ level: request.log.level });
    });
    const response = await app.inject({ method: "GET", url: "/log-probe" });
    expect(response.json()).toEqual({ level: "info" });
    expect(server.lines).toMatchObject([
      { level: 40, reqId: "req-1", probe: 1, msg: "from the request" },
      { level: 50, reqId: "req-1", probe: 2, msg: "from the reply" },
      { level: 30, reqId: "req-1", extra: "yes", msg: "from a grandchild" },
    ]);
  });

  it("keeps Fastify's own error logging for a request that fails inside Fastify", async () => {
    const server = serverWithLines();
    app = server.app;
    app.get("/sent-twice", (_request, reply) => {
      void reply.send({ first: true });
      return reply.send({ second: true });
    });
    const response = await app.inject({ method: "GET", url: "/sent-twice" });
    expect(response.json()).toEqual({ first: true });
    expect(server.lines.some((line) => line["reqId"] === "req-1" && line["level"] === 40)).toBe(true);
  });
});
