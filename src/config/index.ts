/** Config: `.env`, the optional switchyard.json and the environment, validated into one GatewayConfig. */
export { loadConfig, type ConfigFileReader, type LoadConfigOptions } from "./load-config.js";
export { configDefaults, logLevels, type GatewayConfig, type LogLevel } from "./gateway-config.js";
export { configFileSchema, type ConfigFile } from "./config-file-schema.js";
export type { RotationPoolConfig } from "./rotation-pool-schema.js";
export { switchyardVariables, type SwitchyardVariable } from "./read-switchyard-environment.js";
