import { GatewayError } from "../errors.js";
import type { RequestTarget } from "../methods/define.js";
import type { GatewayClientOptions } from "../options.js";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_MODE } from "../protocol/enums.js";
import type { HelloOk } from "../protocol/hello.js";
import { hasScope, PAIRING_SCOPES } from "../protocol/scopes.js";

const holdsPairing = (scopes: readonly string[]) => PAIRING_SCOPES.some((s) => hasScope(scopes, s));

const LOOPBACK_HINT =
  "Approving this device while it waits needs a connection holding operator.pairing; the gateway grants it " +
  "without a paired device only on direct loopback with the shared token. Approve on the gateway host with " +
  "`openclaw devices approve <requestId>` instead.";

/**
 * GatewayClient.withPairingAccess: `fn` on the client itself when its connection holds
 * operator.pairing, otherwise on a short-lived device-less connection (same URL, credentials,
 * TLS and logger; scopes: pairing plus the client's own, because the gateway only lets an
 * approver grant scopes it holds itself). Failures to open that connection name the way out.
 */
export async function runWithPairingAccess<T>(
  client: { current: RequestTarget; hello: HelloOk | undefined; opts: GatewayClientOptions; scopes: readonly string[] },
  open: (opts: GatewayClientOptions) => RequestTarget & { connect(): Promise<unknown>; close(): Promise<void> },
  fn: (target: RequestTarget) => Promise<T>,
): Promise<T> {
  const { current, hello, opts, scopes } = client;
  if (hello && holdsPairing(hello.auth.scopes)) return fn(current);
  const approver = open({
    url: opts.url,
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.password ? { password: opts.password } : {}),
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.allowInsecureWs ? { allowInsecureWs: true } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    identity: null,
    scopes: [...new Set(["operator.read", "operator.pairing", ...scopes])],
    // The one client the gateway lets keep its scopes device-less on loopback.
    clientId: DEFAULT_CLIENT_ID,
    clientMode: DEFAULT_CLIENT_MODE,
    displayName: `${opts.displayName ?? DEFAULT_CLIENT_ID} (approver)`,
    reconnect: false,
    deviceTokenStore: false,
  });
  try {
    try {
      await approver.connect();
    } catch (err) {
      throw withHint(err);
    }
    try {
      return await fn(approver);
    } catch (err) {
      // The approver itself was granted no pairing scope (it did not come straight from loopback).
      if (
        err instanceof GatewayError &&
        err.code === "MISSING_SCOPE" &&
        err.details?.missingScope === "operator.pairing"
      )
        throw withHint(err);
      throw err;
    }
  } finally {
    await approver.close().catch(() => {});
  }
}

function withHint(err: unknown): unknown {
  if (!(err instanceof GatewayError)) return err;
  return new GatewayError({
    code: err.code,
    layer: err.layer,
    subject: "open a connection holding operator.pairing",
    reason: err.reason,
    hint: LOOPBACK_HINT,
    cause: err,
    ...(err.detailCode ? { detailCode: err.detailCode } : {}),
    ...(err.gatewayCode ? { gatewayCode: err.gatewayCode } : {}),
    ...(err.details ? { details: err.details } : {}),
    ...(err.httpStatus ? { httpStatus: err.httpStatus } : {}),
  });
}
