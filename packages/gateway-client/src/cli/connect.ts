import { GatewayClient } from "../client.js";
import type { DeviceIdentity } from "../identity.js";
import type { ConnectionSettings } from "./settings.js";

/** A one-shot client for a CLI command: no reconnect, the command's timeout everywhere. */
export function clientFrom(
  s: ConnectionSettings,
  url: string,
  identity: DeviceIdentity | null,
  defaultScopes?: string[],
): GatewayClient {
  return new GatewayClient({
    url,
    token: s.token,
    password: s.password,
    identity,
    scopes: s.scopes ?? defaultScopes,
    clientId: s.clientId,
    clientMode: s.clientMode,
    displayName: s.displayName,
    origin: s.origin,
    tls: s.tls,
    allowInsecureWs: s.allowInsecureWs,
    connectTimeoutMs: s.timeoutMs,
    challengeTimeoutMs: s.timeoutMs,
    requestTimeoutMs: s.timeoutMs,
    reconnect: false,
  });
}
