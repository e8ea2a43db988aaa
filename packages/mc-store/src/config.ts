import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
// Namespace import: under Bun, vitest's module runner leaves the named `z` export undefined.
import * as z from "zod";
import { StoreError } from "./errors.js";

export type Env = Record<string, string | undefined>;

export interface ResolvedDatabasePath {
  /** Absolute path of the database file, or ":memory:". */
  path: string;
  source: "option" | "DATABASE_PATH" | "default";
}

export const DEFAULT_DATABASE_FILE = "mission-control.db";

// A path, not a URL: "sqlite:///x" or "file:x" here is the DATABASE_URL habit leaking in.
const databasePathSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(4096, "must be at most 4096 characters")
  .refine((value) => !value.includes("\0"), "must not contain a NUL byte")
  .refine(
    (value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^(file|sqlite3?):/i.test(value),
    "must be a file path, not a URL",
  );

function invalidPath(subject: string, reason: string): StoreError {
  return new StoreError("CONFIG_INVALID_PATH", {
    subject,
    reason,
    fix: "set DATABASE_PATH to an absolute file path such as /var/lib/missionctl/mission-control.db",
  });
}

function checkPath(raw: string, subject: string): string {
  const parsed = databasePathSchema.safeParse(raw);
  if (!parsed.success) throw invalidPath(subject, parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data === ":memory:" ? ":memory:" : resolve(parsed.data);
}

/** `$XDG_DATA_HOME/missionctl/mission-control.db`, else `~/.local/share/missionctl/mission-control.db`. */
export function defaultDatabasePath(env: Env = process.env): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || homedir(), ".local", "share");
  return join(base, "missionctl", DEFAULT_DATABASE_FILE);
}

/**
 * Where the database lives: DATABASE_PATH, else the XDG default. DATABASE_URL alone is
 * refused: that mix-up once put a production database next to the code.
 */
export function resolveDatabasePath(env: Env = process.env): ResolvedDatabasePath {
  const databasePath = env.DATABASE_PATH;
  if (databasePath !== undefined && databasePath.trim() !== "") {
    return { path: checkPath(databasePath, "DATABASE_PATH"), source: "DATABASE_PATH" };
  }
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL.trim() !== "") {
    // The value is not echoed: a URL may carry credentials.
    throw new StoreError("CONFIG_DATABASE_URL_ONLY", {
      subject: "DATABASE_URL",
      reason:
        "is set but DATABASE_PATH is not; mc-store reads only DATABASE_PATH, so the database would silently land elsewhere",
      fix:
        "rename the variable to DATABASE_PATH with a file path (e.g. " +
        "DATABASE_PATH=/var/lib/missionctl/mission-control.db) and remove DATABASE_URL",
    });
  }
  return { path: defaultDatabasePath(env), source: "default" };
}

/** An explicit `path` option wins over the environment. */
export function resolveStorePath(option: string | undefined, env: Env): ResolvedDatabasePath {
  if (option !== undefined) return { path: checkPath(option, "path option"), source: "option" };
  return resolveDatabasePath(env);
}
