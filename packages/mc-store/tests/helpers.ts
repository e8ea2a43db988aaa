import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, "..");
export const fixtures = join(here, "fixtures");

/**
 * Child processes run plain JS on the same runtime as the test (Node 20 cannot load
 * TypeScript), so the store's source is bundled once per test file. The bundle lives
 * under the root node_modules/.cache so it resolves better-sqlite3 and zod like the package does.
 */
/** What the package's users install next to it: everything but the bundled @missionctl/shared. */
function publishedDependencies(): string[] {
  const pkg = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));
  return Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies });
}

export async function bundleStore(): Promise<string> {
  const outDir = join(packageRoot, "..", "..", "node_modules", ".cache", "mc-store-tests");
  mkdirSync(outDir, { recursive: true });
  const outfile = join(mkdtempSync(join(outDir, "bundle-")), "mc-store.mjs");
  await build({
    entryPoints: [join(packageRoot, "src", "index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The published dependencies stay external; the private @missionctl/shared is bundled, as tsup does.
    external: ["bun:sqlite", ...publishedDependencies()],
    logLevel: "silent",
  });
  return outfile;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Child {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `predicate` holds for the lines printed so far. */
  waitFor(predicate: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>;
}

/** Runs a fixture script on this very runtime (node or bun: process.execPath). */
export function runFixture(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, [join(fixtures, script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let buffer = "";
  let errText = "";
  const waiters = new Set<() => void>();
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts.filter(Boolean));
    for (const wake of waiters) wake();
  });
  proc.stderr!.setEncoding("utf8");
  proc.stderr!.on("data", (chunk: string) => (errText += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on("close", (code, signal) => {
      if (buffer) lines.push(buffer);
      buffer = "";
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  return {
    proc,
    lines,
    stderr: () => errText,
    exited,
    waitFor(predicate, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; child stderr: ${errText.slice(-2000)}`));
        }, timeoutMs);
        const check = () => {
          if (predicate(lines)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(
              new Error(
                `child exited (${proc.exitCode ?? proc.signalCode}) before the condition held; stderr: ${errText.slice(-2000)}`,
              ),
            );
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
