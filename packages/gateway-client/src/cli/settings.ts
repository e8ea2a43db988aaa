import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import * as z from "zod";
import { describeBoundedReadFailure, readFileBoundedSync } from "../bounded-read.js";
import { DEVICE_FILE_NAME, type DeviceIdentity, loadIdentity } from "../identity.js";
import type { TlsOptions } from "../types.js";
import { type CliIo, UsageError } from "./io.js";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command that talks to a gateway understands. */
export const CONNECTION_OPTIONS: OptionSpec = {
  url: { type: "string" },
  "token-file": { type: "string" },
  token: { type: "string" },
  "password-file": { type: "string" },
  "identity-dir": { type: "string" },
  "device-less": { type: "boolean" },
  origin: { type: "string" },
  ca: { type: "string" },
  servername: { type: "string" },
  fingerprint: { type: "string" },
  insecure: { type: "boolean" },
  "allow-insecure-ws": { type: "boolean" },
  timeout: { type: "string" },
  scopes: { type: "string" },
  "client-id": { type: "string" },
  "client-mode": { type: "string" },
  "display-name": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export const CONNECTION_HELP = `Connection options (flags win over the environment):
  --url <ws(s)://…>        gateway URL                         env OPENCLAW_GATEWAY_URL
  --token-file <file>      file holding the shared token       env OPENCLAW_GATEWAY_TOKEN
  --password-file <file>   file holding the gateway password   env OPENCLAW_GATEWAY_PASSWORD
  --identity-dir <dir>     folder with device.json             env MC_IDENTITY_DIR (default ~/.mission-control/identity)
  --device-less            connect without a device identity
  --origin <origin>        send this Origin header (server-side clients need none)
  --ca <file>              trust this CA certificate (PEM), e.g. Caddy's root.crt
  --servername <name>      TLS server name (SNI) to expect
  --fingerprint <sha256>   pin the server certificate's SHA-256 fingerprint
  --insecure               do not verify the TLS certificate (prefer --ca)
  --allow-insecure-ws      permit ws:// to a public host
  --timeout <ms|Ns>        per-step/request timeout (default 5000 ms)
  --scopes <a,b>           scopes to request
  --client-id <id>         client.id (default gateway-client)
  --client-mode <mode>     client.mode (default backend)
  --display-name <name>    client.displayName
  --json                   machine-readable output
  -h, --help               this help
--token <value> also works but is visible to other users in \`ps\`: prefer --token-file.`;

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommand(
  command: string,
  argv: string[],
  extra: OptionSpec = {},
  withConnection = true,
): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...(withConnection ? CONNECTION_OPTIONS : { json: { type: "boolean" }, help: { type: "boolean", short: "h" } }),
        ...extra,
      },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedCommand["values"], positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""), command);
  }
}

const timeoutSchema = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s)?$/, "must be milliseconds (5000) or seconds with an s (5s)")
  .transform((v) =>
    v.endsWith("ms") ? Number(v.slice(0, -2)) : v.endsWith("s") ? Number(v.slice(0, -1)) * 1000 : Number(v),
  )
  .pipe(z.number().int().positive().max(600_000));

const urlSchema = z
  .string()
  .trim()
  .min(1)
  .refine((v) => /^wss?:\/\//i.test(v), "must start with ws:// or wss://");

const scopesSchema = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z]+(\.[a-z]+)+$/, "scopes look like operator.read")).min(1));

function check<T>(schema: z.ZodType<T>, value: unknown, flag: string, command: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${flag}: ${r.error.issues[0]?.message ?? "invalid"}`, command);
  return r.data;
}

/** Token and password files hold one line; a CA bundle a few certificates. */
const SECRET_FILE_MAX_BYTES = 64 * 1024;
const CA_FILE_MAX_BYTES = 1024 * 1024;

/** Reads a file named by a flag: a regular file within `maxBytes`, or a usage error that says what it is. */
function readFlagFile(file: string, flag: string, command: string, maxBytes: number): string {
  const r = readFileBoundedSync(file, { maxBytes });
  if (!r.ok) throw new UsageError(`${flag} ${file}: ${describeBoundedReadFailure(r)}`, command);
  return r.text;
}

function readSecretFile(file: string, flag: string, command: string): string {
  const text = readFlagFile(file, flag, command, SECRET_FILE_MAX_BYTES);
  const value = text.trim();
  if (!value) throw new UsageError(`${flag} ${file}: the file is empty`, command);
  return value;
}

export interface ConnectionSettings {
  url?: string;
  token?: string;
  password?: string;
  identityDir: string;
  identityDirExplicit: boolean;
  deviceLess: boolean;
  origin?: string;
  tls?: TlsOptions;
  allowInsecureWs: boolean;
  timeoutMs: number;
  scopes?: string[];
  clientId?: string;
  clientMode?: string;
  displayName?: string;
  json: boolean;
}

/** Turns flags + environment into validated settings; prints warnings for risky choices. */
export function resolveSettings(
  command: string,
  values: ParsedCommand["values"],
  io: CliIo,
  urlArg?: string,
): ConnectionSettings {
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const rawUrl = urlArg ?? str("url") ?? io.env.OPENCLAW_GATEWAY_URL;
  const url = rawUrl === undefined ? undefined : check(urlSchema, rawUrl, "url", command);

  let token: string | undefined;
  if (str("token-file")) token = readSecretFile(str("token-file")!, "--token-file", command);
  else if (str("token") !== undefined) {
    token = check(z.string().min(1, "is empty"), str("token"), "--token", command);
    io.stderr(
      "warning: --token is visible to other users in `ps` and lands in shell history; use --token-file or OPENCLAW_GATEWAY_TOKEN.\n",
    );
  } else if (io.env.OPENCLAW_GATEWAY_TOKEN) token = io.env.OPENCLAW_GATEWAY_TOKEN;

  let password: string | undefined;
  if (str("password-file")) password = readSecretFile(str("password-file")!, "--password-file", command);
  else if (io.env.OPENCLAW_GATEWAY_PASSWORD) password = io.env.OPENCLAW_GATEWAY_PASSWORD;

  const explicitDir = str("identity-dir") ?? io.env.MC_IDENTITY_DIR;
  const identityDir = resolve(explicitDir ?? join(io.home, ".mission-control", "identity"));

  let tls: TlsOptions | undefined;
  if (str("ca") || str("servername") || str("fingerprint") || values.insecure) {
    tls = {};
    if (str("ca")) {
      tls.ca = readFlagFile(str("ca")!, "--ca", command, CA_FILE_MAX_BYTES);
    }
    if (str("servername")) tls.servername = str("servername");
    if (str("fingerprint"))
      tls.fingerprint = check(
        z.string().regex(/^(sha256\/[A-Za-z0-9+/=]+|([0-9A-Fa-f]{2}:?){32})$/, "must be a SHA-256 fingerprint"),
        str("fingerprint"),
        "--fingerprint",
        command,
      );
    if (values.insecure) {
      tls.rejectUnauthorized = false;
      io.stderr("warning: --insecure turns off certificate verification; trust the proxy's CA with --ca instead.\n");
    }
  }
  const origin =
    str("origin") === undefined
      ? undefined
      : check(z.string().url("must be a URL like https://host"), str("origin"), "--origin", command);
  return {
    url,
    token,
    password,
    identityDir,
    identityDirExplicit: explicitDir !== undefined,
    deviceLess: values["device-less"] === true,
    origin,
    tls,
    allowInsecureWs: values["allow-insecure-ws"] === true,
    timeoutMs: str("timeout") === undefined ? 5000 : check(timeoutSchema, str("timeout"), "--timeout", command),
    scopes: str("scopes") === undefined ? undefined : check(scopesSchema, str("scopes"), "--scopes", command),
    clientId: str("client-id"),
    clientMode: str("client-mode"),
    displayName: str("display-name"),
    json: values.json === true,
  };
}

export function requireUrl(s: ConnectionSettings, command: string): string {
  if (!s.url) throw new UsageError("no gateway URL: pass --url ws://host:port or set OPENCLAW_GATEWAY_URL", command);
  return s.url;
}

/**
 * The identity the command connects with: none with --device-less; otherwise device.json from
 * the identity folder if it exists (a missing file is not created here: `identity create` does that).
 */
export async function identityFor(
  s: ConnectionSettings,
  opts: { requireExplicit?: boolean } = {},
): Promise<DeviceIdentity | null> {
  if (s.deviceLess) return null;
  if (opts.requireExplicit && !s.identityDirExplicit) return null;
  const file = join(s.identityDir, DEVICE_FILE_NAME);
  if (!existsSync(file)) return null;
  return loadIdentity(file);
}
