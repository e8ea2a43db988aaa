import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// In-repo tests import the workspace packages from source, so a test never runs
// against a stale dist/. The consumer tests (tests/consumer) check the built tarballs.
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));
const file = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));
// Subpaths first: an alias also matches "<name>/…", so the package name alone must come last.
const alias = {
  "@missionctl/gateway-client/protocol": file("gateway-client/src/protocol/index.ts"),
  "@missionctl/gateway-client/hints": file("gateway-client/src/hints.ts"),
  "@missionctl/gateway-client/legacy": file("gateway-client/src/legacy.ts"),
  "@missionctl/mc-store/lifecycle": file("mc-store/src/lifecycle.ts"),
  "@missionctl/shared": src("shared"),
  "@missionctl/mc-server/local-gateway": file("mc-server/src/local-gateway/index.ts"),
  "@missionctl/gateway-client": src("gateway-client"),
  "@missionctl/mc-store": src("mc-store"),
  "@missionctl/config-diff": src("config-diff"),
  "@missionctl/mc-server": src("mc-server"),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts"],
          testTimeout: 20_000,
          // Run with --no-isolate (scripts/test.sh, npm run test:unit): one module graph per worker
          // instead of one per file. vitest takes `isolate` from the command line or the root config
          // only (a project's is ignored, as its pool sizes are).
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["packages/*/tests/**/*.test.ts", "tests/**/*.test.ts"],
          exclude: ["tests/consumer/**", "tests/realhost/**", "**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The gateways several files share (tests/peer/shared-peer.mjs), booted on first use.
          globalSetup: ["tests/peer/shared-peer-setup.ts"],
          // MC_TEST_CPU_LOG=<file>: each file's CPU (its fork and what it reaped) — scripts/test.sh.
          setupFiles: ["tests/peer/cpu-per-file.ts"],
          // How many files at a time is set by scripts/test.sh (--poolOptions.forks.maxForks=2):
          // vitest reads pool sizes from the root config only, a project's poolOptions are ignored.
          pool: "forks",
        },
      },
      {
        // Two Debian 12 hosts with systemd (systemd-nspawn), the play over SSH; root only, needs `npm run build`.
        test: {
          name: "realhost",
          include: ["tests/realhost/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          pool: "forks",
        },
      },
      {
        // The packed tarballs in a fresh project outside the workspace; needs `npm run build` first.
        test: {
          name: "consumer",
          include: ["tests/consumer/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 900_000,
          pool: "forks",
        },
      },
    ],
  },
});
