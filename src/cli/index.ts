export { assertSafeBinding, serveCommand } from "./serve-command.js";
export { doctorCommand, type DoctorRow } from "./doctor-command.js";
export { modelsCommand } from "./models-command.js";
export { credentialsListCommand, credentialsResetCommand, formatCredentialTable } from "./credentials-command.js";
export { replayCommand, type ReplayIo, type ReplayOptions } from "./replay-command.js";
export { planReplayRequest, type ReplayPlan } from "./plan-replay-request.js";
