import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDriver } from "../src/driver/index.js";
import { openStore, SCHEMA_VERSION, StoreError } from "../src/index.js";
import { migrate, readSchemaVersion } from "../src/migrate.js";
import { MIGRATIONS } from "../src/migrations/index.js";
import { tempDir } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function freshPath(): string {
  const dir = tempDir("mc-store-mig-");
  dirs.push(dir);
  return join(dir, "mc.db");
}

const T0 = 1_700_000_000_000;

/** Builds a database at `version` the way that version's code would have, with data in every table it had. */
function populatedDatabaseAt(version: number): string {
  const path = freshPath();
  const driver = openDriver(path);
  try {
    driver.exec("PRAGMA journal_mode = WAL");
    migrate(driver, { target: version });
    expect(readSchemaVersion(driver)).toBe(version);
    if (version >= 1) {
      driver.exec(`
        INSERT INTO agents (id, name, emoji, status, created_at, updated_at) VALUES ('main', 'Main', '🤖', 'idle', ${T0}, ${T0});
        INSERT INTO tasks (id, title, description, priority, status, assigned_agent_id, session_key, created_at, updated_at)
          VALUES ('task-old-1', 'Old task', 'from v${version}', 'high', 'in_progress', 'main', 'agent:main:old', ${T0}, ${T0}),
                 ('task-old-2', 'Inbox task', '', 'normal', 'inbox', NULL, NULL, ${T0 + 1}, ${T0 + 1});
        INSERT INTO task_events (task_id, actor, type, payload, created_at) VALUES ('task-old-1', 'op', 'created', '{}', ${T0});
        INSERT INTO sessions (key, agent_id, data, cached_at) VALUES ('agent:main:old', 'main', '{"key":"agent:main:old"}', ${T0});
        INSERT INTO gateway_history (state, code, at) VALUES ('failed', 'PAIRING_REQUIRED', ${T0});
      `);
    }
    if (version >= 2) {
      // From version 5 on the outbox names its session in a column of its own.
      const session = version >= 5 ? ["session_key, ", "'agent:main:old', "] : ["", ""];
      driver.exec(`
        UPDATE tasks SET attempt = 1 WHERE id = 'task-old-1';
        INSERT INTO outbox (task_id, ${session[0]}idempotency_key, kind, payload, state, attempts, next_attempt_at, created_at, updated_at)
          VALUES ('task-old-1', ${session[1]}'missionctl-task-task-old-1-dispatch-1', 'chat.send', '{"sessionKey":"agent:main:old","message":"m","agentId":"main"}', 'pending', 0, ${T0}, ${T0}, ${T0});
      `);
    }
    if (version >= 4) {
      driver.exec(
        `UPDATE outbox SET redeliveries = 1, send_key = 'missionctl-task-task-old-1-dispatch-1-r1', gateway_boot = 'boot-1' WHERE task_id = 'task-old-1'`,
      );
    }
  } finally {
    driver.close();
  }
  return path;
}

describe("migrations", () => {
  it("has more than one version, numbered 1..N in order", () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  for (let from = 0; from < MIGRATIONS.length; from++) {
    it(`upgrades a populated version-${from} database to the latest, keeping its data`, () => {
      const path = populatedDatabaseAt(from);
      const logs: Record<string, unknown>[] = [];
      const store = openStore({ path, env: {}, logger: (line) => logs.push(line) });
      try {
        expect(store.schemaVersion).toBe(SCHEMA_VERSION);
        expect(logs[0]?.migrationsApplied).toEqual(MIGRATIONS.filter((m) => m.version > from).map((m) => m.version));
        expect(store.integrityCheck()).toBe("ok");
        if (from >= 1) {
          expect(store.tasks.get("task-old-1")).toMatchObject({
            title: "Old task",
            description: `from v${from}`,
            priority: "high",
            status: "in_progress",
            assignedAgentId: "main",
            attempt: from >= 2 ? 1 : 0,
          });
          expect(store.tasks.list({ status: "in_progress", agentId: "main" }).items.map((t) => t.id)).toEqual([
            "task-old-1",
          ]);
          expect(store.taskEvents.list("task-old-1")).toHaveLength(1);
          expect(store.agents.get("main")).toMatchObject({ name: "Main", emoji: "🤖", lastSeenAt: null });
          expect(store.sessions.list().map((s) => s.key)).toEqual(["agent:main:old"]);
          expect(store.gatewayHistory.list()).toEqual([expect.objectContaining({ code: "PAIRING_REQUIRED" })]);
          expect(store.outbox.listByTask("task-old-1")).toHaveLength(from >= 2 ? 1 : 0);
          if (from >= 2) {
            const [old] = store.outbox.listBySession("agent:main:old");
            expect(old).toMatchObject({ taskId: "task-old-1", sessionKey: "agent:main:old", state: "pending" });
            expect(store.outbox.getByKey("missionctl-task-task-old-1-dispatch-1")?.id).toBe(old!.id);
            // Delivery's columns (version 4) survive the outbox's rebuild in version 5.
            if (from >= 4)
              expect(old).toMatchObject({
                redeliveries: 1,
                sendKey: "missionctl-task-task-old-1-dispatch-1-r1",
                gatewayBoot: "boot-1",
              });
          }
          expect(store.tasks.get("task-old-1").statusReason).toBeNull();
          // The upgraded data works with today's lifecycle.
          store.tasks.transition("task-old-1", "review", { actor: "op" });
          const { outbox } = store.tasks.dispatch("task-old-1", {
            actor: "op",
            message: "again",
            sessionKey: "agent:main:old",
          });
          expect(outbox.idempotencyKey).toBe(`missionctl-task-task-old-1-dispatch-${from >= 2 ? 2 : 1}`);
        }
      } finally {
        store.close();
      }
      // Reopening applies nothing.
      const logs2: Record<string, unknown>[] = [];
      openStore({ path, env: {}, logger: (line) => logs2.push(line) }).close();
      expect(logs2[0]?.migrationsApplied).toEqual([]);
    });
  }

  it("rolls a failing migration back entirely and keeps the previous version", () => {
    const path = populatedDatabaseAt(SCHEMA_VERSION);
    const driver = openDriver(path);
    try {
      const broken = {
        version: SCHEMA_VERSION + 1,
        name: "broken",
        sql: "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);",
      };
      let error: unknown;
      try {
        migrate(driver, { migrations: [...MIGRATIONS, broken] });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: "MIGRATION_FAILED", schemaVersion: SCHEMA_VERSION + 1 });
      expect((error as Error).cause).toBeDefined();
      expect(readSchemaVersion(driver)).toBe(SCHEMA_VERSION);
      expect(driver.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    } finally {
      driver.close();
    }
  });

  it("refuses a database written by a newer version without changing a byte", () => {
    const path = populatedDatabaseAt(SCHEMA_VERSION);
    const driver = openDriver(path);
    driver.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    driver.close();
    const before = readFileSync(path);
    const filesBefore = readdirSync(join(path, "..")).sort();
    for (let i = 0; i < 2; i++) {
      let error: unknown;
      try {
        openStore({ path, env: {}, logger: () => {} });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({
        code: "NEWER_SCHEMA",
        schemaVersion: SCHEMA_VERSION + 5,
        supportedVersion: SCHEMA_VERSION,
      });
      expect((error as Error).message).toMatch(/newer mc-store .* not modified — upgrade @missionctl\/mc-store/);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(join(path, "..")).sort()).toEqual(filesBefore);
  });

  it("refuses another application's database (tables, no schema version) without changing a byte", () => {
    const path = freshPath();
    const driver = openDriver(path);
    // The shape of the Mission Control this replaces: same default file name, its own tables.
    driver.exec(
      "CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT); CREATE TABLE tasks (id TEXT PRIMARY KEY, title TEXT); INSERT INTO tasks VALUES ('t1', 'old');",
    );
    driver.close();
    const before = readFileSync(path);
    let error: unknown;
    try {
      openStore({ path, env: {}, logger: () => {} });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: "FOREIGN_DATABASE", path });
    expect((error as Error).message).toContain("tasks, workspaces");
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
