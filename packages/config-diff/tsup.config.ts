import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };
const define = { __CONFIG_DIFF_VERSION__: JSON.stringify(version) };

export default defineConfig([
  { entry: { index: "src/index.ts" }, format: ["esm", "cjs"], dts: true, target: "node20", sourcemap: false, define },
  {
    entry: { cli: "src/cli/bin.ts" },
    format: ["esm"],
    dts: false,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    define,
  },
]);
