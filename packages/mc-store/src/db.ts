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
      throw new StoreError("STORE_CLOSED", {
        subject: operation,
        operation,
        reason: "the store was closed",
        fix: "open a new store with openStore()",
      });
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

  /**
   * Runs `fn` in one write transaction. A nested call runs in a savepoint: if it throws,
   * only its own writes (and change notifications) are undone, and the error goes on.
   * Errors thrown by `fn` reach the caller unchanged; failures of BEGIN/COMMIT are wrapped.
   */
  transaction<T>(operation: string, fn: () => T): T {
    this.ensureOpen(operation);
    if (this.depth > 0) return this.savepoint(operation, fn);
    try {
      this.driver.prepare("BEGIN IMMEDIATE").run();
    } catch (err) {
      throw wrapDriverError(err, operation);
    }
    this.depth = 1;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.abort();
      throw err;
    }
    try {
      this.driver.prepare("COMMIT").run();
    } catch (err) {
      this.abort();
      throw wrapDriverError(err, operation);
    }
    this.depth = 0;
    const changes = this.pending;
    this.pending = [];
    for (const change of changes) this.emit(change);
    return result;
  }

  private savepoint<T>(operation: string, fn: () => T): T {
    const name = `mc_sp_${this.depth}`;
    const mark = this.pending.length;
    this.run(operation, `SAVEPOINT ${name}`);
    this.depth++;
    try {
      const result = fn();
      this.depth--;
      this.run(operation, `RELEASE ${name}`);
      return result;
    } catch (err) {
      this.depth--;
      this.pending.length = mark;
      try {
        this.driver.prepare(`ROLLBACK TO ${name}`).run();
        this.driver.prepare(`RELEASE ${name}`).run();
      } catch {
        // The outer transaction's rollback will clean up; keep the original error.
      }
      throw err;
    }
  }

  private abort(): void {
    this.depth = 0;
    this.pending = [];
    try {
      if (this.driver.inTransaction) this.driver.exec("ROLLBACK");
    } catch {
      // The original error says more than a failed rollback would.
    }
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
