import { GatewayError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { checkGatewayUrl, isPrivateHost } from "../url-policy.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseStep } from "./types.js";

export interface Target {
  url: URL;
  secure: boolean;
  /** Hostname without IPv6 brackets. */
  host: string;
  port: number;
}

/**
 * Layer 1: the URL parses, uses ws:// or wss://, carries no credential, and ws:// only goes to a
 * loopback/private/.local/.ts.net host — the same policy the client enforces, so a URL the
 * doctor passes is one the client accepts.
 */
export function checkUrl(
  raw: string,
  opts: { allowInsecureWs?: boolean } = {},
): { step: DiagnoseStep; target?: Target } {
  const t0 = performance.now();
  let url: URL;
  try {
    url = checkGatewayUrl(raw, opts);
  } catch (e) {
    const err =
      e instanceof GatewayError
        ? e
        : new GatewayError({
            code: "INVALID_OPTIONS",
            layer: "url",
            subject: `URL ${redactUrl(raw)}`,
            reason: osReason(e),
          });
    return { step: failed("url", since(t0), err) };
  }
  const secure = url.protocol === "wss:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const local = isPrivateHost(host);
  const extra: Partial<DiagnoseStep> = { data: { scheme: secure ? "wss" : "ws", host, port } };
  if (!secure && !local) {
    extra.warning = `ws:// to the public host ${host} is allowed by option: the token crosses the network unencrypted`;
    extra.hint = "Put the gateway behind a TLS proxy and use wss://.";
  }
  const how = secure
    ? "WebSocket over TLS"
    : local
      ? "plain WebSocket to a loopback/private host"
      : "plain WebSocket to a public host";
  return {
    step: passed("url", since(t0), `${url.protocol}//${url.host}${url.pathname}: ${how}`, extra),
    target: { url, secure, host, port },
  };
}
