import { redact } from "../redact.js";
import type { Logger, LogLevel } from "../types.js";

/** The client's log: every record redacted; a logger that throws never breaks the connection. */
export class ClientLog {
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  /** Whether anything listens: lets hot paths skip building debug data. */
  get enabled(): boolean {
    return this.#logger !== undefined;
  }

  debug(msg: string, data?: Record<string, unknown>): void {
    if (this.#logger) this.emit("debug", msg, data);
  }

  emit(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    const logger = this.#logger;
    if (!logger) return;
    const safe = data ? redact(data) : undefined;
    try {
      if (typeof logger === "function") logger({ level, msg, component: "gateway-client", ...safe });
      else logger[level]?.(`[gateway-client] ${msg}`, safe);
    } catch {
      // a logger must never break the connection
    }
  }
}

export function errorText(err: unknown): string {
  return String((err as Error)?.message ?? err);
}
