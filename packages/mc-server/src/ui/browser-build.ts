/**
 * How the dashboard's browser code is bundled, in one place: by the package build (tsup.config.ts,
 * into dist/ui/app.js) and, when the server runs from source, on first use (ui/bundle.ts).
 */
export const BROWSER_BUILD = {
  /** Relative to src/ui/. */
  entry: "browser/main.ts",
  /** Relative to dist/ (next to index.js and bin.js, which look for it there). */
  output: "ui/app.js",
  esbuild: {
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
  },
} as const;
