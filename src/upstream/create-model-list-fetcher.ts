import type { ModelListFetcher } from "../providers/index.js";
import type { UpstreamClient } from "./create-upstream-client.js";

/** Adapts the upstream client to the model catalog's fetcher (status + whole body text). */
export function createModelListFetcher(client: UpstreamClient): ModelListFetcher {
  return async (request, options) => {
    const response = await client.send(request, options);
    return { status: response.status, bodyText: await response.readText() };
  };
}
