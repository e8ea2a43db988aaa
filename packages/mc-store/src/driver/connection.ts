import type { Driver, DriverName, PreparedStatement, RawConnection, SqlParams } from "./types.js";

function args(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? [...params] : [params];
}

/**
 * The part every driver shares: a statement cache per SQL text, "no row" as undefined,
 * driver errors normalised by `normalizeError` (so the store sees one shape of error),
 * and close() that drops the cache first.
 */
export function wrapConnection(
  name: DriverName,
  path: string,
  raw: RawConnection,
  normalizeError: (err: unknown) => unknown = (err) => err,
): Driver {
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw normalizeError(err);
    }
  };
  const cache = new Map<string, PreparedStatement>();
  return {
    name,
    path,
    exec: (sql) => guard(() => raw.exec(sql)),
    prepare(sql) {
      let statement = cache.get(sql);
      if (!statement) {
        const prepared = guard(() => raw.prepare(sql));
        statement = {
          run: (params) => guard(() => prepared.run(...args(params))),
          // bun:sqlite answers null for "no row"; the interface says undefined.
          get: <T>(params?: SqlParams) => (guard(() => prepared.get(...args(params))) ?? undefined) as T | undefined,
          all: <T>(params?: SqlParams) => guard(() => prepared.all(...args(params))) as T[],
        };
        cache.set(sql, statement);
      }
      return statement;
    },
    get inTransaction() {
      return raw.inTransaction;
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
}
