import type { GatewayError } from "../errors.js";
import type { UpgradeResponseSummary } from "../transport.js";
import { errorData, failed, passed } from "./step.js";
import type { DiagnoseStep } from "./types.js";

const SHOWN_HEADERS = [
  "server",
  "via",
  "content-type",
  "upgrade",
  "connection",
  "alt-svc",
  "location",
  "www-authenticate",
];

/**
 * One line for what answered the upgrade instead of `101 Switching Protocols`: status line, the
 * headers that tell who answered (server, via, content-type…) and the start of the body, which
 * is where a proxy or the gateway says why.
 */
function describeUpgradeResponse(r: UpgradeResponseSummary): string {
  const headers = r.headers ?? {};
  const shown = SHOWN_HEADERS.filter((h) => headers[h] !== undefined)
    .map((h) => `${h}: ${String(headers[h])}`)
    .join("; ");
  const body = (r.body ?? "").replace(/\s+/g, " ").trim().slice(0, 200);
  return (
    `HTTP/${r.httpVersion} ${r.status} ${r.statusText}`.trim() +
    " instead of 101 Switching Protocols" +
    (shown ? ` (${shown})` : "") +
    (body ? `; body: ${body}` : "")
  );
}

function upgradeResponseOf(details: Record<string, unknown> | undefined): UpgradeResponseSummary | undefined {
  const r = details?.response as UpgradeResponseSummary | undefined;
  return r && typeof r === "object" && typeof r.status === "number" ? r : undefined;
}

/** Layer 5 passed: the client's socket opened, which `ws` only does on a 101. */
export function upgradeStep(ms: number): DiagnoseStep {
  return passed("upgrade", ms, "HTTP/1.1 101 Switching Protocols");
}

/**
 * Layer 5 failed. Our own TCP and TLS checks passed, so whatever stopped the client before its
 * socket opened (an HTTP answer, a reset, a timeout) is reported here, with the response if any.
 */
export function upgradeFailedStep(ms: number, err: GatewayError): DiagnoseStep {
  const response = upgradeResponseOf(err.details);
  if (!response) return failed("upgrade", ms, err, { data: errorData(err) });
  return failed("upgrade", ms, err, {
    detail: describeUpgradeResponse(response),
    data: { ...errorData(err), status: response.status, headers: response.headers, body: response.body?.slice(0, 200) },
  });
}
