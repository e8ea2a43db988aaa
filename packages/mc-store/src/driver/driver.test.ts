import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectedDriver } from "../../tests/temp-store.js";
import { isStoreError } from "../errors.js";
import { openStore } from "../store.js";
import { type DriverName, defaultDriverName, openDriver } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "mc-store-driver-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The drivers this runtime can load (better-sqlite3 only when its native build matches this Node). */
function available(): DriverName[] {
  const names: DriverName[] = [];
  for (const name of ["node:sqlite", "bun:sqlite", "better-sqlite3"] as const) {
    try {
      openDriver(":memory:", { driver: name }).close();
      names.push(name);
    } catch {
      // Not on this runtime.
    }
  }
  return names;
}

const drivers = available();

describe("driver selection", () => {
  it("defaults to the runtime's own SQLite where it has one", () => {
    expect(defaultDriverName()).toBe(expectedDriver());
    expect(drivers).toContain(expectedDriver());
  });

  it("names the runtime and the fix when better-sqlite3 is needed but cannot load", () => {
    let error: unknown;
    try {
      openStore({ path: join(dir, "forced.db"), env: {}, logger: () => {}, driver: "better-sqlite3" }).close();
    } catch (err) {
      error = err;
    }
    if (drivers.includes("better-sqlite3")) {
      expect(error).toBeUndefined();
      return;
    }
    expect(isStoreError(error, "DRIVER_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain(`Node ${process.versions.node}`);
    expect((error as Error).message).toMatch(/Node >= 22\.13.*npm install better-sqlite3/);
  });
});

describe.each(drivers)("driver %s", (name) => {
  const open = (file: string) => openDriver(join(dir, `${name.replace(":", "-")}-${file}`), { driver: name });

  it("binds named and positional parameters, answers undefined for no row, caches statements", () => {
    const db = open("basic.db");
    try {
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER)");
      const insert = db.prepare("INSERT INTO t (name, n) VALUES (@name, @n)");
      expect(db.prepare("INSERT INTO t (name, n) VALUES (@name, @n)")).toBe(insert);
      // Keys the SQL does not use are ignored, as the store relies on.
      expect(insert.run({ name: "a", n: 1, unused: true })).toMatchObject({ changes: 1, lastInsertRowid: 1 });
      expect(db.prepare("SELECT name, n FROM t WHERE id = ?").get([1])).toEqual({ name: "a", n: 1 });
      expect(db.prepare("SELECT name FROM t WHERE id = ?").get([42])).toBeUndefined();
      expect(db.prepare("SELECT name FROM t ORDER BY id").all()).toEqual([{ name: "a" }]);
    } finally {
      db.close();
    }
  });

  it("reports SQLite errors with the SQLITE_* code the store maps", () => {
    const db = open("errors.db");
    try {
      db.exec("PRAGMA foreign_keys = ON");
      db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER NOT NULL REFERENCES p(id))");
      db.exec("CREATE TABLE u (v TEXT UNIQUE)");
      db.prepare("INSERT INTO u (v) VALUES (?)").run(["x"]);
      expect(() => db.prepare("INSERT INTO u (v) VALUES (?)").run(["x"])).toThrowError(
        expect.objectContaining({ code: "SQLITE_CONSTRAINT_UNIQUE" }),
      );
      expect(() => db.prepare("INSERT INTO c (p) VALUES (?)").run([9])).toThrowError(
        expect.objectContaining({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" }),
      );
      expect(() => db.exec("SELEC 1")).toThrowError(expect.objectContaining({ code: "SQLITE_ERROR" }));
    } finally {
      db.close();
    }
  });

  it("tracks transactions and reports a lock held by another connection as SQLITE_BUSY", () => {
    const a = open("busy.db");
    const b = openDriver(a.path, { driver: name });
    try {
      a.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER)");
      b.exec("PRAGMA busy_timeout = 0");
      expect(a.inTransaction).toBe(false);
      a.exec("BEGIN IMMEDIATE");
      expect(a.inTransaction).toBe(true);
      expect(() => b.exec("BEGIN IMMEDIATE")).toThrowError(expect.objectContaining({ code: "SQLITE_BUSY" }));
      a.exec("COMMIT");
      expect(a.inTransaction).toBe(false);
    } finally {
      b.close();
      a.close();
    }
  });

  it("a whole store works on it", () => {
    const store = openStore({
      path: join(dir, `${name.replace(":", "-")}-store.db`),
      env: {},
      logger: () => {},
      driver: name,
    });
    try {
      expect(store.driverName).toBe(name);
      store.agents.upsertMany([{ id: "main", name: "Main" }]);
      const task = store.tasks.create({ title: "t", assignedAgentId: "main", actor: "op" });
      expect(() => store.tasks.create({ title: "t", assignedAgentId: "nobody", actor: "op" })).toThrowError(
        expect.objectContaining({ code: "AGENT_NOT_FOUND" }),
      );
      expect(store.tasks.get(task.id).status).toBe("assigned");
      expect(store.integrityCheck()).toBe("ok");
    } finally {
      store.close();
    }
  });
});
