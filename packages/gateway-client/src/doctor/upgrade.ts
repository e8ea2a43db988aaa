import type { UpgradeResponseSummary } from "../transport.js";

const SHOWN_HEADERS = ["server", "via", "content-type", "upgrade", "connection", "alt-svc", "location", "www-authenticate"];

/**
 * One line for what answered the upgrade instead of `101 Switching Protocols`: status line, the
 * headers that tell who answered (server, via, content-type…) and the start of the body, which
 * is where a proxy or the gateway says why.
 */
export function describeUpgradeResponse(r: UpgradeResponseSummary): string {
  const headers = r.headers ?? {};
  const shown = SHOWN_HEADERS.filter((h) => headers[h] !== undefined)
    .map((h) => `${h}: ${String(headers[h])}`)
    .join("; ");
  const body = (r.body ?? "").replace(/\s+/g, " ").trim().slice(0, 200);
  return `HTTP/${r.httpVersion} ${r.status} ${r.statusText}`.trim() + " instead of 101 Switching Protocols" + (shown ? ` (${shown})` : "") + (body ? `; body: ${body}` : "");
}

export function upgradeResponseOf(details: Record<string, unknown> | undefined): UpgradeResponseSummary | undefined {
  const r = details?.response as UpgradeResponseSummary | undefined;
  return r && typeof r === "object" && typeof r.status === "number" ? r : undefined;
}
