import { builtinFieldCacheRules } from "./builtin-field-cache-rules.js";
import { defineProvider } from "./define-provider.js";
import type { ProviderDefinition } from "./provider-declaration.js";

/**
 * The providers Switchyard knows by name. Each is data only: the base URL is what the provider's own SDK takes, so
 * `<NAME>_API_BASE` can replace it one for one. Static model lists are short fallbacks for when discovery fails;
 * discovery (the provider's list endpoint) is authoritative.
 */

/** @see https://platform.openai.com/docs/api-reference/authentication */
export const openAiProvider = defineProvider({
  id: "openai",
  displayName: "OpenAI",
  protocol: "openai-chat",
  protocols: ["openai-chat", "openai-responses"],
  baseUrl: "https://api.openai.com/v1",
  auth: { type: "bearer" },
  forwardHeaders: ["openai-beta"],
  keyRequired: true,
  models: { static: ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini"] },
  capabilityRules: [
    { match: "gpt-4*", capabilities: { reasoning: false } },
    { match: "gpt-3.5*", capabilities: { reasoning: false, vision: false } },
    { match: "*embedding*", capabilities: { tools: false, vision: false, reasoning: false, streaming: false } },
  ],
  docsUrl: "https://platform.openai.com/docs/api-reference",
});

/**
 * `anthropic-version` is required on every call; a client's own version and betas are forwarded on passthrough.
 * @see https://docs.anthropic.com/en/api/versioning
 * @see https://docs.anthropic.com/en/api/beta-headers
 */
export const anthropicProvider = defineProvider({
  id: "anthropic",
  displayName: "Anthropic",
  protocol: "anthropic-messages",
  baseUrl: "https://api.anthropic.com",
  auth: { type: "header", name: "x-api-key" },
  headers: { "anthropic-version": "2023-06-01" },
  forwardHeaders: ["anthropic-beta", "anthropic-version"],
  keyRequired: true,
  models: { static: ["claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-5-haiku-latest"] },
  capabilityRules: [
    { match: "claude-3-5-haiku*", capabilities: { reasoning: false } },
    { match: "claude-3-haiku*", capabilities: { reasoning: false } },
  ],
  // OpenAI-style senders add `stream_options`, which the Messages API answers with 400; the Messages API has no
  // json_object switch (the codec drops it with a warning), so an OpenAI client's JSON mode becomes an instruction.
  adapters: ["json-mode", { name: "param-policy", options: { preset: "anthropic-messages" } }],
  fieldCache: builtinFieldCacheRules.anthropicThinking,
  docsUrl: "https://docs.anthropic.com/en/api/overview",
});

/**
 * Gemini API (AI Studio keys). The key goes in `x-goog-api-key`, not the `?key=` query, so it never lands in URLs.
 * @see https://ai.google.dev/api#authentication
 * @see https://ai.google.dev/api/models#method:-models.list
 */
export const geminiProvider = defineProvider({
  id: "gemini",
  displayName: "Google Gemini (AI Studio)",
  protocol: "gemini",
  baseUrl: "https://generativelanguage.googleapis.com",
  auth: { type: "header", name: "x-goog-api-key" },
  keyRequired: true,
  models: { static: ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"] },
  capabilityRules: [{ match: "*embedding*", capabilities: { tools: false, reasoning: false, streaming: false } }],
  fieldCache: builtinFieldCacheRules.geminiThoughtSignature,
  docsUrl: "https://ai.google.dev/api",
});

/**
 * OpenRouter also serves the Responses API (beta) under the same base URL. `X-Title` is its optional app attribution.
 * @see https://openrouter.ai/docs/api-reference/overview
 */
export const openRouterProvider = defineProvider({
  id: "openrouter",
  displayName: "OpenRouter",
  protocol: "openai-chat",
  protocols: ["openai-chat", "openai-responses"],
  baseUrl: "https://openrouter.ai/api/v1",
  auth: { type: "bearer" },
  headers: { "x-title": "Switchyard" },
  keyRequired: true,
  // Some routed models have no endpoint with tool support ("No endpoints found that support tool use").
  adapters: ["tool-emulation"],
  docsUrl: "https://openrouter.ai/docs/api-reference/overview",
});

/** @see https://console.groq.com/docs/openai */
export const groqProvider = defineProvider({
  id: "groq",
  displayName: "Groq",
  protocol: "openai-chat",
  protocols: ["openai-chat", "openai-responses"],
  baseUrl: "https://api.groq.com/openai/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://console.groq.com/docs/api-reference",
});

/** @see https://docs.mistral.ai/api/ */
export const mistralProvider = defineProvider({
  id: "mistral",
  displayName: "Mistral AI",
  protocol: "openai-chat",
  baseUrl: "https://api.mistral.ai/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://docs.mistral.ai/api/",
});

/**
 * DeepSeek's OpenAI SDK base URL has no `/v1`.
 * @see https://api-docs.deepseek.com/
 */
export const deepSeekProvider = defineProvider({
  id: "deepseek",
  displayName: "DeepSeek",
  protocol: "openai-chat",
  baseUrl: "https://api.deepseek.com",
  auth: { type: "bearer" },
  keyRequired: true,
  models: { static: ["deepseek-chat", "deepseek-reasoner"] },
  capabilityRules: [{ match: "deepseek-chat", capabilities: { reasoning: false } }],
  fieldCache: builtinFieldCacheRules.deepSeekReasoningContent,
  docsUrl: "https://api-docs.deepseek.com/",
});

/**
 * xAI recommends the Responses API; Chat Completions stays the default because every client can cross to it.
 * @see https://docs.x.ai/developers/rest-api-reference/inference
 */
export const xAiProvider = defineProvider({
  id: "xai",
  displayName: "xAI",
  protocol: "openai-chat",
  protocols: ["openai-chat", "openai-responses"],
  baseUrl: "https://api.x.ai/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://docs.x.ai/developers/rest-api-reference/inference",
});

/** NVIDIA NIM (API catalog). @see https://docs.api.nvidia.com/nim/reference/ */
export const nvidiaProvider = defineProvider({
  id: "nvidia",
  displayName: "NVIDIA NIM",
  protocol: "openai-chat",
  baseUrl: "https://integrate.api.nvidia.com/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://docs.api.nvidia.com/nim/reference/",
});

/** @see https://docs.together.ai/docs/openai-api-compatibility */
export const togetherProvider = defineProvider({
  id: "together",
  displayName: "Together AI",
  protocol: "openai-chat",
  baseUrl: "https://api.together.xyz/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://docs.together.ai/reference",
});

/** @see https://fireworks.ai/docs/tools-sdks/openai-compatibility */
export const fireworksProvider = defineProvider({
  id: "fireworks",
  displayName: "Fireworks AI",
  protocol: "openai-chat",
  baseUrl: "https://api.fireworks.ai/inference/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://fireworks.ai/docs/api-reference",
});

/** @see https://inference-docs.cerebras.ai/resources/openai */
export const cerebrasProvider = defineProvider({
  id: "cerebras",
  displayName: "Cerebras",
  protocol: "openai-chat",
  baseUrl: "https://api.cerebras.ai/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://inference-docs.cerebras.ai/api-reference",
});

/**
 * Chutes reads the key from `Authorization: Bearer` only (it ignores `X-API-Key`).
 * @see https://chutes.ai/agents/connect
 */
export const chutesProvider = defineProvider({
  id: "chutes",
  displayName: "Chutes",
  protocol: "openai-chat",
  baseUrl: "https://llm.chutes.ai/v1",
  auth: { type: "bearer" },
  keyRequired: true,
  docsUrl: "https://chutes.ai/docs",
});

/**
 * Local OpenAI-compatible servers: keyless (a key, if set, goes as a bearer token, e.g. vLLM `--api-key`), and
 * active only when `<NAME>_API_BASE` is set or config enables them, so nothing probes ports nobody asked for.
 */
function defineLocalProvider(id: string, displayName: string, baseUrl: string, docsUrl: string): ProviderDefinition {
  return defineProvider({
    id,
    displayName,
    protocol: "openai-chat",
    baseUrl,
    auth: { type: "bearer" },
    keyRequired: false,
    local: true,
    docsUrl,
  });
}

/** @see https://github.com/ollama/ollama/blob/main/docs/openai.md */
export const ollamaProvider = defineLocalProvider("ollama", "Ollama", "http://127.0.0.1:11434/v1", "https://github.com/ollama/ollama/blob/main/docs/openai.md");
/** @see https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md */
export const llamaCppProvider = defineLocalProvider("llamacpp", "llama.cpp server", "http://127.0.0.1:8080/v1", "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md");
/** @see https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html */
export const vllmProvider = defineLocalProvider("vllm", "vLLM", "http://127.0.0.1:8000/v1", "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html");
/** @see https://lmstudio.ai/docs/app/api/endpoints/openai */
export const lmStudioProvider = defineLocalProvider("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1", "https://lmstudio.ai/docs/app/api/endpoints/openai");

/** Every built-in provider, in the order model lists are searched for bare model names. */
export const builtinProviders: readonly ProviderDefinition[] = Object.freeze([
  openAiProvider,
  anthropicProvider,
  geminiProvider,
  openRouterProvider,
  groqProvider,
  mistralProvider,
  deepSeekProvider,
  xAiProvider,
  nvidiaProvider,
  togetherProvider,
  fireworksProvider,
  cerebrasProvider,
  chutesProvider,
  ollamaProvider,
  llamaCppProvider,
  vllmProvider,
  lmStudioProvider,
]);
