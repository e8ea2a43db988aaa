import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type OpenStoreOptions, openStore, type Store } from "../src/store.js";

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
