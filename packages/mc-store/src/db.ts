import type { Driver, SqlParams } from "./driver/index.js";
import { StoreError, wrapDriverError } from "./errors.js";
import type { StoreChange } from "./types.js";

/**
 * The driver plus what every repository needs: errors wrapped with the operation,
 * write transactions taken with BEGIN IMMEDIATE (so a writer waits on busy_timeout
 * at the start instead of failing with SQLITE_BUSY on a lock upgrade), and change
 * notifications delivered only after commit.
 */
export class Db {
  private depth = 0;
  private pending: StoreChange[] = [];
  private closed = false;

  constructor(
    readonly driver: Driver,
    private readonly emit: (change: StoreChange) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  private ensureOpen(operation: string): void {
    if (this.closed) {
      throw new StoreError("STORE_CLOSED", { subject: operation, operation, reason: "the store was closed", fix: "open a new store with openStore()" });
    }
  }

  run(operation: string, sql: string, params?: SqlParams) {
    this.ensureOpen(operation);
    try {
      return this.driver.prepare(sql).run(params);
    } catch (err) {
      throw wrapDriverError(err, operation);
    }
  }

  get<T>(operation: string, sql: string, params?: SqlParams): T | undefined {
    this.ensureOpen(operation);
    try {
      return this.driver.prepare(sql).get<T>(params);
    } catch (err) {
      throw wrapDriverError(err, operation);
    }
  }

  all<T>(operation: string, sql: string, params?: SqlParams): T[] {
    this.ensureOpen(operation);
    try {
      return this.driver.prepare(sql).all<T>(params);
    } catch (err) {
      throw wrapDriverError(err, operation);
    }
  }

  /** Runs `fn` in one write transaction; a nested call joins the outer one. */
  transaction<T>(operation: string, fn: () => T): T {
    this.ensureOpen(operation);
    if (this.depth > 0) return fn();
    try {
      this.driver.exec("BEGIN IMMEDIATE");
    } catch (err) {
      throw wrapDriverError(err, operation);
    }
    this.depth = 1;
    let result: T;
    try {
      result = fn();
      this.driver.exec("COMMIT");
    } catch (err) {
      this.depth = 0;
      this.pending = [];
      try {
        if (this.driver.inTransaction) this.driver.exec("ROLLBACK");
      } catch {
        // The original error says more than a failed rollback would.
      }
      throw wrapDriverError(err, operation);
    }
    this.depth = 0;
    const changes = this.pending;
    this.pending = [];
    for (const change of changes) this.emit(change);
    return result;
  }

  /** Queues a change until the surrounding transaction commits (or emits it now). */
  notify(change: StoreChange): void {
    if (this.depth > 0) this.pending.push(change);
    else this.emit(change);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.driver.close();
  }
}
