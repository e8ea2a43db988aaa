import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { bundleStore, runFixture, tempDir } from "./helpers.js";
import { expectedDriver } from "./temp-store.js";

let bundle: string;
const dirs: string[] = [];
beforeAll(async () => {
  bundle = await bundleStore();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  rmSync(join(bundle, ".."), { recursive: true, force: true });
});

describe("a writer killed with SIGKILL mid-stream", () => {
  it("leaves an intact database holding every acknowledged write and no partial transaction", async () => {
    const dir = tempDir("mc-store-crash-");
    dirs.push(dir);
    const path = join(dir, "mc.db");

    const child = runFixture("writer.mjs", [bundle, path, "crash", "0"]);
    await child.waitFor((lines) => lines.filter((line) => line.startsWith("ok ")).length >= 300);
    child.proc.kill("SIGKILL");
    const exit = await child.exited;
    expect(exit.signal).toBe("SIGKILL");
    expect(child.lines[0]).toBe(`ready ${expectedDriver()}`);
    const acknowledged = child.lines.filter((line) => line.startsWith("ok ")).map((line) => line.slice(3));

    const store = openStore({ path, env: {}, logger: () => {} });
    try {
      expect(store.integrityCheck()).toBe("ok");
      for (const id of acknowledged) expect(store.tasks.get(id).status).toBe("in_progress");

      const tasks = store.tasks.list({ limit: 500 });
      let all = tasks.items;
      for (let page = tasks; page.nextCursor; ) {
        page = store.tasks.list({ limit: 500, cursor: page.nextCursor });
        all = all.concat(page.items);
      }
      // A commit may land between the last "ok" and the kill, never more than one.
      expect(all.length - acknowledged.length).toBeGreaterThanOrEqual(0);
      expect(all.length - acknowledged.length).toBeLessThanOrEqual(1);
      for (const task of all) {
        expect(task.status).toBe("in_progress");
        expect(store.taskEvents.list(task.id).map((event) => event.type)).toEqual(["created", "dispatched"]);
        expect(store.outbox.listByTask(task.id)).toHaveLength(1);
      }
      expect(store.outbox.list({ limit: 10_000 })).toHaveLength(all.length);
    } finally {
      store.close();
    }
  });
});
