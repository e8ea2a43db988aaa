import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { type AgentsRepo, createAgentsRepo } from "./agents.js";
import { type Env, type ResolvedDatabasePath, resolveStorePath } from "./config.js";
import { Db } from "./db.js";
import { type Driver, type DriverName, openDriver } from "./driver/index.js";
import { isStoreError, StoreError, wrapDriverError } from "./errors.js";
import { createGatewayHistoryRepo, type GatewayHistoryRepo } from "./gateway-history.js";
import { createIdempotencyRepo, type IdempotencyRepo } from "./idempotency.js";
import { migrate, type OpenState, readOpenState, readSchemaVersion } from "./migrate.js";
import { SCHEMA_VERSION } from "./migrations/index.js";
import { createOutboxRepo, type OutboxOptions, type OutboxRepo } from "./outbox.js";
import { createSessionsRepo, type SessionsRepo } from "./sessions.js";
import { createTaskEventsRepo, type TaskEventsRepo } from "./task-events.js";
import { createTasksRepo, type TasksRepo } from "./tasks.js";
import type { StoreChange } from "./types.js";

export type StoreLogger = (line: Record<string, unknown>) => void;

export interface OpenStoreOptions {
  /** Database file; wins over the environment. ":memory:" for a throwaway store. */
  path?: string;
  /** Where DATABASE_PATH / DATABASE_URL / XDG_DATA_HOME / HOME are read. Default process.env. */
  env?: Env;
  /** Receives one JSON-able object per log line. Default: a JSON line on stderr. */
  logger?: StoreLogger;
  /** How long a writer waits for another connection's lock before BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** NORMAL (default) survives a process crash; FULL also survives power loss, at a cost per commit. */
  synchronous?: "NORMAL" | "FULL";
  outbox?: OutboxOptions;
  /** Force a driver; by default the runtime's own SQLite (bun:sqlite, node:sqlite), else better-sqlite3. */
  driver?: DriverName;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

export interface Store {
  readonly path: string;
  readonly pathSource: ResolvedDatabasePath["source"];
  readonly driverName: DriverName;
  readonly schemaVersion: number;
  readonly agents: AgentsRepo;
  readonly tasks: TasksRepo;
  readonly taskEvents: TaskEventsRepo;
  readonly outbox: OutboxRepo;
  readonly sessions: SessionsRepo;
  readonly gatewayHistory: GatewayHistoryRepo;
  /** First responses of API requests made with an Idempotency-Key. */
  readonly idempotency: IdempotencyRepo;
  /** Runs several store calls in one write transaction (nested calls join it). */
  transaction<T>(fn: () => T): T;
  /** Called after each committed change, in the process that made it. Returns an unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** `PRAGMA integrity_check`: "ok" or the problems found. */
  integrityCheck(): string;
  close(): void;
}

const defaultLogger: StoreLogger = (line) => {
  process.stderr.write(`${JSON.stringify(line)}\n`);
};

function notWritable(path: string, reason: string, cause?: unknown): StoreError {
  return new StoreError("CONFIG_PATH_NOT_WRITABLE", {
    subject: path,
    path,
    reason,
    cause,
    fix: "point DATABASE_PATH at a file in a folder this user can write (the store also creates -wal and -shm files next to it)",
  });
}

/** The database and the files SQLite keeps next to it: tasks, prompts and agent replies. */
const COMPANION_SUFFIXES = ["", "-wal", "-shm", "-journal"];

/**
 * Creates the database file owner-only (0600) before any driver opens it: SQLite creates its
 * -wal and -shm files with the database file's mode, so this covers them whichever driver
 * (better-sqlite3, node:sqlite, bun:sqlite) opens it.
 */
function createOwnerOnly(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST")
      throw notWritable(path, "cannot create the database file", err);
  }
}

/**
 * Files of ours that an older version left readable by others are made owner-only, once the
 * database is known to be ours (a foreign or newer one is left as it was). Returns what changed.
 */
function tightenModes(path: string): string[] {
  if (process.platform === "win32") return [];
  const tightened: string[] = [];
  const uid = process.getuid?.();
  for (const suffix of COMPANION_SUFFIXES) {
    const file = path + suffix;
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(file);
    } catch {
      continue;
    }
    if (!st.isFile() || (st.mode & 0o077) === 0 || (uid !== undefined && st.uid !== uid)) continue;
    try {
      chmodSync(file, st.mode & 0o700);
      tightened.push(file);
    } catch {
      // Not ours to change: the store still works; nothing is reported as tightened.
    }
  }
  return tightened;
}

/** Creates the folder (0700) if missing and checks that the file can be created or written. */
function prepareLocation(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw notWritable(dir, `cannot create the folder (${code ?? "error"})`, err);
  }
  if (!statSync(dir).isDirectory()) throw notWritable(dir, "is not a folder");
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw notWritable(dir, "the folder is not writable by this user", err);
  }
  if (existsSync(path)) {
    if (!statSync(path).isFile()) {
      throw new StoreError("CONFIG_INVALID_PATH", {
        subject: path,
        path,
        reason: "exists and is not a regular file",
        fix: "point DATABASE_PATH at a file, not a folder",
      });
    }
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw notWritable(path, "the database file is not readable and writable by this user", err);
    }
  }
}

function openFailed(path: string, err: unknown): StoreError {
  const wrapped = wrapDriverError(err, "open");
  const reason =
    wrapped.code === "CORRUPT"
      ? `is not a SQLite database or is damaged (${wrapped.sqliteCode})`
      : `could not be opened (${wrapped.sqliteCode ?? (err instanceof Error ? err.message : String(err))})`;
  return new StoreError("OPEN_FAILED", {
    subject: path,
    path,
    reason,
    cause: err,
    sqliteCode: wrapped.sqliteCode,
    fix: "check DATABASE_PATH points at the Mission Control database and that its folder and disk are healthy",
  });
}

/**
 * Opens (creating if needed) and migrates the database. Synchronous. Logs the absolute
 * path it opened. Refuses — without writing a byte — a database from a newer version.
 */
export function openStore(options: OpenStoreOptions = {}): Store {
  const logger = options.logger ?? defaultLogger;
  const resolved = resolveStorePath(options.path, options.env ?? process.env);
  const memory = resolved.path === ":memory:";
  if (!memory) {
    prepareLocation(resolved.path);
    createOwnerOnly(resolved.path);
  }

  let driver: Driver;
  try {
    driver = openDriver(resolved.path, { driver: options.driver });
  } catch (err) {
    // DRIVER_UNAVAILABLE already names the runtime and the fix.
    throw isStoreError(err, "DRIVER_UNAVAILABLE") ? err : openFailed(resolved.path, err);
  }

  let applied: number[];
  let journalMode = "memory";
  let tightened: string[] = [];
  let schemaVersion: number;
  try {
    const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000));
    driver.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    // Read before any pragma that writes the header: a newer database stays byte-identical.
    let state: OpenState;
    try {
      state = readOpenState(driver);
    } catch (err) {
      throw openFailed(resolved.path, err);
    }
    const found = state.version;
    if (found > SCHEMA_VERSION) {
      throw new StoreError("NEWER_SCHEMA", {
        subject: resolved.path,
        path: resolved.path,
        schemaVersion: found,
        supportedVersion: SCHEMA_VERSION,
        reason: `was written by a newer mc-store (schema version ${found}; this one knows up to ${SCHEMA_VERSION}); it was not modified`,
        fix: "upgrade @missionctl/mc-store (and mission control) to the version that wrote it, or restore a backup made before the upgrade",
      });
    }
    if (state.tables.length > 0) {
      // Tables but no schema version: another application's database, such as the
      // Mission Control this replaces (its default file is also mission-control.db).
      throw new StoreError("FOREIGN_DATABASE", {
        subject: resolved.path,
        path: resolved.path,
        schemaVersion: 0,
        reason:
          `already holds tables (${state.tables.join(", ")}) but no mc-store schema version; it belongs to ` +
          "another application and was not modified",
        fix: "point DATABASE_PATH at a new file for mc-store; keep the other application's database where it is",
      });
    }
    try {
      if (!memory) {
        const row = driver.prepare("PRAGMA journal_mode = WAL").get<{ journal_mode: string }>();
        journalMode = String(row?.journal_mode ?? "unknown");
      }
      driver.exec(`PRAGMA synchronous = ${options.synchronous === "FULL" ? "FULL" : "NORMAL"}`);
      driver.exec("PRAGMA foreign_keys = ON");
    } catch (err) {
      throw openFailed(resolved.path, err);
    }
    applied = migrate(driver);
    schemaVersion = readSchemaVersion(driver);
    if (!memory) tightened = tightenModes(resolved.path);
  } catch (err) {
    try {
      driver.close();
    } catch {
      // The open error matters more.
    }
    throw err instanceof StoreError ? err : openFailed(resolved.path, err);
  }

  logger({
    level: journalMode === "wal" || memory ? "info" : "warn",
    component: "mc-store",
    msg: "database opened",
    path: resolved.path,
    source: resolved.source,
    driver: driver.name,
    schemaVersion,
    migrationsApplied: applied,
    journalMode,
  });
  if (tightened.length > 0)
    logger({
      level: "warn",
      component: "mc-store",
      msg: "database files were readable by other users: made owner-only (0600)",
      files: tightened,
    });

  const listeners = new Set<(change: StoreChange) => void>();
  const emit = (change: StoreChange) => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (err) {
        logger({
          level: "error",
          component: "mc-store",
          msg: "onChange listener threw",
          change: change.type,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  };
  const db = new Db(driver, emit);
  const now = options.now ?? Date.now;

  return {
    path: resolved.path,
    pathSource: resolved.source,
    driverName: driver.name,
    schemaVersion,
    agents: createAgentsRepo(db, now),
    tasks: createTasksRepo(db, now),
    taskEvents: createTaskEventsRepo(db, now),
    outbox: createOutboxRepo(db, now, options.outbox),
    sessions: createSessionsRepo(db, now),
    gatewayHistory: createGatewayHistoryRepo(db, now),
    idempotency: createIdempotencyRepo(db, now),
    transaction: (fn) => db.transaction("transaction", fn),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    integrityCheck() {
      const rows = db.all<{ integrity_check: string }>("integrity check", "PRAGMA integrity_check");
      return rows.map((row) => row.integrity_check).join("\n");
    },
    close() {
      listeners.clear();
      db.close();
    },
  };
}
