// Issue 13: the database (task text, prompts, agent replies) was created 0644, readable by every
// local user. The real driver of this runtime opens it (better-sqlite3 on Node, bun:sqlite on Bun).
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "mc-store-modes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe.skipIf(process.platform === "win32")("database file modes", () => {
  it("creates the folder 0700 and the database, -wal and -shm 0600 under a permissive umask", () => {
    const previous = process.umask(0o022);
    try {
      const path = join(root, "fresh", "nested", "mission-control.db");
      const store = openStore({ path, env: {}, logger: () => {} });
      store.tasks.create({ title: "secret plans", description: "the agent's reply", actor: "test" });
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(existsSync(`${path}-shm`)).toBe(true);
      expect(mode(join(root, "fresh"))).toBe(0o700);
      expect(mode(join(root, "fresh", "nested"))).toBe(0o700);
      expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual([0o600, 0o600, 0o600]);
      store.close();
    } finally {
      process.umask(previous);
    }
  });

  it("makes an existing world-readable database of ours owner-only, and says so", () => {
    const dir = join(root, "old");
    const path = join(dir, "mc.db");
    const previous = process.umask(0o022);
    try {
      openStore({ path, env: {}, logger: () => {} }).close();
      // What an older version left: SQLite then creates -wal and -shm 0644 too, from the file's mode.
      chmodSync(path, 0o644);
      const logs: Record<string, unknown>[] = [];
      const store = openStore({ path, env: {}, logger: (l) => logs.push(l) });
      store.tasks.create({ title: "x", actor: "test" });
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      expect(logs.find((l) => l.level === "warn")).toMatchObject({
        msg: "database files were readable by other users: made owner-only (0600)",
        files: expect.arrayContaining([path]),
      });
      store.close();
    } finally {
      process.umask(previous);
    }
  });
});
