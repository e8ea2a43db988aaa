import {
  type ConfigGetResult,
  configGet,
  GatewayClient,
  type RequestTarget,
  redactSecretsInText,
} from "@missionctl/gateway-client";
import { configInput, type LoadedConfig } from "../diff-configs.js";
import { ConfigDiffError } from "../errors.js";
import type { LiveStatus } from "../report.js";

export interface GatewaySourceOptions {
  /** The gateway token (default: $OPENCLAW_GATEWAY_TOKEN). */
  token?: string;
  password?: string;
  timeoutMs?: number;
  /** For tests and embedding: a connection to use instead of a new GatewayClient (closed afterwards). */
  client?: RequestTarget & {
    connect(): Promise<unknown>;
    close(): Promise<void>;
  };
}

const issueList = (l: ConfigGetResult["issues"]) =>
  Array.isArray(l) ? l.map((i) => ({ path: String(i?.path ?? ""), message: String(i?.message ?? "") })) : [];

/** Interprets a `config.get` payload (openclaw 2026.9.6): the file as parsed, its validity, and whether it runs. */
export function liveFromConfigGet(payload: ConfigGetResult, label: string): LoadedConfig {
  const valid = payload.valid !== false;
  // configRevisionHash is the file's revision; null when the file is invalid. appliedConfigHash is what runs.
  const applied =
    valid && payload.configRevisionHash != null && payload.configRevisionHash === payload.appliedConfigHash;
  let message: string | undefined;
  if (!valid)
    message =
      "the gateway is running its last good config, not this file: the file is invalid and its reload was " +
      "skipped (config.get returns no content for an invalid file; diff the file itself with --runtime " +
      "<path> or docker:<container>:<path>)";
  else if (!applied)
    message =
      "the gateway is running its last good config, not this file: this revision is not applied yet (reload pending or restart required)";
  const live: LiveStatus = {
    valid,
    issues: issueList(payload.issues),
    legacyIssues: issueList(payload.legacyIssues),
    applied,
    ...(payload.path ? { path: payload.path } : {}),
    hash: payload.hash ?? null,
    configRevisionHash: payload.configRevisionHash ?? null,
    appliedConfigHash: payload.appliedConfigHash ?? null,
    ...(message ? { message } : {}),
  };
  // An invalid file comes back with parsed: null: there is nothing to compare but the status.
  const value = payload.parsed ?? undefined;
  return configInput(value, label, "gateway", live);
}

/** `gateway:<ws url>` → reads `config.get` through @missionctl/gateway-client (scope operator.read). */
export async function loadGatewaySource(spec: string, options: GatewaySourceOptions = {}): Promise<LoadedConfig> {
  const url = spec.startsWith("gateway:") ? spec.slice("gateway:".length) : spec;
  if (!/^wss?:\/\//.test(url)) {
    throw new ConfigDiffError(
      "INVALID_OPTIONS",
      `gateway:${redactSecretsInText(url)}: expected gateway:ws://host:port or gateway:wss://host — e.g. gateway:ws://127.0.0.1:18789`,
    );
  }
  // The label lands in reports and CI logs: never with a credential the URL might carry.
  const label = `gateway:${redactSecretsInText(url)}`;
  const token = options.token ?? process.env.OPENCLAW_GATEWAY_TOKEN;
  let client: NonNullable<GatewaySourceOptions["client"]>;
  try {
    client =
      options.client ??
      new GatewayClient({
        url,
        ...(token ? { token } : {}),
        ...(options.password ? { password: options.password } : {}),
        identity: null,
        // The one scope config.get needs: a drift check never asks for write access.
        scopes: [configGet.scope ?? "operator.read"],
        reconnect: false,
        ...(options.timeoutMs ? { requestTimeoutMs: options.timeoutMs } : {}),
      });
  } catch (err) {
    // The client refuses a URL before connecting (a ?token= in it, ws:// to a public host…).
    const e = err as { code?: string; reason?: string; hint?: string; message?: string };
    if (/credential/.test(e.reason ?? ""))
      e.hint =
        "remove it from the URL and pass the token with --token-file <file> or OPENCLAW_GATEWAY_TOKEN (it " +
        "travels in the connect frame, never in the URL)";
    throw new ConfigDiffError(
      "INVALID_OPTIONS",
      `${label}: ${e.reason ?? e.message ?? "invalid gateway URL"}${e.hint ? ` — ${e.hint}` : ""}`,
      { file: label, ...(e.hint ? { hint: e.hint } : {}) },
      { cause: err },
    );
  }
  try {
    await client.connect();
    const payload = await configGet(client, {}, options.timeoutMs ? { timeoutMs: options.timeoutMs } : undefined);
    return liveFromConfigGet(payload, label);
  } catch (err) {
    if (err instanceof ConfigDiffError) throw err;
    const e = err as { code?: string; hint?: string; message?: string };
    // GatewayError messages and hints carry no secrets (gateway-client strips them).
    const reason = e.code ? `${e.code}${e.hint ? ` — ${e.hint}` : ""}` : (e.message ?? "unknown error");
    throw new ConfigDiffError(
      "GATEWAY_FAILED",
      `${label}: cannot read config.get: ${reason}`,
      { file: label, ...(e.hint ? { hint: e.hint } : {}) },
      { cause: err },
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}
