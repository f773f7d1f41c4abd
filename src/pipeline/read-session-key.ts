/**
 * The client's own conversation key, strongest evidence first: Claude Code's `X-Claude-Code-Session-Id`, Codex's
 * `session-id` header, then `prompt_cache_key` (OpenAI) and `metadata.user_id` (Anthropic; Claude Code puts the
 * session there) from the body. Keeps a conversation on one credential so its prompt cache stays warm.
 * @see ../shared/CLIENTS.md
 */
export function readSessionKey(headers: Readonly<Record<string, string | string[] | undefined>>, body: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of ["x-claude-code-session-id", "session-id"]) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text.trim() !== "") return `${name}:${text.trim()}`;
  }
  const cacheKey = body["prompt_cache_key"];
  if (typeof cacheKey === "string" && cacheKey !== "") return `prompt_cache_key:${cacheKey}`;
  const metadata = body["metadata"];
  if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
    const userId = (metadata as Record<string, unknown>)["user_id"];
    if (typeof userId === "string" && userId !== "") return `user_id:${userId}`;
  }
  return undefined;
}
