import { defineConfig } from "tsup";
import { BROWSER_BUILD } from "./src/ui/browser-build.js";

export default defineConfig([
  // import.meta.url locates dist/ui/app.js; the shim gives the CJS build a real one.
  // esbuild stays a dev dependency: only a checkout without dist/ui/app.js bundles (ui/bundle.ts).
  {
    entry: { index: "src/index.ts", "local-gateway": "src/local-gateway/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    target: "node20",
    sourcemap: false,
    shims: true,
    external: ["esbuild"],
    // @missionctl/shared (private, never published) is bundled.
    noExternal: ["@missionctl/shared"],
  },
  {
    entry: { bin: "src/bin.ts" },
    format: ["esm"],
    dts: false,
    target: "node20",
    external: ["esbuild"],
    noExternal: ["@missionctl/shared"],
    banner: { js: "#!/usr/bin/env node" },
  },
  // The dashboard's browser code: one self-contained script (hono/jsx included).
  {
    entry: { [BROWSER_BUILD.output.replace(/\.js$/, "")]: `src/ui/${BROWSER_BUILD.entry}` },
    format: [BROWSER_BUILD.esbuild.format],
    platform: BROWSER_BUILD.esbuild.platform,
    target: BROWSER_BUILD.esbuild.target,
    minify: BROWSER_BUILD.esbuild.minify,
    dts: false,
    sourcemap: false,
    noExternal: [/.*/],
    outExtension: () => ({ js: ".js" }),
    esbuildOptions(options) {
      options.jsx = BROWSER_BUILD.esbuild.jsx;
      options.jsxImportSource = BROWSER_BUILD.esbuild.jsxImportSource;
    },
  },
]);
