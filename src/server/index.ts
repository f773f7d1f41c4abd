export { buildServer, type ServerOptions } from "./build-server.js";
export { matchRoute, type RouteMatch } from "./match-route.js";
export { createProxyKeySet, readClientKey, type ProxyKeySet } from "./check-proxy-key.js";
