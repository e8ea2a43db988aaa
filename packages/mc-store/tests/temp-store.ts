import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DriverName } from "../src/driver/index.js";
import { type OpenStoreOptions, openStore, type Store } from "../src/store.js";

/**
 * The driver a store opened on this runtime must use, stated independently of the code
 * under test: bun:sqlite on Bun, node:sqlite on Node >= 22.13 (and 23.4+), else better-sqlite3.
 */
export function expectedDriver(): DriverName {
  if (typeof (process.versions as Record<string, string | undefined>).bun === "string") return "bun:sqlite";
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13) ? "node:sqlite" : "better-sqlite3";
}

/** A store in a fresh temp folder, with log lines captured instead of printed. */
export function tempStore(options: OpenStoreOptions = {}): {
  store: Store;
  dir: string;
  path: string;
  logs: Record<string, unknown>[];
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "mc-store-"));
  const path = join(dir, "mc.db");
  const logs: Record<string, unknown>[] = [];
  const store = openStore({ path, env: {}, logger: (line) => logs.push(line), ...options });
  return {
    store,
    dir,
    path,
    logs,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function seedAgents(store: Store, ids: string[] = ["main", "coder"]): void {
  store.agents.upsertMany(ids.map((id) => ({ id, name: id.toUpperCase() })));
}
