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
  // The CLI is an entry of the ESM build so it shares the library's chunks instead of carrying a
  // second copy of it (it did: 175 KB, the tarball went over its budget). Its hashbang comes from
  // src/cli/bin.ts; dts only for the library entries.
  {
    entry: { ...entry, cli: "src/cli/bin.ts" },
    format: ["esm"],
    dts: { entry },
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
]);
