import { isIP } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  checkGatewayUrl,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_MODE,
  DEFAULT_SCOPES,
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  GatewayError,
  OPERATOR_SCOPES,
  redactSecretsInText,
} from "@missionctl/gateway-client";
import * as z from "zod";
import { type AllowedHost, parseAllowedHost } from "./allowed-hosts.js";
import { McServerError } from "./errors.js";
import { defaultLocalGatewayPaths } from "./local-gateway/index.js";

// The gateway's closed sets (scopes, client ids and modes) come from the client library, which
// validates against the same lists before it sends a connect.
export { GATEWAY_CLIENT_IDS, GATEWAY_CLIENT_MODES, OPERATOR_SCOPES };

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every variable mc-server reads, with what it is for (the README table is generated from the same words). */
export const KNOWN_VARIABLES: Record<string, string> = {
  PORT: "HTTP port (default 4000)",
  HOST: "listen address (default 127.0.0.1; anything beyond loopback requires MC_API_TOKEN)",
  DATABASE_PATH: "SQLite file of the store (default: mc-store's default path)",
  OPENCLAW_GATEWAY_URL: "gateway WebSocket URL (ws:// on loopback, wss:// elsewhere); unset = not_configured",
  OPENCLAW_GATEWAY_TOKEN: "the gateway's shared token",
  OPENCLAW_GATEWAY_PASSWORD: "the gateway password (password auth mode), instead of the token",
  OPENCLAW_GATEWAY_ORIGIN:
    "an Origin header to send (only when the gateway requires one; it switches on origin checks)",
  MC_IDENTITY_DIR: "folder of device.json, the Ed25519 identity (default ~/.mission-control/identity)",
  MC_API_TOKEN: "bearer token for /api (required when HOST is not loopback)",
  LOG_LEVEL: "debug | info | warn | error | silent (default info); debug logs gateway frames, secrets redacted",
  MC_GATEWAY_SCOPES:
    "comma-separated operator scopes (default operator.read,operator.write; add operator.pairing to approve devices)",
  MC_GATEWAY_CLIENT_ID: "client.id sent to the gateway (default gateway-client)",
  MC_GATEWAY_CLIENT_MODE: "client.mode sent to the gateway (default backend)",
  MC_GATEWAY_DISPLAY_NAME: "client.displayName shown in the gateway's device list (default missionctl mc-server)",
  MC_ALLOWED_ORIGINS: "extra comma-separated origins allowed on mutating requests (besides same-origin)",
  MC_ALLOWED_HOSTS:
    "comma-separated public host names (optionally host:port) the server answers to, e.g. the Caddy site name; loopback names " +
    "and addresses with the server's port are always allowed",
  MC_BODY_LIMIT_BYTES: "maximum request body (default 65536)",
  MC_REQUEST_TIMEOUT_MS: "how long a client may take to send a request's headers and body (default 30000)",
  MC_LOCAL_GATEWAY:
    "1 = run the pinned OpenClaw gateway locally (loopback) and connect to it, when OPENCLAW_GATEWAY_URL is unset (npm start sets it)",
  MC_LOCAL_GATEWAY_DIR:
    "the local gateway's folder: state, config, token, port, logs (default $XDG_DATA_HOME/missionctl/local-gateway)",
  MC_LOCAL_GATEWAY_CACHE:
    "where Node 24 and openclaw are installed for it (default $XDG_CACHE_HOME/missionctl/openclaw)",
  MC_MODEL:
    "the local gateway's model: a provider/model ref (e.g. anthropic/claude-opus-5), or the model id on MC_MODEL_BASE_URL",
  MC_MODEL_BASE_URL:
    "an OpenAI-compatible server for the local gateway's agent (e.g. http://127.0.0.1:11434/v1 for Ollama); needs MC_MODEL",
  MC_MODEL_API_KEY: "the API key for MC_MODEL_BASE_URL, if it needs one (passed to the gateway, never written to disk)",
};

/** Variables the gateway itself reads: legitimately present when both run from one environment. */
const GATEWAY_SIDE_VARIABLES = new Set([
  "OPENCLAW_STATE_DIR",
  "OPENCLAW_CONFIG_PATH",
  "OPENCLAW_GATEWAY_PORT",
  "OPENCLAW_HANDSHAKE_TIMEOUT_MS",
  "OPENCLAW_HOME",
  "OPENCLAW_PROFILE",
]);

const isLoopbackHost = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const csv = (v: unknown) =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

/** An origin (`https://host[:port]`): no credentials, no path, query or fragment. */
const originSchema = z
  .url()
  .refine((s) => {
    const u = new URL(s);
    return !u.username && !u.password;
  }, "must not carry credentials (user:password@)")
  .refine((s) => {
    const u = new URL(s);
    return (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash;
  }, "must be an origin: scheme://host[:port], without a path or query");

const allowedHostsSchema = z.array(z.string()).transform((entries, ctx) => {
  const out: AllowedHost[] = [];
  for (const [i, e] of entries.entries()) {
    const r = parseAllowedHost(e);
    if (typeof r === "string") ctx.addIssue({ code: "custom", path: [i], message: `entry ${i + 1} ${r}` });
    else out.push(r);
  }
  return out;
});

const EnvSchema = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(4000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default("127.0.0.1")),
  DATABASE_PATH: optionalString,
  OPENCLAW_GATEWAY_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((s) => /^wss?:\/\//i.test(s), "must start with ws:// or wss:// (the gateway speaks WebSocket)")
      .refine((s) => {
        try {
          new URL(s);
          return true;
        } catch {
          return false;
        }
      }, "is not a valid URL")
      .optional(),
  ),
  OPENCLAW_GATEWAY_TOKEN: optionalString,
  OPENCLAW_GATEWAY_PASSWORD: optionalString,
  OPENCLAW_GATEWAY_ORIGIN: z.preprocess(emptyToUndefined, originSchema.optional()),
  MC_IDENTITY_DIR: optionalString,
  MC_API_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, "must be at least 16 characters (use e.g. `openssl rand -hex 24`)").optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined),
    z.enum(LOG_LEVELS).default("info"),
  ),
  MC_GATEWAY_SCOPES: z.preprocess(
    (v) => emptyToUndefined(v) ?? undefined,
    z.preprocess(
      csv,
      z
        .array(z.enum(OPERATOR_SCOPES))
        .min(1)
        .default([...DEFAULT_SCOPES]),
    ),
  ),
  MC_GATEWAY_CLIENT_ID: z.preprocess(emptyToUndefined, z.enum(GATEWAY_CLIENT_IDS).default(DEFAULT_CLIENT_ID)),
  MC_GATEWAY_CLIENT_MODE: z.preprocess(emptyToUndefined, z.enum(GATEWAY_CLIENT_MODES).default(DEFAULT_CLIENT_MODE)),
  MC_GATEWAY_DISPLAY_NAME: z.preprocess(emptyToUndefined, z.string().max(96).default("missionctl mc-server")),
  MC_ALLOWED_ORIGINS: z.preprocess(
    (v) => emptyToUndefined(v) ?? undefined,
    z.preprocess(csv, z.array(originSchema).default([])),
  ),
  MC_ALLOWED_HOSTS: z.preprocess(
    (v) => emptyToUndefined(v) ?? undefined,
    z.preprocess(csv, allowedHostsSchema.default([])),
  ),
  MC_REQUEST_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(600_000).default(30_000)),
  MC_LOCAL_GATEWAY: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
    z
      .enum(["", "0", "1", "true", "false", "yes", "no"], { message: "must be 1 or 0" })
      .optional()
      .transform((v) => v === "1" || v === "true" || v === "yes"),
  ),
  MC_LOCAL_GATEWAY_DIR: optionalString,
  MC_LOCAL_GATEWAY_CACHE: optionalString,
  MC_MODEL_BASE_URL: z.preprocess(
    emptyToUndefined,
    z.url({ message: "must be an http(s) URL, e.g. http://127.0.0.1:11434/v1" }).optional(),
  ),
  MC_BODY_LIMIT_BYTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
  ),
});

export interface ServerConfig {
  port: number;
  host: string;
  databasePath?: string;
  gatewayUrl?: string;
  gatewayToken?: string;
  gatewayPassword?: string;
  gatewayOrigin?: string;
  identityDir: string;
  apiToken?: string;
  logLevel: LogLevel;
  gatewayScopes: string[];
  gatewayClientId: string;
  gatewayClientMode: string;
  gatewayDisplayName: string;
  allowedOrigins: string[];
  /** MC_ALLOWED_HOSTS: names besides loopback that may appear in Host. */
  allowedHosts: AllowedHost[];
  bodyLimitBytes: number;
  /** Deadline for a request's headers and body (slow clients are cut off). */
  requestTimeoutMs: number;
  /** Run the local gateway (MC_LOCAL_GATEWAY=1 without OPENCLAW_GATEWAY_URL): its folders. */
  localGateway?: { dir: string; cacheDir: string };
}

export interface LoadedConfig {
  config: ServerConfig;
  /** Human sentences about variables that are probably typos or misplaced; logged as warnings at start. */
  warnings: { variable: string; message: string; suggestion?: string }[];
}

/** Levenshtein distance, small strings only. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

function closestKnown(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const known of Object.keys(KNOWN_VARIABLES)) {
    const d = editDistance(name, known);
    if (d < bestD) {
      bestD = d;
      best = known;
    }
  }
  // Beyond a third of the name, a "suggestion" is noise rather than help.
  return best !== undefined && bestD <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined;
}

function unknownVariableWarnings(env: Record<string, string | undefined>): LoadedConfig["warnings"] {
  const out: LoadedConfig["warnings"] = [];
  for (const name of Object.keys(env).sort()) {
    if (env[name] === undefined) continue;
    if (name === "DATABASE_URL") {
      out.push({
        variable: name,
        suggestion: "DATABASE_PATH",
        message:
          "DATABASE_URL is not read by mc-server — set DATABASE_PATH to the SQLite file path instead (an env template that " +
          "sets DATABASE_URL puts the database somewhere else)",
      });
      continue;
    }
    if (!/^(MC_|OPENCLAW_)/.test(name) || name in KNOWN_VARIABLES || GATEWAY_SIDE_VARIABLES.has(name)) continue;
    const suggestion = closestKnown(name);
    out.push({
      variable: name,
      ...(suggestion ? { suggestion } : {}),
      message: suggestion
        ? `unknown variable ${name} is ignored — did you mean ${suggestion}?`
        : `unknown variable ${name} is ignored — mc-server reads ${Object.keys(KNOWN_VARIABLES)
            .filter((k) => k.startsWith(name.startsWith("MC_") ? "MC_" : "OPENCLAW_"))
            .join(", ")}`,
    });
  }
  return out;
}

/**
 * Reads and validates the environment. Throws McServerError CONFIG_INVALID (with the variable
 * and the zod reason) or CONFIG_UNSAFE_BIND; returns the typo warnings for the caller to log.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): LoadedConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const reasons = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join("; ");
    throw new McServerError(
      "CONFIG_INVALID",
      `environment variable ${variable}`,
      reasons,
      `fix ${variable} (${KNOWN_VARIABLES[variable] ?? "see the README"})`,
      {
        variable,
      },
    );
  }
  const e = parsed.data;
  if (e.OPENCLAW_GATEWAY_URL) checkGatewayUrlVariable(e.OPENCLAW_GATEWAY_URL);
  const host = e.HOST.replace(/^\[(.*)\]$/, "$1");
  if (!isLoopbackHost(host) && !e.MC_API_TOKEN) {
    throw new McServerError(
      "CONFIG_UNSAFE_BIND",
      `HOST=${e.HOST}`,
      "listening beyond loopback without MC_API_TOKEN would expose the API and the gateway connection to the network",
      "set MC_API_TOKEN (e.g. `openssl rand -hex 24`) or keep HOST=127.0.0.1 behind a reverse proxy",
      { variable: "HOST" },
    );
  }
  const local = e.MC_LOCAL_GATEWAY && !e.OPENCLAW_GATEWAY_URL;
  const config: ServerConfig = {
    port: e.PORT,
    host: e.HOST,
    identityDir: e.MC_IDENTITY_DIR ?? join(env.HOME || homedir(), ".mission-control", "identity"),
    logLevel: e.LOG_LEVEL,
    // The local gateway is ours: answering its approvals is part of the job (its agent asks before commands).
    gatewayScopes:
      local && !(env.MC_GATEWAY_SCOPES ?? "").trim()
        ? ["operator.read", "operator.write", "operator.approvals"]
        : [...new Set(e.MC_GATEWAY_SCOPES)],
    gatewayClientId: e.MC_GATEWAY_CLIENT_ID,
    gatewayClientMode: e.MC_GATEWAY_CLIENT_MODE,
    gatewayDisplayName: e.MC_GATEWAY_DISPLAY_NAME,
    allowedOrigins: e.MC_ALLOWED_ORIGINS.map((o) => new URL(o).origin),
    allowedHosts: e.MC_ALLOWED_HOSTS,
    bodyLimitBytes: e.MC_BODY_LIMIT_BYTES,
    requestTimeoutMs: e.MC_REQUEST_TIMEOUT_MS,
  };
  if (e.DATABASE_PATH) config.databasePath = e.DATABASE_PATH;
  if (e.OPENCLAW_GATEWAY_URL) config.gatewayUrl = e.OPENCLAW_GATEWAY_URL;
  if (e.OPENCLAW_GATEWAY_TOKEN) config.gatewayToken = e.OPENCLAW_GATEWAY_TOKEN;
  if (e.OPENCLAW_GATEWAY_PASSWORD) config.gatewayPassword = e.OPENCLAW_GATEWAY_PASSWORD;
  if (e.OPENCLAW_GATEWAY_ORIGIN) config.gatewayOrigin = e.OPENCLAW_GATEWAY_ORIGIN;
  if (e.MC_API_TOKEN) config.apiToken = e.MC_API_TOKEN;
  const warnings = unknownVariableWarnings(env);
  if (local) config.localGateway = defaultLocalGatewayPaths(env);
  else if (e.MC_LOCAL_GATEWAY)
    warnings.push({
      variable: "MC_LOCAL_GATEWAY",
      message: "MC_LOCAL_GATEWAY is ignored: OPENCLAW_GATEWAY_URL is set, so mc-server connects to that gateway",
    });
  return { config, warnings };
}

/**
 * The gateway URL passes the client's own URL policy here, at start-up, instead of when the
 * connection is first built (where a `?token=` used to crash the running server): one JSON line,
 * exit 78, the secret redacted, the fix named.
 */
function checkGatewayUrlVariable(url: string): void {
  try {
    checkGatewayUrl(url);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const shown = redactSecretsInText(url);
    const credential = /credential/.test(err.reason);
    throw new McServerError(
      "CONFIG_INVALID",
      `OPENCLAW_GATEWAY_URL=${shown}`,
      err.reason,
      credential
        ? "remove the credential from the URL and set OPENCLAW_GATEWAY_TOKEN (or OPENCLAW_GATEWAY_PASSWORD) instead: it is sent " +
            "in the connect frame, never in the URL where proxies log it; rotate it, it has leaked into configs and logs"
        : err.code === "INSECURE_URL"
          ? "use wss:// (through the TLS proxy) for a gateway that is not on loopback or a private network"
          : err.hint,
      { variable: "OPENCLAW_GATEWAY_URL", cause: err },
    );
  }
}

/** HOST as a specific address the server can be reached by (not the 0.0.0.0 / :: wildcards). */
export function bindAddressOf(host: string): string | undefined {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (h === "0.0.0.0" || h === "::" || !isIP(h)) return h === "localhost" ? "localhost" : undefined;
  return h;
}

export { isLoopbackHost };
