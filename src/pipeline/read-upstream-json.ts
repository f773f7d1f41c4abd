import { GatewayError } from "../unified/index.js";
import type { UpstreamResponse } from "../upstream/index.js";

/** The upstream body parsed as JSON; a body that is not JSON is an `upstream_server` error (undecodable). */
export async function readUpstreamJson(response: UpstreamResponse, providerId: string): Promise<unknown> {
  const text = await response.readText();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError("upstream_server", `provider "${providerId}" answered with a body that is not JSON`, {
      provider: providerId,
      upstreamStatus: response.status,
      bodyExcerpt: text.slice(0, 200),
    });
  }
}
