import { GatewayError, defaultHttpStatusByCode } from "../../unified/index.js";
import { isWireObject } from "../common/index.js";
import { mapOpenAiChatErrorToGatewayCode } from "./map-openai-chat-error-code.js";

/**
 * An upstream `{"error": {...}}` body or stream chunk → GatewayError. OpenRouter puts the upstream HTTP status in a
 * numeric `code` and the provider's text in `metadata.raw`; both are kept (status as `upstreamStatus`).
 * @see https://openrouter.ai/docs/api-reference/errors
 */
export function decodeOpenAiChatError(errorValue: unknown): GatewayError {
  const error = isWireObject(errorValue) ? errorValue : {};
  const code = mapOpenAiChatErrorToGatewayCode(error["type"], error["code"]);
  const message =
    typeof error["message"] === "string" && error["message"] !== ""
      ? error["message"]
      : typeof errorValue === "string"
        ? errorValue
        : "upstream reported an error";
  const numericCode = error["code"];
  const upstreamStatus = typeof numericCode === "number" && numericCode >= 400 && numericCode < 600 ? numericCode : undefined;
  return new GatewayError(code, message, {
    httpStatus: defaultHttpStatusByCode[code],
    ...(upstreamStatus === undefined ? {} : { upstreamStatus }),
  });
}
