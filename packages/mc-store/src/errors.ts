/** Every `code` a StoreError can carry. Stable: callers switch on these. */
export const STORE_ERROR_CODES = [
  "CONFIG_DATABASE_URL_ONLY",
  "CONFIG_INVALID_PATH",
  "CONFIG_PATH_NOT_WRITABLE",
  "OPEN_FAILED",
  "DRIVER_UNAVAILABLE",
  "NEWER_SCHEMA",
  "FOREIGN_DATABASE",
  "MIGRATION_FAILED",
  "STORE_CLOSED",
  "VALIDATION_FAILED",
  "TASK_NOT_FOUND",
  "AGENT_NOT_FOUND",
  "AGENT_REQUIRED",
  "OUTBOX_ITEM_NOT_FOUND",
  "OUTBOX_INVALID_STATE",
  "LEASE_LOST",
  "IDEMPOTENCY_KEY_REUSED",
  "INVALID_TRANSITION",
  "APPEND_ONLY",
  "CONSTRAINT",
  "BUSY",
  "READ_ONLY",
  "DISK_FULL",
  "CORRUPT",
  "QUERY_FAILED",
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** One zod issue, reduced to what is safe to show: the field and the rule, never the value. */
export interface StoreValidationIssue {
  path: string;
  message: string;
  code: string;
}

export interface StoreErrorDetails {
  /** What the error is about: a variable, a task id, an operation. */
  subject: string;
  /** Why it failed. */
  reason: string;
  /** What to do about it. */
  fix: string;
  cause?: unknown;
  operation?: string;
  taskId?: string;
  agentId?: string;
  outboxId?: number;
  from?: string;
  to?: string;
  allowed?: readonly string[];
  issues?: readonly StoreValidationIssue[];
  path?: string;
  schemaVersion?: number;
  supportedVersion?: number;
  sqliteCode?: string;
}

/**
 * The one error type of @missionctl/mc-store. `code` is stable; the message reads
 * `[mc-store] subject: reason — fix`. Never carries a secret or a field's value.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;
  readonly subject: string;
  readonly hint: string;
  readonly operation?: string;
  readonly taskId?: string;
  readonly agentId?: string;
  readonly outboxId?: number;
  readonly from?: string;
  readonly to?: string;
  /** For INVALID_TRANSITION: the statuses the task may move to from `from`. */
  readonly allowed?: readonly string[];
  /** For VALIDATION_FAILED: which fields broke which rule. */
  readonly issues?: readonly StoreValidationIssue[];
  readonly path?: string;
  readonly schemaVersion?: number;
  readonly supportedVersion?: number;
  /** The SQLite result code behind a wrapped driver error (e.g. SQLITE_CONSTRAINT_FOREIGNKEY). */
  readonly sqliteCode?: string;

  constructor(code: StoreErrorCode, details: StoreErrorDetails) {
    super(
      `[mc-store] ${details.subject}: ${details.reason} — ${details.fix}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.subject = details.subject;
    this.hint = details.fix;
    const { subject: _s, reason: _r, fix: _f, cause: _c, ...context } = details;
    for (const [key, value] of Object.entries(context)) {
      if (value !== undefined) Object.defineProperty(this, key, { value, enumerable: true });
    }
  }

  /** True when retrying the same call later may succeed (lock contention). */
  get retryable(): boolean {
    return this.code === "BUSY";
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.taskId !== undefined && { taskId: this.taskId }),
      ...(this.agentId !== undefined && { agentId: this.agentId }),
      ...(this.outboxId !== undefined && { outboxId: this.outboxId }),
      ...(this.from !== undefined && { from: this.from }),
      ...(this.to !== undefined && { to: this.to }),
      ...(this.allowed !== undefined && { allowed: this.allowed }),
      ...(this.issues !== undefined && { issues: this.issues }),
      ...(this.sqliteCode !== undefined && { sqliteCode: this.sqliteCode }),
    };
  }
}

export function isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
  return value instanceof StoreError && (code === undefined || value.code === code);
}

function sqliteCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/**
 * Wraps an error thrown by the driver so no raw SQLite error reaches a caller:
 * the operation becomes the subject, the SQLite code a stable StoreError code.
 */
export function wrapDriverError(err: unknown, operation: string, extra: Partial<StoreErrorDetails> = {}): StoreError {
  if (err instanceof StoreError) return err;
  const sqliteCode = sqliteCodeOf(err);
  const base = { subject: operation, operation, cause: err, sqliteCode, ...extra };
  const raw = err instanceof Error ? err.message : String(err);
  if (sqliteCode?.startsWith("SQLITE_BUSY") || sqliteCode?.startsWith("SQLITE_LOCKED")) {
    return new StoreError("BUSY", {
      ...base,
      reason: "the database stayed locked by another connection past busy_timeout",
      fix: "retry later, or raise busyTimeoutMs if writers hold long transactions",
    });
  }
  if (sqliteCode === "SQLITE_CONSTRAINT_TRIGGER" && /append-only/.test(raw)) {
    return new StoreError("APPEND_ONLY", {
      ...base,
      reason: "task events are append-only and cannot be changed or deleted",
      fix: "append a new event instead",
    });
  }
  if (sqliteCode?.startsWith("SQLITE_CONSTRAINT")) {
    return new StoreError("CONSTRAINT", {
      ...base,
      reason: `a database constraint rejected the write (${sqliteCode})`,
      fix: "check that referenced agents and tasks exist and that values are unique where required",
    });
  }
  if (sqliteCode?.startsWith("SQLITE_READONLY")) {
    return new StoreError("READ_ONLY", {
      ...base,
      reason: "the database file is read-only for this process",
      fix: "check the file's owner and mode, and that its folder is writable (WAL needs -wal and -shm files next to it)",
    });
  }
  if (sqliteCode === "SQLITE_FULL") {
    return new StoreError("DISK_FULL", {
      ...base,
      reason: "the disk is full",
      fix: "free space on the volume holding DATABASE_PATH",
    });
  }
  if (sqliteCode?.startsWith("SQLITE_CORRUPT") || sqliteCode === "SQLITE_NOTADB") {
    return new StoreError("CORRUPT", {
      ...base,
      reason: "the file is not a valid SQLite database or is damaged",
      fix: "check DATABASE_PATH points at the Mission Control database; restore from a backup if it is damaged",
    });
  }
  if (sqliteCode?.startsWith("SQLITE_IOERR") || sqliteCode?.startsWith("SQLITE_CANTOPEN")) {
    return new StoreError("OPEN_FAILED", {
      ...base,
      reason: `an I/O error occurred (${sqliteCode})`,
      fix: "check the disk and the folder of DATABASE_PATH",
    });
  }
  return new StoreError("QUERY_FAILED", {
    ...base,
    reason: `the database rejected the statement (${sqliteCode ?? "unknown error"})`,
    fix: "this is a bug in mc-store or a damaged schema; report it with the cause attached",
  });
}
