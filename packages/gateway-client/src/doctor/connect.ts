import { GatewayClient } from "../client.js";
import type { GatewayError } from "../errors.js";
import type { LifecycleHooks } from "../options.js";
import { DEFAULT_SCOPES, missingScopes } from "../protocol/scopes.js";
import type { HelloOk } from "../types.js";
import { describeFailure, errorData, failed, passed } from "./step.js";
import type { DiagnoseOptions, DiagnoseStep } from "./types.js";

/** The client layers 5–8 run on: the caller's settings, no reconnect, hooks that time each layer. */
export function doctorClient(opts: DiagnoseOptions, lifecycle?: LifecycleHooks): GatewayClient {
  return new GatewayClient({
    lifecycle,
    url: opts.url,
    token: opts.token,
    password: opts.password,
    identity: opts.identity ?? null,
    scopes: opts.scopes,
    clientId: opts.clientId,
    clientMode: opts.clientMode,
    displayName: opts.displayName,
    origin: opts.origin,
    role: opts.role,
    minProtocol: opts.minProtocol,
    maxProtocol: opts.maxProtocol,
    tls: opts.tls,
    allowInsecureWs: opts.allowInsecureWs,
    connectTimeoutMs: opts.timeoutMs,
    challengeTimeoutMs: opts.challengeTimeoutMs,
    requestTimeoutMs: opts.timeoutMs,
    reconnect: false,
  });
}

/** Layer 7 failed: the gateway's answer to connect, mapped to its cause and fix. */
export function connectFailedStep(ms: number, err: GatewayError): DiagnoseStep {
  return failed("connect", ms, err, { detail: describeFailure(err), data: errorData(err) });
}

/** Layer 7 passed: what the gateway granted, with a warning when it granted less than asked. */
export function connectStep(ms: number, hello: HelloOk, opts: DiagnoseOptions): DiagnoseStep {
  const scopes = hello.auth?.scopes ?? [];
  const who = opts.identity ? `device ${opts.identity.deviceId.slice(0, 12)}…` : "device-less";
  const detail = `hello-ok: protocol ${hello.protocol}, gateway ${hello.server?.version ?? "?"}, auth ${hello.auth?.method ?? "?"}, role ${
    hello.auth?.role ?? "?"
  }, scopes ${scopes.join(",") || "(none)"}, ${who}`;
  const extra: Partial<DiagnoseStep> = {
    data: {
      protocol: hello.protocol,
      serverVersion: hello.server?.version,
      authMethod: hello.auth?.method,
      role: hello.auth?.role,
      scopes,
    },
  };
  const missing = missingScopes(scopes, opts.scopes ?? DEFAULT_SCOPES);
  if (missing.length) {
    extra.warning = `the gateway granted fewer scopes than requested (missing ${missing.join(",")})`;
    extra.hint = opts.identity
      ? "Approve the device for these scopes (`openclaw devices approve <requestId>` after a scope-upgrade request)."
      : "Device-less connections get no scopes unless they come straight from loopback: connect with a " +
        "device identity (--identity-dir) and pair it.";
  }
  return passed("connect", ms, detail, extra);
}
