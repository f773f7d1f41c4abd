export { assertSafeBinding, serveCommand } from "./serve-command.js";
export { doctorCommand, type DoctorRow } from "./doctor-command.js";
export { modelsCommand } from "./models-command.js";
