import type { GatewayErrorCode } from "./errors.js";

/**
 * One sentence per failure that states the fix. Looked up most specific first:
 * gateway detail code → HTTP status → close code → our code.
 */
export const CODE_HINTS: Record<GatewayErrorCode, string> = {
  INVALID_OPTIONS:
    "Fix the option named in the message; the client refuses to send a connect the gateway would reject.",
  INSECURE_URL:
    "Use wss:// for a host that is not loopback, private, .local or .ts.net, or set allowInsecureWs: true if the network is trusted.",
  DNS_LOOKUP_FAILED:
    "Check the host name in the gateway URL and that this machine's DNS resolves it (try `getent hosts <host>`).",
  CONNECTION_REFUSED:
    "Nothing listens on that host and port: start the gateway (`openclaw gateway run`) or the reverse " +
    "proxy, and check the port in the URL.",
  CONNECT_TIMEOUT:
    "The host did not answer in time: check that the gateway or proxy is running and that no firewall drops the port.",
  TLS_UNTRUSTED:
    "The server certificate is not trusted: pass its CA with tls.ca (e.g. Caddy's local CA root.crt) or pin it with tls.fingerprint.",
  TLS_HOSTNAME_MISMATCH:
    "The certificate does not name this host: connect with the name on the certificate or set tls.servername to it.",
  TLS_EXPIRED:
    "The server certificate has expired (or the clock is wrong): renew the certificate or fix the system time.",
  TLS_FINGERPRINT_MISMATCH:
    "The certificate's SHA-256 fingerprint differs from tls.fingerprint: update the pin if the " +
    "certificate was renewed on purpose, otherwise treat it as an interception.",
  TLS_ERROR:
    "The TLS handshake failed: check that the URL's port speaks TLS (use ws:// for a plain gateway port) and the proxy's TLS setup.",
  UPGRADE_NOT_SWITCHED:
    "The server answered plain HTTP instead of switching to WebSocket: check the URL path and that the " +
    "proxy forwards the Upgrade header over HTTP/1.1.",
  PROXY_ATTRIBUTION_REQUIRED:
    "The gateway saw X-Forwarded-For from an untrusted proxy: add the proxy's address to gateway.trustedProxies in openclaw.json.",
  CHALLENGE_TIMEOUT:
    "The server accepted the WebSocket but never sent connect.challenge: the URL probably points at " +
    "something other than an OpenClaw gateway, or the gateway is overloaded.",
  AUTH_TOKEN_MISMATCH:
    "The token differs from gateway.auth.token: copy the gateway's current token (OPENCLAW_GATEWAY_TOKEN " +
    "or gateway.auth.token; an unset ${VAR} makes the gateway use a random one).",
  AUTH_TOKEN_MISSING:
    "The gateway requires a token and none was sent: pass the token option (the value of " +
    "gateway.auth.token / OPENCLAW_GATEWAY_TOKEN), or password if the gateway uses password auth.",
  AUTH_SCOPE_MISMATCH:
    "The device token was approved for fewer scopes: request only the approved scopes, or approve the " +
    "scope upgrade with `openclaw devices approve <requestId>`.",
  AUTH_DEVICE_TOKEN_MISMATCH:
    "The stored device token was revoked or rotated: the client dropped it; connect with the shared token to get a new one.",
  AUTH_PASSWORD_MISMATCH: "The password differs from gateway.auth.password: pass the gateway's current password.",
  AUTH_RATE_LIMITED:
    "Too many failed auth attempts from this address: fix the credentials and wait a minute before retrying.",
  DEVICE_SIGNATURE_INVALID:
    "The gateway rejected the device signature: make sure the token sent is the one signed and that " +
    'device.json holds a matching key pair (try signatureVersion "v2" for an old gateway).',
  DEVICE_SIGNATURE_EXPIRED:
    "The signature timestamp is more than 2 minutes off the gateway's clock: sync this machine's clock (NTP).",
  DEVICE_NONCE_MISMATCH: "The signed nonce was not the challenge's: reconnect (a stale challenge was answered).",
  DEVICE_ID_MISMATCH:
    "device.json's deviceId is not sha256(publicKey): the file was edited by hand; restore it or delete " +
    "it to create a new identity (then re-pair).",
  PAIRING_REQUIRED:
    "This device is not approved yet: run `openclaw devices approve <requestId>` on the gateway host, then reconnect.",
  ORIGIN_NOT_ALLOWED:
    "The Origin header is not allowed: remove the origin option (server-side clients need none) or add " +
    "it to gateway.controlUi.allowedOrigins.",
  PROTOCOL_MISMATCH:
    "The gateway speaks protocol 4: set minProtocol ≤ 4 ≤ maxProtocol (the defaults 3..4 work), or upgrade the gateway/client.",
  INVALID_CONNECT_PARAMS:
    "The gateway rejected the connect parameters: fix the field named in the message (client id/mode must be from the gateway's list).",
  GATEWAY_STARTING: "The gateway is still starting: the client retries after the suggested delay; nothing to change.",
  MISSING_SCOPE:
    "This method needs a scope the connection does not have: add it to the scopes option (and approve the device for it).",
  REQUEST_TIMEOUT:
    "The gateway did not answer in time: raise timeoutMs for slow methods or check the gateway's load and logs.",
  REQUEST_ABORTED: "The caller aborted the request through its AbortSignal; nothing to fix.",
  REQUEST_TOO_LARGE: "The request exceeds the gateway's policy.maxPayload: send less data per request (split it).",
  INVALID_PARAMS:
    "Fix the parameter named in the message: the typed method checks params before sending what the gateway would refuse.",
  INVALID_RESPONSE:
    "The gateway answered with a shape this client does not know: check that the gateway runs the " +
    "protocol this client was built for (openclaw 2026.9.x, protocol 4), or upgrade @missionctl/gateway-client.",
  NOT_CONNECTED:
    'Call connect() and wait for it before sending requests (or wait for state "connected" after a reconnect).',
  CONNECTION_CLOSED: "The connection dropped while the request was pending: retry it once the client has reconnected.",
  CLIENT_CLOSED: "close() was called on this client; create a new GatewayClient to connect again.",
  TICK_TIMEOUT:
    "No frame arrived for twice the tick interval: the link or gateway stalled; the client reconnects by " +
    "itself (check proxy idle timeouts).",
  INVALID_FRAME:
    "The server sent something that is not a gateway frame: check that the URL points at the OpenClaw " +
    "gateway and not another WebSocket service.",
  GATEWAY_ERROR: "The gateway refused the request: read the gateway's message and its details for the cause.",
  IDENTITY_INVALID:
    "The identity file is damaged or not a device.json: restore it from a backup, or move it away to " +
    "create a new identity (the device must then be paired again).",
  IDENTITY_PERMISSIONS:
    "The private key file is readable by other users: run `chmod 600 <file>` (and `chmod 700` on its folder).",
};

/**
 * A connect that carried no credential at all, refused for wanting one (the gateway says
 * DEVICE_IDENTITY_REQUIRED to a device-less client without its token): the token is the fix.
 */
export const NO_CREDENTIALS_HINT =
  "No token or password was sent, and this gateway lets a client in only with its shared credential: " +
  "pass the token option (the value of gateway.auth.token / OPENCLAW_GATEWAY_TOKEN), or password if " +
  "the gateway uses password auth.";

/** Hints keyed by the gateway's `error.details.code` (protocol reference §4). */
export const DETAIL_CODE_HINTS: Record<string, string> = {
  AUTH_TOKEN_MISMATCH: CODE_HINTS.AUTH_TOKEN_MISMATCH,
  AUTH_TOKEN_MISSING: CODE_HINTS.AUTH_TOKEN_MISSING,
  AUTH_TOKEN_NOT_CONFIGURED:
    "The gateway has no token configured for token auth: set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN) on the gateway.",
  AUTH_SCOPE_MISMATCH: CODE_HINTS.AUTH_SCOPE_MISMATCH,
  AUTH_DEVICE_TOKEN_MISMATCH: CODE_HINTS.AUTH_DEVICE_TOKEN_MISMATCH,
  AUTH_PASSWORD_MISMATCH: CODE_HINTS.AUTH_PASSWORD_MISMATCH,
  AUTH_PASSWORD_MISSING: "The gateway uses password auth: pass password.",
  AUTH_PASSWORD_NOT_CONFIGURED: "The gateway has no password configured: set gateway.auth.password or use token auth.",
  AUTH_RATE_LIMITED: CODE_HINTS.AUTH_RATE_LIMITED,
  AUTH_REQUIRED: "The gateway requires credentials: pass token or password.",
  AUTH_UNAUTHORIZED:
    "The gateway refused these credentials: check token/password against the gateway's gateway.auth settings.",
  AUTH_BOOTSTRAP_TOKEN_INVALID: "The bootstrap token is invalid or used up: create a new one on the gateway.",
  DEVICE_AUTH_SIGNATURE_INVALID: CODE_HINTS.DEVICE_SIGNATURE_INVALID,
  DEVICE_AUTH_SIGNATURE_EXPIRED: CODE_HINTS.DEVICE_SIGNATURE_EXPIRED,
  DEVICE_AUTH_NONCE_MISMATCH: CODE_HINTS.DEVICE_NONCE_MISMATCH,
  DEVICE_AUTH_NONCE_REQUIRED: CODE_HINTS.DEVICE_NONCE_MISMATCH,
  DEVICE_AUTH_DEVICE_ID_MISMATCH: CODE_HINTS.DEVICE_ID_MISMATCH,
  DEVICE_AUTH_PUBLIC_KEY_INVALID:
    "The gateway could not read the device public key: device.json is damaged; restore it or delete it to create a new identity.",
  DEVICE_AUTH_INVALID: "The device block was rejected: check device.json is intact and the clock is in sync.",
  DEVICE_IDENTITY_REQUIRED: "This gateway requires a device identity: pass identity (loadOrCreateIdentity(dir)).",
  PROTOCOL_MISMATCH: CODE_HINTS.PROTOCOL_MISMATCH,
  CLIENT_VERSION_MISMATCH:
    "The gateway refuses this client version: upgrade @missionctl/gateway-client or the gateway.",
  PAIRING_REQUIRED: CODE_HINTS.PAIRING_REQUIRED,
  CONTROL_UI_ORIGIN_NOT_ALLOWED: CODE_HINTS.ORIGIN_NOT_ALLOWED,
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED:
    'Control-UI client ids need a device identity: pass identity, or use clientId "gateway-client" for a server-side client.',
  CONTROL_UI_BUILD_MISMATCH:
    'The Control UI build differs from the gateway\'s: use clientId "gateway-client" for a server-side client.',
  MISSING_SCOPE: CODE_HINTS.MISSING_SCOPE,
};

/** Hints for an HTTP answer instead of `101 Switching Protocols`. */
export const HTTP_STATUS_HINTS: Record<number, string> = {
  200: "The proxy did not upgrade: force HTTP/1.1 to the upstream, in Caddy `reverse_proxy … { transport http { versions 1.1 } }`.",
  301: "The URL redirects (often http→https): use the final URL, e.g. wss:// instead of ws://.",
  302: "The URL redirects (often to a login page): use the gateway's WebSocket URL and exempt it from the proxy's auth.",
  400: "The server refused the upgrade request: check the proxy forwards the Upgrade and Connection headers unchanged.",
  401: "A proxy in front of the gateway asks for authentication: exempt the WebSocket path or pass its credentials.",
  403:
    "The upgrade was forbidden: if the body says proxy_attribution_required add the proxy's address to " +
    "gateway.trustedProxies, otherwise check the proxy's access rules.",
  404: "Nothing serves WebSockets at this path: use the gateway's root URL (ws(s)://host:port/) or fix the proxy route.",
  426:
    "The server demands a protocol upgrade it did not get: the proxy must pass Upgrade: websocket over " +
    "HTTP/1.1 (Caddy `transport http { versions 1.1 }`).",
  502:
    "The proxy could not reach the gateway (upstream down, or an h2c/HTTP-2 transport to it): start the " +
    "gateway and force HTTP/1.1 to the upstream (Caddy: `reverse_proxy … { transport http { versions 1.1 } }`).",
  503: "The service is unavailable: the gateway or proxy is starting or overloaded; retry shortly.",
  504:
    "The proxy timed out reaching the gateway (upstream down or h2c transport): check the gateway is " +
    "running and the proxy uses HTTP/1.1 to it (Caddy: `transport http { versions 1.1 }`).",
};

/** Hints for WebSocket close codes seen without a gateway error response. */
export const CLOSE_CODE_HINTS: Record<number, string> = {
  1000:
    "The gateway closed the connection normally (a connect not sent within 15 s is closed this way): " +
    "reconnect; check the clock and load if it repeats.",
  1001: "The gateway is going away (shutdown or restart): the client reconnects by itself.",
  1002: "The gateway closed with a protocol error: set minProtocol ≤ 4 ≤ maxProtocol (the defaults 3..4 work).",
  1006: "The connection dropped without a close frame (network, proxy or gateway crash): the client reconnects by itself.",
  1008: "The gateway closed for a policy violation (auth, pairing, origin or invalid frame): read the close reason for which one.",
  1009: "A frame was larger than the gateway accepts: send less data per request.",
  1011: "The gateway hit an internal error: check the gateway log (`openclaw logs` or its log file).",
  1012: "The gateway is restarting: the client reconnects by itself.",
  1013: "The gateway is starting (or overloaded): the client retries after the suggested delay.",
  4000: "No frame arrived for twice the tick interval: the client closed the silent connection and reconnects.",
};

export interface HintQuery {
  code: GatewayErrorCode;
  httpStatus?: number;
  detailCode?: string;
  closeCode?: number;
  details?: Record<string, unknown>;
}

export function hintFor(q: HintQuery): string {
  if (q.code === "PAIRING_REQUIRED") {
    const requestId = typeof q.details?.requestId === "string" ? q.details.requestId : undefined;
    const scopeUpgrade = q.details?.reason === "scope-upgrade";
    const approve = requestId
      ? `\`openclaw devices approve ${requestId}\``
      : "`openclaw devices approve <requestId>` (see `openclaw devices list`)";
    return scopeUpgrade
      ? `This device asks for more scopes than approved: run ${approve} on the gateway host, then reconnect.`
      : `This device is not approved yet: run ${approve} on the gateway host, then reconnect.`;
  }
  if (q.code === "ORIGIN_NOT_ALLOWED" && q.details?.reason === "origin missing or invalid") {
    return (
      "Browser client ids (control-ui, webchat) need an allowed Origin: set origin to one in " +
      'gateway.controlUi.allowedOrigins, or use clientId "gateway-client".'
    );
  }
  if (q.code === "PROXY_ATTRIBUTION_REQUIRED") return CODE_HINTS.PROXY_ATTRIBUTION_REQUIRED;
  if (q.detailCode && DETAIL_CODE_HINTS[q.detailCode]) return DETAIL_CODE_HINTS[q.detailCode]!;
  if (q.code === "UPGRADE_NOT_SWITCHED" && q.httpStatus !== undefined) {
    const h = HTTP_STATUS_HINTS[q.httpStatus];
    if (h) return h;
    if (q.httpStatus >= 500) return HTTP_STATUS_HINTS[502]!;
  }
  if ((q.code === "CONNECTION_CLOSED" || q.code === "GATEWAY_ERROR") && q.closeCode !== undefined) {
    const h = CLOSE_CODE_HINTS[q.closeCode];
    if (h) return h;
  }
  return CODE_HINTS[q.code];
}
