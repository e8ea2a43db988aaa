export type { AtomicWriteOptions } from "./atomic-write.js";
export { writeFileAtomic } from "./atomic-write.js";
export type { BackoffOptions } from "./backoff.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
