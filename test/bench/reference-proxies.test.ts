import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleReferenceHarness, parseReferenceNames, referenceHarnessNodeOptions, referenceProxies } from "../../bench/reference-harness.js";

const projectRoot = resolve(import.meta.dirname, "..", "..");
const streamFrames = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', "data: [DONE]\n\n"];

/** An upstream that answers JSON, or three SSE frames 5 ms apart when the body asks for a stream, and records what it got. */
function startUpstream(): Promise<{ server: Server; base: string; seen: { path: string; headers: Record<string, unknown>; body: string }[] }> {
  const seen: { path: string; headers: Record<string, unknown>; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ path: request.url ?? "", headers: request.headers, body });
      if (!body.includes('"stream":true')) {
        response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      streamFrames.forEach((frame, index) => setTimeout(() => (index === streamFrames.length - 1 ? response.end(frame) : response.write(frame)), 5 * index));
    });
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((done) => probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => done(port));
  }));
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        done(true);
      }).on("error", () => done(false));
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

describe("bench reference proxies", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(() => {
    for (const child of children) child.kill();
    upstream.server.close();
  });

  for (const [name, proxy] of Object.entries(referenceProxies)) {
    it(`${name} passes requests and answers through unchanged, streams chunk by chunk`, async () => {
      const port = await freePort();
      const script = join(projectRoot, "bench", "reference-proxies", proxy.file);
      const child = spawn(process.execPath, ["--import", join(projectRoot, "bench", "register-ts-resolution.ts"), script, String(port), upstream.base], { stdio: "ignore" });
      children.push(child);
      await waitForPort(port);
      const before = upstream.seen.length;

      const json = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-test", "anthropic-version": "2023-06-01" },
        body: '{"model":"m"}',
      });
      expect(json.status).toBe(200);
      expect(await json.text()).toBe('{"ok":true}');

      const stream = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
        body: '{"model":"m","stream":true}',
      });
      expect(stream.headers.get("content-type")).toBe("text/event-stream");
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      // The first frame arrives before the upstream has written the last one: nothing is buffered to the end.
      expect(new TextDecoder().decode(first.value)).toBe(streamFrames[0]);
      let rest = "";
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
      expect(streamFrames[0] + rest).toBe(streamFrames.join(""));

      const received = upstream.seen.slice(before);
      expect(received.map((request) => [request.path, request.body])).toEqual([
        ["/v1/messages", '{"model":"m"}'],
        ["/v1/chat/completions", '{"model":"m","stream":true}'],
      ]);
      expect(received[0]?.headers["x-api-key"]).toBe("sk-test");
      expect(received[1]?.headers["authorization"]).toBe("Bearer sk-test");
    });
  }
});

describe("bench reference harness", () => {
  it("parses reference names, all, and rejects unknown ones", () => {
    expect(parseReferenceNames(undefined)).toEqual([]);
    expect(parseReferenceNames(" ref-fastify , ref-tcp-relay")).toEqual(["ref-fastify", "ref-tcp-relay"]);
    expect(parseReferenceNames("all")).toEqual(Object.keys(referenceProxies));
    expect(() => parseReferenceNames("ref-fastify,haproxy")).toThrow('unknown reference proxy "haproxy"');
  });

  it("assembles a harness folder of links to the shared files plus one target module per reference proxy", () => {
    const shared = mkdtempSync(join(tmpdir(), "shared-harness-"));
    const runDir = mkdtempSync(join(tmpdir(), "bench-run-"));
    try {
      mkdirSync(join(shared, "lib"));
      mkdirSync(join(shared, "gateways"));
      for (const path of ["run-peers.sh", "mock-upstream.mjs", "lib/harness.mjs", "gateways/direct.mjs"]) writeFileSync(join(shared, path), "");
      const harness = assembleReferenceHarness(shared, runDir, projectRoot, ["ref-fastify"]);
      expect(readdirSync(harness).sort()).toEqual(["gateways", "lib", "mock-upstream.mjs", "run-peers.sh"]);
      expect(lstatSync(join(harness, "run-peers.sh")).isSymbolicLink()).toBe(true);
      expect(lstatSync(join(harness, "lib")).isSymbolicLink()).toBe(false);
      expect(lstatSync(join(harness, "lib", "harness.mjs")).isSymbolicLink()).toBe(true);
      expect(readdirSync(join(harness, "gateways")).sort()).toEqual(["direct.mjs", "ref-fastify.mjs"]);
      const generated = readFileSync(join(harness, "gateways", "ref-fastify.mjs"), "utf8");
      expect(generated).toContain('name: "ref-fastify"');
      expect(generated).toContain(join(projectRoot, "bench", "reference-proxies", "relay-fastify-undici.ts"));
      expect(existsSync(join(shared, "gateways", "ref-fastify.mjs"))).toBe(false);
      expect(referenceHarnessNodeOptions("--max-old-space-size=64")).toBe("--max-old-space-size=64 --preserve-symlinks-main --preserve-symlinks");
    } finally {
      rmSync(shared, { recursive: true, force: true });
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
