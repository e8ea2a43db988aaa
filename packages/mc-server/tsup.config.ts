import { defineConfig } from "tsup";
import { BROWSER_BUILD } from "./src/ui/browser-build.js";

const libraryEntry = { index: "src/index.ts", "local-gateway": "src/local-gateway/index.ts" };

export default defineConfig([
  // import.meta.url locates dist/ui/app.js; the shim gives the CJS build a real one.
  // esbuild stays a dev dependency: only a checkout without dist/ui/app.js bundles (ui/bundle.ts).
  // The bin is an entry of the ESM build so it shares the server's chunks instead of carrying a
  // second copy of it (it did: 252 KB, the tarball went over its budget). Its hashbang comes from
  // src/bin.ts; dts only for the library entries.
  {
    entry: { ...libraryEntry, bin: "src/bin.ts" },
    format: ["esm"],
    dts: { entry: libraryEntry },
    target: "node20",
    sourcemap: false,
    shims: true,
    external: ["esbuild"],
    // @missionctl/shared (private, never published) is bundled.
    noExternal: ["@missionctl/shared"],
  },
  {
    entry: libraryEntry,
    format: ["cjs"],
    dts: true,
    target: "node20",
    sourcemap: false,
    // One copy of the local-gateway code shared by both entries (one McServerError class).
    splitting: true,
    shims: true,
    external: ["esbuild"],
    noExternal: ["@missionctl/shared"],
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
