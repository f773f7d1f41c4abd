/**
 * The Responses API service layer: the gateway's own response store (on the StateStore interface, scoped to the
 * proxy key that created each response), `previous_response_id` lineage (replayed for any backend, passed through
 * to the Responses-native upstream that holds it), response ids, `store: false`, sliding expiry of used chains, and
 * background responses (polled or streamed with re-attach, capped per instance, cancelled across instances through
 * a flag on the store). Sits above pipeline; server routes and the WebSocket transport call into it.
 */
export {
  isJsonObject,
  isTerminalResponseStatus,
  responseStatuses,
  type JsonObject,
  type ResponseStatus,
  type ResponseTarget,
  type StoredResponse,
} from "./convert-stored-response.js";
export {
  createResponseStore,
  responseNotFound,
  type DeletedResponse,
  type ResponseLookup,
  type ResponseStore,
  type ResponseStoreOptions,
  type SaveOutcome,
} from "./create-response-store.js";
export { inputItemId, pageInputItems, readInputItemsQuery, type InputItemsPage, type InputItemsQuery } from "./list-response-input-items.js";
export { convertResponseInput, orderToolOutputs } from "./convert-response-input.js";
export { anonymousOwner, convertResponseRecord, renderStoredResponse, responseOwner, type ResponseRecordInput } from "./convert-response-record.js";
export { mergeLineageIntoBody, rebuildResponseLineage, refreshResponseLineage, type LineageOptions, type ResponseLineage } from "./rebuild-response-lineage.js";
export {
  planPreviousResponse,
  prepareContinuation,
  type Continuation,
  type ContinuationBody,
  type ContinuationPlan,
  type ContinuationTarget,
  type ReplayReason,
} from "./plan-response-continuation.js";
export { createResponseIdIssuer, type ResponseIdIssuer, type ResponseIdIssuerOptions } from "./issue-response-id.js";
export {
  decideResponseStorage,
  saveBeforeTerminal,
  type ResponseStorage,
  type ResponsesTransport,
  type StorageTargets,
  type TerminalSaveOutcome,
} from "./save-before-terminal.js";
export {
  createBackgroundResponses,
  defaultBackgroundCancelPollMs,
  type BackgroundOutcome,
  type BackgroundResponses,
  type BackgroundResponsesOptions,
  type BackgroundStart,
} from "./run-background-responses.js";
export { holdTerminalUntilSaved, readTerminalResponse } from "./hold-terminal-until-saved.js";
export { createResponseEventLog, type ResponseEventLog, type ResponseEventLogOptions } from "./create-response-event-log.js";
export { readResponseStreamQuery, renderStoredResponseEvents, streamStoredResponse, type ResponseStreamQuery } from "./replay-stored-response-events.js";
export { echoPreviousResponseId, patchResponseFrame } from "./patch-response-frames.js";
export { runResponseCreate, type ResponseCreateContext } from "./run-response-create.js";
export { createResponsesService, type ResponseCreateOptions, type ResponsesService, type ResponsesServiceOptions } from "./create-responses-service.js";
export { answerResponsePrewarm, type PrewarmContext } from "./answer-response-prewarm.js";
