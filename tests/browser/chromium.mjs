// Debian's Chromium for the browser tests and the session-page benchmark: headless, with nothing
// that reaches beyond loopback (updates, sync, QUIC, background requests). One list, used by the
// TypeScript tests (through packages/mc-server/tests/helpers.ts) and the .mjs benchmarks alike.
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

/** Launches Chromium (Playwright gives it a fresh temporary profile, removed on close). */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
