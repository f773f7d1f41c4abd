export { countRequestTokens, mediaPartTokenEstimate } from "./count-request-tokens.js";
