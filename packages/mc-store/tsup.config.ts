import { defineConfig } from "tsup";

export default defineConfig({
  // lifecycle: the dependency-free subpath the dashboard's browser code imports.
  entry: { index: "src/index.ts", lifecycle: "src/lifecycle.ts" },
  format: ["esm", "cjs"],
  dts: true,
  target: "node20",
  // The drivers use createRequire(import.meta.url); the shim gives the CJS build a real URL.
  shims: true,
  // bun:sqlite only exists under Bun; the driver loads it lazily.
  external: ["bun:sqlite", "better-sqlite3"],
  // @missionctl/shared (private, never published) is bundled.
  noExternal: ["@missionctl/shared"],
});
