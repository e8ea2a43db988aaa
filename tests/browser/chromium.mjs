// Debian's Chromium for the browser tests and the session-page benchmark: headless, with nothing
// that reaches beyond loopback (updates, sync, QUIC, background requests). One list, used by the
// TypeScript tests (through packages/mc-server/tests/helpers.ts) and the .mjs benchmarks alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Chromium with a profile of its own; closing the browser removes it. */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "missionctl-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...extraArgs, `--user-data-dir=${profile}`],
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true });
  };
  return browser;
}
