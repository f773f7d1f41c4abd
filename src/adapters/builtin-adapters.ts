import type { AdapterFactory } from "./adapter-registry.js";
import { dropEmptyAssistantAdapter } from "./drop-empty-assistant-adapter.js";
import { fieldRenameAdapter } from "./field-rename-adapter.js";
import { jsonModeAdapter } from "./json-mode-adapter.js";
import { modelOverrideAdapter } from "./model-override-adapter.js";
import { paramPolicyAdapter } from "./param-policy-adapter.js";
import { suppressDeveloperRoleAdapter } from "./suppress-developer-role-adapter.js";
import { systemToUserAdapter } from "./system-to-user-adapter.js";
import { toolArgsRepairAdapter } from "./tool-args-repair-adapter.js";
import { toolEmulationAdapter } from "./tool-emulation-adapter.js";
import { cacheControlAdapter } from "./cache-control-adapter.js";
import { reasoningNormalizeAdapter } from "./reasoning-normalize-adapter.js";
import { structuredOutputToolAdapter } from "./structured-output-tool-adapter.js";
import { streamViaNonStreamAdapter } from "./stream-via-nonstream-adapter.js";

/** Every built-in adapter factory, in the order `switchyard doctor` lists them. */
export const builtinAdapterFactories: readonly AdapterFactory[] = [
  modelOverrideAdapter,
  fieldRenameAdapter,
  paramPolicyAdapter,
  suppressDeveloperRoleAdapter,
  systemToUserAdapter,
  dropEmptyAssistantAdapter,
  toolArgsRepairAdapter,
  jsonModeAdapter,
  toolEmulationAdapter,
  reasoningNormalizeAdapter,
  cacheControlAdapter,
  structuredOutputToolAdapter,
  streamViaNonStreamAdapter,
];
