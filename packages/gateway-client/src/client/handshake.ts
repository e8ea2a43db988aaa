import { GatewayError } from "../errors.js";
import type { DeviceIdentity } from "../identity.js";
import type { GatewayClientOptions } from "../options.js";
import { compileCheck } from "../protocol/compiled-check.js";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_MODE, PROTOCOL_RANGE } from "../protocol/enums.js";
import type { ChallengePayload } from "../protocol/frames.js";
import { type HelloOk, helloOkSchema } from "../protocol/hello.js";
import { hasScope } from "../protocol/scopes.js";
import { buildSignedPayload, signatureToken } from "../protocol/signed-payload.js";
import type { DeviceTokenKey, DeviceTokenRecord, DeviceTokenStore, Role } from "../types.js";
import { CLIENT_VERSION } from "../version.js";
import { settleWithin } from "./settle-within.js";

// The handshake's pieces (openclaw 2026.9.6): which credentials to send, the connect params
// with the device signature over the challenge, and the hello-ok check.

export interface ConnectAuth {
  token?: string;
  password?: string;
  deviceToken?: string;
}

export interface ChosenAuth {
  auth: ConnectAuth;
  usedStoredDeviceToken: boolean;
  /** Why the store could not be read, to log; the shared credentials are used. */
  storeError?: unknown;
}

/**
 * The shared token/password, plus the stored device token when it covers the requested scopes.
 * Sent alongside the shared token (verified on openclaw 2026.9.6): with a valid shared token the
 * gateway authenticates by token and re-issues the same device token; with a rotated or wrong
 * shared token it falls back to the device token ("device-token"); alone it is enough. A device
 * token approved for fewer scopes than requested fails with AUTH_SCOPE_MISMATCH, so it is not sent.
 */
export async function chooseAuth(
  opts: Pick<GatewayClientOptions, "token" | "password">,
  store: DeviceTokenStore,
  key: DeviceTokenKey,
  scopes: readonly string[],
  timeoutMs: number,
): Promise<ChosenAuth> {
  const auth = sharedAuth(opts);
  const read = await settleWithin(
    Promise.resolve().then(() => store.get(key)),
    timeoutMs,
  );
  if (read.status !== "fulfilled") return { auth, usedStoredDeviceToken: false, storeError: read.reason };
  const record: DeviceTokenRecord | undefined = read.value;
  if (!record || !scopes.every((s) => hasScope(record.scopes, s))) return { auth, usedStoredDeviceToken: false };
  auth.deviceToken = record.token;
  return { auth, usedStoredDeviceToken: true };
}

/** The shared token and/or password, as sent in `connect`. */
export function sharedAuth(opts: Pick<GatewayClientOptions, "token" | "password">): ConnectAuth {
  const auth: ConnectAuth = {};
  if (opts.token) auth.token = opts.token;
  if (opts.password) auth.password = opts.password;
  return auth;
}

export interface ConnectParamsInput {
  opts: GatewayClientOptions;
  role: Role;
  scopes: readonly string[];
  auth: ConnectAuth;
  identity: DeviceIdentity | undefined;
  challenge: ChallengePayload;
}

/**
 * The `connect` params that do not depend on the challenge. The client builds them while the
 * socket opens, so only the signature is left for the moment the challenge arrives.
 */
export function baseConnectParams(input: Omit<ConnectParamsInput, "challenge">): Record<string, unknown> {
  const { opts: o, role, scopes, auth } = input;
  const client: Record<string, unknown> = {
    id: o.clientId ?? DEFAULT_CLIENT_ID,
    version: o.clientVersion ?? CLIENT_VERSION,
    platform: o.platform ?? process.platform,
    mode: o.clientMode ?? DEFAULT_CLIENT_MODE,
  };
  if (o.displayName) client.displayName = o.displayName;
  if (o.deviceFamily) client.deviceFamily = o.deviceFamily;
  if (o.instanceId) client.instanceId = o.instanceId;
  const params: Record<string, unknown> = {
    minProtocol: o.minProtocol ?? PROTOCOL_RANGE.min,
    maxProtocol: o.maxProtocol ?? PROTOCOL_RANGE.max,
    client,
    role,
    scopes,
  };
  if (o.caps) params.caps = o.caps;
  if (Object.keys(auth).length > 0) params.auth = auth;
  return params;
}

/**
 * The `connect` params; with an identity, signed over the challenge (signedAt = its `ts`).
 * `base` is what baseConnectParams returned for the same input (built again when absent).
 */
export async function buildConnectParams(
  input: ConnectParamsInput,
  base: Record<string, unknown> = baseConnectParams(input),
): Promise<Record<string, unknown>> {
  const { opts: o, role, scopes, auth, identity, challenge } = input;
  if (!identity) return base;
  const clientId = o.clientId ?? DEFAULT_CLIENT_ID;
  const clientMode = o.clientMode ?? DEFAULT_CLIENT_MODE;
  const signed = buildSignedPayload(o.signatureVersion ?? "v3", {
    deviceId: identity.deviceId,
    clientId,
    clientMode,
    role,
    scopes,
    signedAtMs: challenge.ts,
    token: signatureToken(auth),
    nonce: challenge.nonce,
    platform: o.platform ?? process.platform,
    deviceFamily: o.deviceFamily,
  });
  return {
    ...base,
    device: {
      id: identity.deviceId,
      publicKey: identity.publicKey,
      signature: await identity.sign(signed),
      signedAt: challenge.ts,
      nonce: challenge.nonce,
    },
  };
}

const helloOkCheck = compileCheck(helloOkSchema);

/** hello-ok checked against its schema, or the INVALID_FRAME error naming the first mismatch (about `subject()`). */
export function parseHello(payload: unknown, subject: () => string): HelloOk | GatewayError {
  // ~15 KB with ~500 method names: the schema's parse and copy cost 0.1–0.3 ms of a connect when cold.
  if (helloOkCheck?.(payload)) return payload as HelloOk;
  const hello = helloOkSchema.safeParse(payload);
  if (hello.success) return hello.data;
  const issue = hello.error.issues[0];
  return new GatewayError({
    code: "INVALID_FRAME",
    subject: subject(),
    reason: `hello-ok does not match the protocol (${issue?.path.join(".")}: ${issue?.message})`,
  });
}

/** What the device token store keeps from a hello-ok, or undefined when it issued no token. */
export function deviceTokenRecord(hello: HelloOk): DeviceTokenRecord | undefined {
  const token = hello.auth.deviceToken;
  if (!token) return undefined;
  return {
    token,
    scopes: hello.auth.scopes,
    role: hello.auth.role,
    savedAtMs: Date.now(),
    ...(typeof hello.auth.issuedAtMs === "number" ? { issuedAtMs: hello.auth.issuedAtMs } : {}),
  };
}
