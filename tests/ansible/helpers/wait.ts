// Polls until a probe answers (anything but undefined), bounded in time; on timeout the error
// names what was awaited, the probe's last error and whatever `context()` adds (a log tail).
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  opts: { intervalMs?: number; context?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(opts.intervalMs ?? 500);
  }
  throw new Error(
    `timed out waiting for ${what} (${timeoutMs} ms); last error: ${String(last)}\n${opts.context?.() ?? ""}`,
  );
}
