import { Pool } from "undici";

/**
 * Sends exactly COUNT requests of one route to a running gateway over CONNECTIONS keep-alive connections and checks
 * each answer's status: the load side of `bench/instructions-per-request.sh`, which needs a fixed request count
 * (instructions are divided by it) rather than wrk's fixed duration.
 *
 * Usage: node bench/send-fixed-requests.ts <route> <count> [connections=8]; GATEWAY_URL (http://127.0.0.1:18101).
 * Routes: oai (OpenAI client → openai provider, passthrough), ant (Anthropic → anthropic, passthrough), oai_ant and
 * ant_oai (translated); a `_s` suffix asks for a 50-chunk stream written in one burst (the mock's `mock-c50`).
 */

interface RouteShape {
  path: string;
  headers: Record<string, string>;
  body: (model: string, stream: boolean) => string;
}

const question = "Summarize in two sentences what a reverse proxy in front of model providers is for.";
const openAiClient: RouteShape = {
  path: "/v1/chat/completions",
  headers: { "content-type": "application/json", authorization: "Bearer bench" },
  body: (model, stream) =>
    JSON.stringify({ model, messages: [{ role: "system", content: "Answer briefly." }, { role: "user", content: question }], max_tokens: 256, temperature: 0.2, stream }),
};
const anthropicClient: RouteShape = {
  path: "/v1/messages",
  headers: { "content-type": "application/json", "x-api-key": "bench", "anthropic-version": "2023-06-01" },
  body: (model, stream) => JSON.stringify({ model, max_tokens: 256, system: "Answer briefly.", messages: [{ role: "user", content: question }], temperature: 0.2, stream }),
};
const routes: Record<string, { client: RouteShape; provider: string }> = {
  oai: { client: openAiClient, provider: "openai" },
  ant: { client: anthropicClient, provider: "anthropic" },
  oai_ant: { client: openAiClient, provider: "anthropic" },
  ant_oai: { client: anthropicClient, provider: "openai" },
};

const [routeArgument = "", countArgument = "", connectionsArgument = "8"] = process.argv.slice(2);
const stream = routeArgument.endsWith("_s");
const route = routes[stream ? routeArgument.slice(0, -2) : routeArgument];
const count = Number(countArgument);
const connections = Number(connectionsArgument);
if (route === undefined || !(count > 0) || !(connections > 0)) {
  console.error("usage: node bench/send-fixed-requests.ts <oai|ant|oai_ant|ant_oai>[_s] <count> [connections]");
  process.exit(2);
}

const client = route.client;
const body = client.body(`${route.provider}/${stream ? "mock-c50" : "gpt-4o-mini"}`, stream);
const pool = new Pool(process.env["GATEWAY_URL"] ?? "http://127.0.0.1:18101", { connections });
let sent = 0;
let failed = 0;
const startedAt = Date.now();
async function worker(): Promise<void> {
  while (sent < count) {
    sent += 1;
    const response = await pool.request({ path: client.path, method: "POST", headers: client.headers, body });
    await response.body.text();
    if (response.statusCode !== 200) failed += 1;
  }
}
await Promise.all(Array.from({ length: connections }, worker));
await pool.close();
console.log(`${count} requests, ${failed} failed, ${Date.now() - startedAt} ms`);
if (failed > 0) process.exit(1);
