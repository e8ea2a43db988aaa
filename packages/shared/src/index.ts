export type { BackoffOptions } from "./backoff.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
