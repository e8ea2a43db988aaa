import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, SCHEMA_VERSION } from "../src/index.js";
import { bundleStore, runFixture, tempDir } from "./helpers.js";

let bundle: string;
const dirs: string[] = [];
beforeAll(async () => {
  bundle = await bundleStore();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  rmSync(join(bundle, ".."), { recursive: true, force: true });
});

function freshPath(): string {
  const dir = tempDir("mc-store-conc-");
  dirs.push(dir);
  return join(dir, "mc.db");
}

describe("two processes at once", () => {
  it("both write (and migrate a brand-new file) without SQLITE_BUSY escaping", async () => {
    const path = freshPath();
    const count = 300;
    const a = runFixture("writer.mjs", [bundle, path, "a", String(count)]);
    const b = runFixture("writer.mjs", [bundle, path, "b", String(count)]);
    const [exitA, exitB] = await Promise.all([a.exited, b.exited]);
    expect(a.stderr()).toBe("");
    expect(b.stderr()).toBe("");
    expect(exitA.code).toBe(0);
    expect(exitB.code).toBe(0);
    expect(a.lines.at(-1)).toBe("done busy=0");
    expect(b.lines.at(-1)).toBe("done busy=0");

    const store = openStore({ path, env: {}, logger: () => {} });
    try {
      expect(store.integrityCheck()).toBe("ok");
      expect(store.tasks.list({ agentId: "agent-a", limit: 500 }).items).toHaveLength(count);
      expect(store.tasks.list({ agentId: "agent-b", limit: 500 }).items).toHaveLength(count);
      expect(store.outbox.list({ state: "pending", limit: 10_000 })).toHaveLength(2 * count);
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    } finally {
      store.close();
    }
  });

  it("never hands the same outbox item to two workers", async () => {
    const path = freshPath();
    const seed = openStore({ path, env: {}, logger: () => {} });
    seed.agents.upsertMany([{ id: "main" }]);
    const total = 240;
    seed.transaction(() => {
      for (let i = 0; i < total; i++) {
        const task = seed.tasks.create({ title: `t${i}`, assignedAgentId: "main" });
        seed.tasks.dispatch(task.id, { actor: "seed", message: "m", sessionKey: `s${i}` });
      }
    });
    seed.close();

    const w1 = runFixture("claimer.mjs", [bundle, path, "w1"]);
    const w2 = runFixture("claimer.mjs", [bundle, path, "w2"]);
    const [e1, e2] = await Promise.all([w1.exited, w2.exited]);
    expect(w1.stderr()).toBe("");
    expect(w2.stderr()).toBe("");
    expect([e1.code, e2.code]).toEqual([0, 0]);
    const ids = (lines: string[]) =>
      lines.filter((line) => line.startsWith("claimed ")).map((line) => Number(line.slice(8)));
    const c1 = ids(w1.lines);
    const c2 = ids(w2.lines);
    expect(c1.filter((id) => c2.includes(id))).toEqual([]);
    expect(new Set([...c1, ...c2]).size).toBe(total);
    expect(c1.length + c2.length).toBe(total);

    const store = openStore({ path, env: {}, logger: () => {} });
    try {
      expect(store.outbox.list({ state: "sent", limit: 10_000 })).toHaveLength(total);
      expect(store.outbox.list({ state: "pending" })).toEqual([]);
    } finally {
      store.close();
    }
  });
});
