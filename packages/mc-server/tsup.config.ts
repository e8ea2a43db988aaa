import { defineConfig } from "tsup";

export default defineConfig([
  { entry: { index: "src/index.ts" }, format: ["esm", "cjs"], dts: true, target: "node20", sourcemap: false },
  {
    entry: { bin: "src/bin.ts" },
    format: ["esm"],
    dts: false,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
