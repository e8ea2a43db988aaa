import type { DiagnoseStep } from "../doctor/types.js";
import type { GatewayError } from "../errors.js";
import { CODE_HINTS, DETAIL_CODE_HINTS, NO_CREDENTIALS_HINT } from "../hints.js";

/**
 * The library's hints name library options (`token`, `tls.ca`, `identity`…); a CLI user sets
 * flags. Each entry replaces the library sentence it translates, and only that sentence: hints
 * computed for one case (a pairing request id, an HTTP status) are kept as they are.
 */
const CLI_HINTS = new Map<string, string>([
  [
    NO_CREDENTIALS_HINT,
    "No token or password was sent, and this gateway lets a client in only with its shared credential: " +
      "pass --token-file <file> (or set OPENCLAW_GATEWAY_TOKEN), or --password-file <file> if the gateway " +
      "uses password auth.",
  ],
  [
    CODE_HINTS.AUTH_TOKEN_MISSING,
    "The gateway requires a token and none was sent: pass --token-file <file> (or set " +
      "OPENCLAW_GATEWAY_TOKEN), or --password-file <file> if the gateway uses password auth.",
  ],
  [
    DETAIL_CODE_HINTS.AUTH_REQUIRED!,
    "The gateway requires credentials: pass --token-file <file> (or set OPENCLAW_GATEWAY_TOKEN), or --password-file <file>.",
  ],
  [
    DETAIL_CODE_HINTS.AUTH_PASSWORD_MISSING!,
    "The gateway uses password auth: pass --password-file <file> (or set OPENCLAW_GATEWAY_PASSWORD).",
  ],
  [
    DETAIL_CODE_HINTS.DEVICE_IDENTITY_REQUIRED!,
    "This gateway requires a device identity: create one with `missionctl-gateway identity create` and " +
      "pass --identity-dir <dir> (drop --device-less).",
  ],
  [
    DETAIL_CODE_HINTS.CONTROL_UI_DEVICE_IDENTITY_REQUIRED!,
    "Control-UI client ids need a device identity: pass --identity-dir <dir>, or use --client-id gateway-client for a server-side client.",
  ],
  [
    CODE_HINTS.INSECURE_URL,
    "Use wss:// for a host that is not loopback, private, .local or .ts.net, or pass --allow-insecure-ws if the network is trusted.",
  ],
  [
    CODE_HINTS.TLS_UNTRUSTED,
    "The server certificate is not trusted: pass its CA with --ca <file> (e.g. Caddy's local CA " +
      "root.crt) or pin it with --fingerprint <sha256>.",
  ],
  [
    CODE_HINTS.TLS_HOSTNAME_MISMATCH,
    "The certificate does not name this host: connect with the name on the certificate or pass --servername <name>.",
  ],
  [
    CODE_HINTS.TLS_FINGERPRINT_MISMATCH,
    "The certificate's SHA-256 fingerprint differs from --fingerprint: update the pin if the certificate " +
      "was renewed on purpose, otherwise treat it as an interception.",
  ],
  [
    CODE_HINTS.ORIGIN_NOT_ALLOWED,
    "The Origin header is not allowed: drop --origin (server-side clients need none) or add it to gateway.controlUi.allowedOrigins.",
  ],
  [
    CODE_HINTS.MISSING_SCOPE,
    "This method needs a scope the connection does not have: add it with --scopes (and approve the device for it).",
  ],
  [
    CODE_HINTS.REQUEST_TIMEOUT,
    "The gateway did not answer in time: raise --timeout for slow methods or check the gateway's load and logs.",
  ],
]);

/** The fix worded for the command line. */
export function cliHint(hint: string): string {
  return CLI_HINTS.get(hint) ?? hint;
}

/** The error as the CLI prints it: its hint, and the hint at the end of its message, for the command line. */
export function errorForCli(err: GatewayError): { message: string; hint: string; json: Record<string, unknown> } {
  const hint = cliHint(err.hint);
  const message = hint === err.hint ? err.message : err.message.replace(` — ${err.hint}`, ` — ${hint}`);
  return { message, hint, json: { ...err.toJSON(), message, hint } };
}

/** A doctor step with its fix worded for the command line. */
export function stepForCli(step: DiagnoseStep): DiagnoseStep {
  return step.hint ? { ...step, hint: cliHint(step.hint) } : step;
}
