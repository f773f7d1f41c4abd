import { join } from "node:path";
import type { Logger } from "pino";
import type { Gateway } from "../pipeline/index.js";
import {
  anonymousOwner,
  createResponsesService,
  type DeletedResponse,
  type InputItemsPage,
  type JsonObject,
  type ResponsesService,
  type ResponsesServiceOptions,
} from "../responses/index.js";
import { openFileStateStore, type FileStateStore, type StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";

/** Stored responses as the library sees them: every call runs without a proxy key, so all belong to one owner. */
export interface LibraryResponses {
  /** The stored response (as `GET /v1/responses/{id}`); a `not_found` GatewayError when absent. */
  retrieve(id: string): Promise<JsonObject>;
  /** Deletes it (as `DELETE /v1/responses/{id}`). */
  delete(id: string): Promise<DeletedResponse>;
  /** Its input items, with `after`, `limit`, `order` as in the API. */
  listInputItems(id: string, query?: Record<string, unknown>): Promise<InputItemsPage>;
  /** Cancels a background response. */
  cancel(id: string): Promise<JsonObject>;
}

/** Where the library keeps stored responses. */
export interface LibraryResponsesOptions {
  /** A store the caller owns (and closes); wins over `dataDir`. */
  state?: StateStore;
  /** Keeps responses in `<dataDir>/responses.json` (the file `switchyard serve` uses); memory when absent. */
  dataDir?: string;
  /** Background job cap and cancel-flag poll interval (`config.responses`). */
  background?: ResponsesServiceOptions["background"];
  logger?: Logger;
}

/** The Responses service of an in-process gateway, ready once its store is open. */
export interface LibraryResponsesHandle {
  service(): Promise<ResponsesService>;
  readonly api: LibraryResponses;
  /** Stops background jobs, then closes the file store if this handle opened one. */
  close(): Promise<void>;
}

/**
 * The server's Responses service for the library. `createGateway` is synchronous, so a file store opens in the
 * background and the first Responses call waits for it; an open failure surfaces on that call (and on close).
 */
export function openLibraryResponses(gateway: Gateway, options: LibraryResponsesOptions): LibraryResponsesHandle {
  let file: FileStateStore | undefined;
  const opening = (async (): Promise<ResponsesService> => {
    let state = options.state;
    if (state === undefined && options.dataDir !== undefined) {
      const path = join(options.dataDir, "responses.json");
      try {
        file = await openFileStateStore({ path, onEvent: (event) => options.logger?.warn({ event: `state.${event.kind}` }, "response store file") });
      } catch (error) {
        throw new GatewayError("config", `cannot open the response store ${path}: ${(error as Error).message}`);
      }
      state = file;
    }
    return createResponsesService({
      gateway,
      ...(state === undefined ? {} : { state }),
      ...(options.background === undefined ? {} : { background: options.background }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  })();
  // Nobody may ever make a Responses call; the failure is reported to whoever does.
  opening.catch(() => undefined);
  const service = () => opening;
  return {
    service,
    api: {
      retrieve: async (id) => (await service()).retrieve(id, anonymousOwner),
      delete: async (id) => (await service()).delete(id, anonymousOwner),
      listInputItems: async (id, query = {}) => (await service()).listInputItems(id, anonymousOwner, query),
      cancel: async (id) => (await service()).cancel(id, anonymousOwner),
    },
    async close() {
      const opened = await opening.catch(() => undefined);
      await opened?.close();
      await file?.close();
    },
  };
}
