import type { CacheControl, ContentPart, TextPart } from "./content-part.js";
import type { Extensions, ProtocolId } from "./protocol-id.js";

/** Who speaks a message. `system` and `developer` inside `messages` keep their position (mid-conversation). */
export type MessageRole = "system" | "developer" | "user" | "assistant" | "tool";

/** One turn of the conversation. */
export interface UnifiedMessage {
  role: MessageRole;
  content: ContentPart[];
  /** Participant name (OpenAI `name`). */
  name?: string;
  /** Item or message id where the protocol has one (Responses input item ids, kept for replay). */
  id?: string;
  extensions?: Extensions;
}

/** A top-level instruction block (Anthropic `system`, Gemini `systemInstruction`, Responses `instructions`). */
export interface InstructionBlock {
  /** `developer` ranks as system for targets without a developer role. */
  role: "system" | "developer";
  parts: TextPart[];
  extensions?: Extensions;
}

/** A function tool with a JSON Schema for its input. */
export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  /** JSON Schema of the arguments, as the client wrote it; encoders transform a copy per dialect. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  /** Responses `additional_tools` namespace; crosses to other protocols as `namespace__name`. */
  namespace?: string;
  cacheControl?: CacheControl;
  extensions?: Extensions;
}

/** A freeform tool whose input is a string (Codex `custom`, e.g. a lark grammar). */
export interface CustomTool {
  type: "custom";
  name: string;
  description?: string;
  /** The grammar or format definition as the client wrote it. */
  format?: unknown;
  extensions?: Extensions;
}

/** A provider-native tool (web search, tool search, code execution, Anthropic server tools), carried verbatim. */
export interface NativeTool {
  type: "native";
  protocol: ProtocolId;
  /** e.g. "web_search", "tool_search", "googleSearch" */
  name: string;
  value: unknown;
}

/** Any tool. */
export type UnifiedTool = FunctionTool | CustomTool | NativeTool;

/** Which tool the model must or may call. */
export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

/** Sampling and length parameters. */
export interface GenerationParameters {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Number of choices; encoders that cannot fan out raise `unsupported_feature` for n > 1. */
  n?: number;
  logprobs?: boolean;
  topLogprobs?: number;
}

/** The shape of the model's text output. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name?: string; description?: string; schema: Record<string, unknown>; strict?: boolean };

/** Reasoning effort names across protocols, lowest to highest. */
export const reasoningEfforts = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
/** A reasoning effort. */
export type ReasoningEffort = (typeof reasoningEfforts)[number];

/** How much the model should think and what of it to show. */
export interface ReasoningConfig {
  /** false: thinking explicitly off. */
  enabled?: boolean;
  effort?: ReasoningEffort;
  /** Anthropic `budget_tokens`, Gemini `thinkingBudget` (-1 = dynamic). */
  budgetTokens?: number;
  /** Anthropic adaptive thinking: the model decides how much to think. */
  adaptive?: boolean;
  /** Responses summary mode: auto | concise | detailed. */
  summary?: string;
  /** Whether the client wants reasoning text back (Gemini `includeThoughts`, Anthropic display). */
  includeThoughts?: boolean;
}

/** Metadata about who is asking. */
export interface RequestMetadata {
  /** End user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** A conversation key (prompt_cache_key, Claude Code session id) usable for affinity. */
  sessionId?: string;
}

/** A request in protocol-neutral form. */
export interface UnifiedRequest {
  /** The model string as given by the client (routing resolves it). */
  model: string;
  system: InstructionBlock[];
  messages: UnifiedMessage[];
  tools?: UnifiedTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  generation: GenerationParameters;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  /** OpenAI `prompt_cache_key`. */
  promptCacheKey?: string;
  /** Request-wide cache hint (Anthropic top-level `cache_control`). */
  cacheControl?: CacheControl;
  metadata?: RequestMetadata;
  stream: boolean;
  /** Chat `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** The protocol the request was decoded from. */
  sourceProtocol?: ProtocolId;
  extensions?: Extensions;
}
