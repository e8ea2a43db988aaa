import { isIP } from "node:net";
import {
  checkServerIdentity,
  connect,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from "node:tls";
import { GatewayError, type GatewayErrorCode } from "../errors.js";
import { tlsFailureCode } from "../tls-errors.js";
import { normalizeFingerprint } from "../transport.js";
import type { TlsOptions } from "../types.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseStep } from "./types.js";

const DAY_MS = 86_400_000;
/** Certificates closer than this to expiry get a warning (Caddy renews at 2/3 of the lifetime). */
const EXPIRY_WARN_DAYS = 14;

function name(cert: PeerCertificate | undefined): string {
  if (!cert) return "?";
  const subject = cert.subject as unknown as Record<string, string> | undefined;
  // ACME and Caddy-internal leaves carry only a subjectAltName.
  return (
    subject?.CN ??
    subject?.O ??
    (cert.subjectaltname ? cert.subjectaltname.replace(/IP Address:|DNS:/g, "") : "(no subject)")
  );
}

/** Common names from the leaf up; a root the server did not send is named from the last issuer. */
function chainOf(cert: DetailedPeerCertificate): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = cert;
  let top: DetailedPeerCertificate = cert;
  while (c?.fingerprint256 && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(name(c));
    top = c;
    c = c.issuerCertificate;
  }
  const issuer = (top.issuer as unknown as Record<string, string> | undefined)?.CN;
  const selfSigned = top.issuerCertificate?.fingerprint256 === top.fingerprint256;
  if (!selfSigned && issuer) out.push(`${issuer} (not sent)`);
  return out;
}

function handshake(host: string, port: number, tls: TlsOptions, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // Verification is done below by hand so that an untrusted certificate can still be described.
    const socket = connect({
      host,
      port,
      servername: tls.servername ?? (isIP(host) ? undefined : host),
      ca: tls.ca,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no TLS handshake within ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
  });
}

/** Layer 4 (wss:// only): the certificate chain, its validity and expiry, the host name, and the pin if any. */
export async function checkTls(
  host: string,
  port: number,
  tls: TlsOptions = {},
  timeoutMs: number,
): Promise<DiagnoseStep> {
  const t0 = performance.now();
  let socket: TLSSocket;
  try {
    socket = await handshake(host, port, tls, timeoutMs);
  } catch (cause) {
    const err = new GatewayError({
      code: "TLS_ERROR",
      subject: `TLS handshake with ${host}:${port}`,
      reason: osReason(cause),
      cause,
    });
    return failed("tls", since(t0), err);
  }
  const ms = since(t0);
  try {
    const cert = socket.getPeerCertificate(true);
    const protocol = socket.getProtocol() ?? "?";
    const validTo = cert.valid_to ? new Date(cert.valid_to) : undefined;
    const daysLeft = validTo ? Math.floor((validTo.getTime() - Date.now()) / DAY_MS) : undefined;
    const chain = chainOf(cert);
    const data: Record<string, unknown> = {
      protocol,
      subject: name(cert),
      issuer: (cert.issuer as unknown as Record<string, string> | undefined)?.CN,
      subjectAltName: cert.subjectaltname,
      validFrom: cert.valid_from,
      validTo: cert.valid_to,
      daysLeft,
      fingerprint256: cert.fingerprint256,
      chain,
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    };
    const hoursLeft = validTo ? (validTo.getTime() - Date.now()) / 3_600_000 : undefined;
    const left =
      hoursLeft === undefined ? "" : hoursLeft < 48 ? ` (${Math.round(hoursLeft)} h left)` : ` (${daysLeft} days left)`;
    const expires = validTo?.toISOString().slice(0, 16).replace("T", " ") ?? "?";
    const describe = `${protocol}, cert ${name(cert)} (chain: ${chain.join(" ← ")}), expires ${expires}${left}`;
    const fail = (code: GatewayErrorCode, reason: string) =>
      failed("tls", ms, new GatewayError({ code, subject: `TLS certificate of ${host}:${port}`, reason }), { data });

    let pinned = false;
    if (tls.fingerprint) {
      const want = normalizeFingerprint(tls.fingerprint);
      if (!want) {
        return failed(
          "tls",
          ms,
          new GatewayError({
            code: "INVALID_OPTIONS",
            layer: "tls",
            subject: "option tls.fingerprint",
            reason: "is not a SHA-256 fingerprint (64 hex digits, colons optional, or sha256/<base64>)",
          }),
          { data },
        );
      }
      if (want !== cert.fingerprint256) {
        return fail(
          "TLS_FINGERPRINT_MISMATCH",
          `SHA-256 fingerprint ${cert.fingerprint256} ≠ pinned ${want}; ${describe}`,
        );
      }
      pinned = true;
    }
    const warnings: string[] = [];
    if (validTo && validTo.getTime() < Date.now()) {
      return fail(
        "TLS_EXPIRED",
        `CERT_HAS_EXPIRED: certificate ${name(cert)} expired on ${validTo.toISOString()}; ${describe}`,
      );
    }
    // Node folds its own host-name check into authorizationError when the chain is fine; that
    // case is reported by the explicit check below, with the names involved.
    const authError = socket.authorizationError ? String(socket.authorizationError) : undefined;
    const verifyError = authError === "ERR_TLS_CERT_ALTNAME_INVALID" ? undefined : authError;
    if (verifyError && !pinned) {
      if (tls.rejectUnauthorized === false) {
        warnings.push(
          `certificate not verified (${verifyError}) and verification is turned off: anyone on the path can impersonate the gateway`,
        );
      } else if (tlsFailureCode(verifyError) === "TLS_EXPIRED") {
        return fail("TLS_EXPIRED", `${verifyError}: ${describe}`);
      } else {
        const code: GatewayErrorCode = tlsFailureCode(verifyError) === "TLS_UNTRUSTED" ? "TLS_UNTRUSTED" : "TLS_ERROR";
        return fail(
          code,
          `${verifyError}: certificate ${name(cert)} issued by ${chain.slice(1).join(" ← ") || "itself"} is ` +
            `not trusted by this client; ${describe}`,
        );
      }
    }
    const idError = checkServerIdentity(tls.servername ?? host, cert);
    if (idError && !pinned) {
      if (tls.rejectUnauthorized === false) warnings.push(`host name not verified: ${idError.message}`);
      else
        return fail(
          "TLS_HOSTNAME_MISMATCH",
          `${(idError as NodeJS.ErrnoException).code ?? "ERR_TLS_CERT_ALTNAME_INVALID"}: ${idError.message}`,
        );
    }
    if (daysLeft !== undefined && daysLeft < EXPIRY_WARN_DAYS && !isShortLived(cert)) {
      warnings.push(`certificate expires in ${daysLeft} days`);
    }
    const extra: Partial<DiagnoseStep> = { data };
    if (warnings.length) {
      extra.warning = warnings.join("; ");
      extra.hint =
        tls.rejectUnauthorized === false && verifyError
          ? "Trust the proxy's CA with --ca <root.crt> (tls.ca) or pin the certificate (tls.fingerprint) instead " +
            "of turning verification off."
          : "Renew the certificate before it expires (check the proxy's ACME/renewal logs).";
    }
    return passed("tls", ms, `${describe}${pinned ? ", fingerprint pinned" : ", trusted"}`, extra);
  } finally {
    socket.destroy();
  }
}

/** Caddy's internal CA issues 12-hour leaves and renews them itself: a short lifetime is normal there. */
function isShortLived(cert: PeerCertificate): boolean {
  const from = Date.parse(cert.valid_from);
  const to = Date.parse(cert.valid_to);
  return Number.isFinite(from) && Number.isFinite(to) && to - from <= 7 * DAY_MS;
}
