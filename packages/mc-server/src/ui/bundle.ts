import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { McServerError } from "../errors.js";
import { BROWSER_BUILD } from "./browser-build.js";

/** The dashboard's browser code (src/ui/browser/, TypeScript), as one script. */
export interface ClientBundle {
  code: string;
  /** The first 16 hex digits of its SHA-256: the cache key in its URL. */
  hash: string;
}

let loading: Promise<ClientBundle> | undefined;

/**
 * The built bundle (dist/ui/app.js); from source (tests, development) it is bundled on first use
 * with esbuild, a dev dependency the published package never needs.
 */
export function clientBundle(): Promise<ClientBundle> {
  loading ??= load().catch((err) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(): Promise<ClientBundle> {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, BROWSER_BUILD.output);
  const code = existsSync(built) ? await readFile(built, "utf8") : await bundleFromSource(here);
  return { code, hash: createHash("sha256").update(code).digest("hex").slice(0, 16) };
}

async function bundleFromSource(here: string): Promise<string> {
  const entry = join(here, BROWSER_BUILD.entry);
  if (!existsSync(entry)) {
    throw new McServerError(
      "UI_BUNDLE_MISSING",
      "dashboard",
      `the browser bundle ${join(here, BROWSER_BUILD.output)} is missing`,
      "reinstall @missionctl/mc-server (its dist/ui/app.js is part of the package), or run `npm run build` in a checkout",
    );
  }
  // A dev dependency: present in a checkout, never needed by an installed package.
  const { build } = await import("esbuild");
  const out = await build({
    ...BROWSER_BUILD.esbuild,
    entryPoints: [entry],
    write: false,
    logLevel: "silent",
    alias: lifecycleFromSource(),
  });
  return out.outputFiles[0]!.text;
}

/** In a checkout, mc-store's lifecycle from its source too: its dist/ may be stale or not built. */
function lifecycleFromSource(): Record<string, string> {
  const pkg = createRequire(import.meta.url).resolve("@missionctl/mc-store/package.json");
  const source = join(dirname(pkg), "src", "lifecycle.ts");
  return existsSync(source) ? { "@missionctl/mc-store/lifecycle": source } : {};
}
