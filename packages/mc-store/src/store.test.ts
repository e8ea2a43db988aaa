import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expectedDriver, tempStore } from "../tests/temp-store.js";
import { openDriver } from "./driver/index.js";
import { StoreError } from "./errors.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations/index.js";
import { openStore } from "./store.js";

const dirs: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), "mc-store-open-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("openStore", () => {
  it("uses the runtime's own SQLite where it has one, better-sqlite3 only on an older Node", () => {
    const t = tempStore();
    try {
      expect(t.store.driverName).toBe(expectedDriver());
      // Set by each CI run (Bun, Node 24), so a runner that silently fell back to another driver fails here.
      if (process.env.MC_STORE_EXPECT_DRIVER) expect(t.store.driverName).toBe(process.env.MC_STORE_EXPECT_DRIVER);
      expect(t.logs[0]).toMatchObject({ driver: expectedDriver() });
    } finally {
      t.cleanup();
    }
  });

  it("logs the absolute path, source, driver and schema version as one JSON-able line", () => {
    const t = tempStore();
    try {
      expect(t.logs).toHaveLength(1);
      expect(t.logs[0]).toMatchObject({
        msg: "database opened",
        path: t.path,
        source: "option",
        schemaVersion: SCHEMA_VERSION,
        journalMode: "wal",
        migrationsApplied: MIGRATIONS.map((m) => m.version),
      });
      expect(JSON.parse(JSON.stringify(t.logs[0]))).toEqual(t.logs[0]);
    } finally {
      t.cleanup();
    }
  });

  it("creates a missing parent folder with mode 0700 and sets WAL, foreign keys and busy_timeout", () => {
    const dir = tmp();
    const path = join(dir, "a", "b", "mc.db");
    const store = openStore({ env: { DATABASE_PATH: path }, logger: () => {}, busyTimeoutMs: 1234 });
    try {
      expect(store.path).toBe(path);
      expect(store.pathSource).toBe("DATABASE_PATH");
      expect(statSync(join(dir, "a", "b")).mode & 0o777).toBe(0o700);
      expect(existsSync(`${path}-wal`)).toBe(true);
    } finally {
      store.close();
    }
  });

  it("resolves a relative DATABASE_PATH to an absolute path in the log", () => {
    const dir = tmp();
    const cwd = process.cwd();
    process.chdir(dir);
    const logs: Record<string, unknown>[] = [];
    try {
      const store = openStore({ env: { DATABASE_PATH: "rel/mc.db" }, logger: (line) => logs.push(line) });
      store.close();
    } finally {
      process.chdir(cwd);
    }
    expect(logs[0]?.path).toBe(join(dir, "rel", "mc.db"));
  });

  it("refuses DATABASE_URL alone without creating anything", () => {
    const dir = tmp();
    expect(() =>
      openStore({ env: { DATABASE_URL: `file:${join(dir, "x.db")}`, HOME: dir }, logger: () => {} }),
    ).toThrowError(expect.objectContaining({ code: "CONFIG_DATABASE_URL_ONLY" }));
    expect(existsSync(join(dir, ".local"))).toBe(false);
  });

  it("opens the XDG default when neither variable is set", () => {
    const dir = tmp();
    const store = openStore({ env: { XDG_DATA_HOME: join(dir, "data") }, logger: () => {} });
    try {
      expect(store.path).toBe(join(dir, "data", "missionctl", "mission-control.db"));
      expect(store.pathSource).toBe("default");
    } finally {
      store.close();
    }
  });

  it("reports an unwritable location clearly (parent is a file)", () => {
    const dir = tmp();
    writeFileSync(join(dir, "file"), "x");
    const err = (() => {
      try {
        openStore({ path: join(dir, "file", "mc.db"), env: {}, logger: () => {} });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: "CONFIG_PATH_NOT_WRITABLE" });
    expect((err as Error).message).toMatch(
      /^\[mc-store\] .*file: cannot create the folder \(\w+\) — point DATABASE_PATH/,
    );
  });

  it.skipIf(process.getuid?.() === 0)("reports a read-only folder clearly", async () => {
    const { chmodSync } = await import("node:fs");
    const dir = tmp();
    chmodSync(dir, 0o500);
    expect(() => openStore({ path: join(dir, "mc.db"), env: {}, logger: () => {} })).toThrowError(
      expect.objectContaining({ code: "CONFIG_PATH_NOT_WRITABLE" }),
    );
    chmodSync(dir, 0o700);
  });

  it("refuses a folder as database path and a file that is not a database", () => {
    const dir = tmp();
    expect(() => openStore({ path: dir, env: {}, logger: () => {} })).toThrowError(
      expect.objectContaining({ code: "CONFIG_INVALID_PATH" }),
    );
    const junk = join(dir, "junk.db");
    writeFileSync(junk, "this is not a database, just some text that is long enough to have a header ".repeat(20));
    const before = readFileSync(junk);
    expect(() => openStore({ path: junk, env: {}, logger: () => {} })).toThrowError(
      expect.objectContaining({ code: "OPEN_FAILED" }),
    );
    expect(readFileSync(junk).equals(before)).toBe(true);
  });

  it("calls onChange listeners after commit only, and survives a throwing listener", () => {
    const logs: Record<string, unknown>[] = [];
    const t = tempStore({ logger: (line) => logs.push(line) });
    try {
      const seen: string[] = [];
      t.store.onChange(() => {
        throw new Error("listener bug");
      });
      const off = t.store.onChange((change) => seen.push(change.type));
      t.store.tasks.create({ title: "a" });
      expect(seen).toEqual(["task.created"]);
      expect(() =>
        t.store.transaction(() => {
          t.store.tasks.create({ title: "b" });
          throw new Error("abort");
        }),
      ).toThrow();
      expect(seen).toEqual(["task.created"]);
      expect(t.store.tasks.list().items.map((task) => task.title)).toEqual(["a"]);
      off();
      t.store.tasks.create({ title: "c" });
      expect(seen).toHaveLength(1);
      expect(logs.some((line) => line.msg === "onChange listener threw")).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it("answers STORE_CLOSED after close and reports integrity ok", () => {
    const t = tempStore();
    expect(t.store.integrityCheck()).toBe("ok");
    t.store.close();
    expect(() => t.store.tasks.list()).toThrowError(expect.objectContaining({ code: "STORE_CLOSED" }));
    t.cleanup();
  });
});

describe("store.transaction", () => {
  it("passes the caller's own error through unchanged and rolls everything back", () => {
    const t = tempStore();
    try {
      const mine = new Error("mine");
      expect(() =>
        t.store.transaction(() => {
          t.store.tasks.create({ title: "gone" });
          throw mine;
        }),
      ).toThrow(mine);
      expect(t.store.tasks.list().items).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it("undoes only a failed inner call when the caller catches it", () => {
    const t = tempStore();
    try {
      const changes: string[] = [];
      t.store.onChange((change) => changes.push(change.type));
      t.store.agents.upsertMany([{ id: "main" }]);
      changes.length = 0;
      const task = t.store.transaction(() => {
        const created = t.store.tasks.create({ title: "kept", assignedAgentId: "main" });
        expect(() =>
          t.store.tasks.dispatch(created.id, { actor: "op", message: "x".repeat(200_000), sessionKey: "s" }),
        ).toThrow(StoreError);
        expect(() => t.store.tasks.transition(created.id, "done", { actor: "op" })).toThrowError(
          expect.objectContaining({ code: "INVALID_TRANSITION" }),
        );
        return created;
      });
      expect(t.store.tasks.get(task.id).status).toBe("assigned");
      expect(t.store.taskEvents.list(task.id).map((e) => e.type)).toEqual(["created"]);
      expect(changes).toEqual(["task.created"]);

      // A failure after the first write of a nested call: its UPDATE must be undone too.
      const raw = openDriver(t.path);
      raw.exec(
        "INSERT INTO outbox (task_id, session_key, idempotency_key, kind, payload, state, next_attempt_at, created_at, " +
          `updated_at) VALUES ('${task.id}', 's', 'missionctl-task-${task.id}-dispatch-1', 'chat.send', '{}', 'failed', 0, 0, 0)`,
      );
      raw.close();
      changes.length = 0;
      t.store.transaction(() => {
        expect(() => t.store.tasks.dispatch(task.id, { actor: "op", message: "m", sessionKey: "s" })).toThrowError(
          expect.objectContaining({ code: "CONSTRAINT", sqliteCode: "SQLITE_CONSTRAINT_UNIQUE" }),
        );
        t.store.taskEvents.append(task.id, { actor: "op", type: "note" });
      });
      expect(t.store.tasks.get(task.id)).toMatchObject({ status: "assigned", attempt: 0 });
      expect(t.store.taskEvents.list(task.id).map((e) => e.type)).toEqual(["created", "note"]);
      expect(changes).toEqual(["task_event.appended"]);
    } finally {
      t.cleanup();
    }
  });
});
