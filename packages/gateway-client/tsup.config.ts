import { defineConfig } from "tsup";

export default defineConfig([
  { entry: { index: "src/index.ts" }, format: ["esm"], dts: true, target: "node20", sourcemap: false },
  // @noble/ed25519 v3 is ESM-only: bundle it into the CommonJS build so `require()` works on every
  // Node 20 (require(esm) only exists from 20.19).
  {
    entry: { index: "src/index.ts" },
    format: ["cjs"],
    dts: true,
    target: "node20",
    sourcemap: false,
    noExternal: ["@noble/ed25519"],
  },
  {
    entry: { cli: "src/cli/bin.ts" },
    format: ["esm"],
    dts: false,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
