import { redact as redactValue } from "@missionctl/gateway-client";
import type { LogLevel } from "./config.js";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * The log's redaction: gateway-client's one key list and mask, bounded for log lines (a huge
 * gateway frame at debug cannot stall logging).
 */
export function redact(value: unknown): unknown {
  return redactValue(value, { maxDepth: 8, maxString: 2000, maxItems: 50 });
}

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

/**
 * Structured JSON lines on stdout: journald (or docker logs) keeps them with no file to rotate.
 * One object per line: `{ ts, level, msg, ...fields }`.
 */
export function createLogger(
  level: LogLevel = "info",
  sink: LogSink = (l) => process.stdout.write(l),
  base: Record<string, unknown> = {},
): Logger {
  const min = ORDER[level];
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const line: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, msg, ...base };
    if (fields) Object.assign(line, redact(fields) as Record<string, unknown>);
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch {
      text = JSON.stringify({ ts: line.ts, level: lvl, msg, note: "fields were not serialisable" });
    }
    sink(`${text}\n`);
  };
  return {
    level,
    enabled: (l) => ORDER[l] >= min,
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}
