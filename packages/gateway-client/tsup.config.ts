import { defineConfig } from "tsup";

// The main entry and its subpaths (package.json "exports"): one build each for ESM and CJS, with
// code splitting so the entries share one copy of every module (one GatewayError class).
const entry = {
  index: "src/index.ts",
  protocol: "src/protocol/index.ts",
  hints: "src/hints.ts",
  legacy: "src/legacy.ts",
};

// @missionctl/shared (private, never published) is bundled into every build.
export default defineConfig([
  {
    entry,
    format: ["esm"],
    dts: true,
    target: "node20",
    sourcemap: false,
    noExternal: ["@missionctl/shared"],
  },
  // @noble/ed25519 v3 is ESM-only: bundle it into the CommonJS build so `require()` works on every
  // Node 20 (require(esm) only exists from 20.19).
  {
    entry,
    format: ["cjs"],
    dts: true,
    target: "node20",
    sourcemap: false,
    splitting: true,
    noExternal: ["@noble/ed25519", "@missionctl/shared"],
  },
  {
    entry: { cli: "src/cli/bin.ts" },
    format: ["esm"],
    dts: false,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    noExternal: ["@missionctl/shared"],
  },
]);
