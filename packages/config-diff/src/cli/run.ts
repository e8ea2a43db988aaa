import { appendFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { sanitizeForTerminal } from "@missionctl/gateway-client";
import { configInput, type DiffOptions, diffConfigs } from "../diff-configs.js";
import { type EnvMode, loadEnvFile } from "../env.js";
import { ConfigDiffError } from "../errors.js";
import { type IgnoreFile, type IgnoreRuleSpec, loadIgnoreFile } from "../ignore.js";
import { readTextFile } from "../load.js";
import { renderGithub } from "../render/github.js";
import { renderHuman } from "../render/human.js";
import { renderJson } from "../render/json.js";
import { renderJsonPatch } from "../render/json-patch.js";
import { loadConfigSource } from "../sources/index.js";

export const FORMATS = ["human", "json", "json-patch", "github"] as const;
export type Format = (typeof FORMATS)[number];

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  isTTY: boolean;
}

export const USAGE = `Usage: config-diff --source <file|-> --runtime <file | docker:<container>:<path> | gateway:<ws-url>> [options]

Compares the config that should run (source, e.g. rendered by Ansible) with the one that does.

Options:
  --source <file|->            the deployed/rendered config (JSON5); "-" reads stdin
  --runtime <spec>             file, docker:<container>:<path>, or gateway:ws://host:port (config.get)
  --format <f>                 human (default) | json | json-patch | github
  --env-mode <m>               literal (default) | resolve | presence — how \${VAR} placeholders compare
  --env-file <file>            dotenv file for --env-mode resolve (overrides the environment)
  --resolve-includes           resolve $include directives (OpenClaw's limits)
  --include-root <dir>         extra allowed include root (repeatable)
  --ignore <glob>              ignore a JSON-pointer glob, e.g. /gateway/auth/rateLimit or /agents/** (repeatable; !glob un-ignores)
  --ignore-file <file>         YAML ignore file (default: ./.config-diff.yaml when present)
  --no-builtin-ignores         also report /meta, /wizard and /commands/ownerDisplaySecret
  --array-ordered <glob>       compare the arrays at this pointer glob in order (default: arrays of scalars as sets)
  --no-normalize               do not apply known OpenClaw rewrites (reload mode, bind aliases, inert keys)
  --lint                       report keys the pinned OpenClaw rejects or ignores, with the fix
  --fail-on <what>             unverifiable: exit 1 also when a value cannot be verified
  --exit-zero                  report only: exit 0 on drift (errors still exit 2)
  --verbose                    also show ignored and normalized changes and rule counts
  --color / --no-color         force colour on or off (default: on for a TTY unless NO_COLOR is set)
  --token-file <file>          gateway token for gateway: sources (default: $OPENCLAW_GATEWAY_TOKEN)
  --timeout <ms>               timeout for reading a source: file (default 10000), docker/gateway (default 30000)
  --max-file-bytes <n>         largest config file read (default 2097152, OpenClaw's include limit)
  -h, --help                   this help
  --version                    print the version

Exit codes: 0 no drift, 1 drift, 2 error.
`;

const fail = (msg: string) => new ConfigDiffError("INVALID_OPTIONS", `${msg} — see config-diff --help`);

/** Runs the CLI; returns the exit code (the bin sets process.exitCode, it never calls process.exit). */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  // Error messages quote paths and specs; the machine formats may carry C1 or bidi characters from
  // the configs. The human format sanitises its fields itself, before its own colour codes.
  const io: CliIo = {
    ...rawIo,
    stderr: (s) => rawIo.stderr(sanitizeForTerminal(s, { multiline: true })),
  };
  try {
    return await run(argv, io);
  } catch (err) {
    if (err instanceof ConfigDiffError) io.stderr(`${err.message}\n`);
    else
      io.stderr(
        `[config-diff] unexpected error: ${(err as Error)?.name ?? "Error"}: ` +
          `${(err as Error)?.message ?? String(err)} — please report it\n`,
      );
    return 2;
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: TypeScript types it from the parseArgs call below
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        source: { type: "string" },
        runtime: { type: "string" },
        format: { type: "string", default: "human" },
        "env-mode": { type: "string" },
        "env-file": { type: "string" },
        "resolve-includes": { type: "boolean" },
        "include-root": { type: "string", multiple: true },
        ignore: { type: "string", multiple: true },
        "ignore-file": { type: "string" },
        "no-builtin-ignores": { type: "boolean" },
        "array-ordered": { type: "string", multiple: true },
        "array-set": { type: "string", multiple: true },
        "no-normalize": { type: "boolean" },
        lint: { type: "boolean" },
        "fail-on": { type: "string", multiple: true },
        "exit-zero": { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        color: { type: "boolean" },
        "no-color": { type: "boolean" },
        "token-file": { type: "string" },
        timeout: { type: "string" },
        "max-file-bytes": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (err) {
    // parseArgs names the flag, never a value.
    throw fail(`bad arguments: ${(err as Error).message.split("\n")[0]}`);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (v.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const format = v.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ConfigDiffError(
      "UNKNOWN_FORMAT",
      `unknown --format ${JSON.stringify(format)}: use one of ${FORMATS.join(", ")} — see config-diff --help`,
    );
  }
  if (!v.source) throw fail("--source is required");
  if (!v.runtime) throw fail("--runtime is required");
  if (v.source === "-" && v.runtime === "-") throw fail("only one of --source and --runtime can read stdin");

  let file: IgnoreFile = {};
  const ignoreFile =
    v["ignore-file"] ??
    (existsSync(resolve(io.cwd, ".config-diff.yaml")) ? resolve(io.cwd, ".config-diff.yaml") : undefined);
  if (ignoreFile) file = loadIgnoreFile(resolve(io.cwd, ignoreFile));

  const envMode = (v["env-mode"] ?? file.envMode ?? "literal") as EnvMode;
  if (!["literal", "resolve", "presence"].includes(envMode))
    throw fail(`unknown --env-mode ${JSON.stringify(envMode)}: use literal, resolve or presence`);
  let env: Record<string, string | undefined> = io.env;
  if (v["env-file"]) {
    if (envMode !== "resolve") throw fail("--env-file needs --env-mode resolve");
    env = { ...io.env, ...loadEnvFile(resolve(io.cwd, v["env-file"])) };
  }
  const failOn = (v["fail-on"] ?? file.failOn ?? []) as string[];
  for (const f of failOn)
    if (f !== "unverifiable") throw fail(`unknown --fail-on ${JSON.stringify(f)}: the only value is unverifiable`);
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    timeoutMs = Number(v.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw fail("--timeout must be a positive integer of milliseconds");
  }

  let maxBytes: number | undefined;
  if (v["max-file-bytes"] !== undefined) {
    maxBytes = Number(v["max-file-bytes"]);
    if (!Number.isInteger(maxBytes) || maxBytes <= 0)
      throw fail("--max-file-bytes must be a positive integer of bytes");
  }

  const ignore: IgnoreRuleSpec[] = [
    ...(file.ignore ?? []).map((r) =>
      typeof r === "string"
        ? { pattern: r, origin: "file" as const }
        : { pattern: r.pointer, origin: "file" as const, ...(r.reason ? { reason: r.reason } : {}) },
    ),
    ...(v.ignore ?? []).map((p) => ({ pattern: p, origin: "flag" as const })),
  ];
  const arrays: Record<string, "set" | "ordered"> = { ...(file.arrays ?? {}) };
  for (const p of v["array-ordered"] ?? []) arrays[p] = "ordered";
  for (const p of v["array-set"] ?? []) arrays[p] = "set";

  let token: string | undefined;
  if (v["token-file"]) token = readTextFile(resolve(io.cwd, v["token-file"]), 64 * 1024).trim();
  const load = (spec: string) =>
    loadConfigSource(
      spec === "-" ? spec : spec.startsWith("docker:") || spec.startsWith("gateway:") ? spec : resolve(io.cwd, spec),
      {
        ...(v["resolve-includes"] ? { resolveIncludes: true } : {}),
        ...(v["include-root"] ? { includeRoots: v["include-root"].map((r) => resolve(io.cwd, r)) } : {}),
        ...(token ? { token } : io.env.OPENCLAW_GATEWAY_TOKEN ? { token: io.env.OPENCLAW_GATEWAY_TOKEN } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(maxBytes ? { maxBytes } : {}),
        ...(io.env.DOCKER ? { docker: io.env.DOCKER } : {}),
      },
    );
  const labelled = async (spec: string) => {
    const c = await load(spec);
    // Show paths as the user typed them: goldens and CI logs stay stable across machines.
    return spec === "-" || spec.startsWith("docker:") || spec.startsWith("gateway:")
      ? c
      : configInput(c.value, spec, c.kind, c.live);
  };
  const [source, runtime] = await Promise.all([labelled(v.source), labelled(v.runtime)]);

  const options: DiffOptions = {
    envMode,
    env,
    normalize: !v["no-normalize"],
    builtinIgnores: !v["no-builtin-ignores"] && file.builtinIgnores !== false,
    ignore,
    arrays,
    failOn: failOn as "unverifiable"[],
    lint: Boolean(v.lint),
  };
  const report = diffConfigs(source, runtime, options);

  const color = v["no-color"] ? false : v.color ? true : io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb";
  switch (format as Format) {
    case "json":
      io.stdout(sanitizeForTerminal(renderJson(report), { multiline: true }));
      break;
    case "json-patch":
      io.stdout(sanitizeForTerminal(renderJsonPatch(report), { multiline: true }));
      break;
    case "github": {
      const gh = renderGithub(report);
      io.stdout(gh.annotations);
      if (io.env.GITHUB_STEP_SUMMARY) {
        try {
          appendFileSync(io.env.GITHUB_STEP_SUMMARY, gh.summary);
        } catch (err) {
          throw new ConfigDiffError(
            "FILE_UNREADABLE",
            `$GITHUB_STEP_SUMMARY (${io.env.GITHUB_STEP_SUMMARY}): cannot append the summary — check the runner`,
            {},
            { cause: err },
          );
        }
      } else io.stdout(gh.summary);
      break;
    }
    default:
      io.stdout(renderHuman(report, { color, verbose: Boolean(v.verbose) }));
  }
  return v["exit-zero"] ? 0 : report.exitCode;
}

declare const __CONFIG_DIFF_VERSION__: string | undefined;
const VERSION = typeof __CONFIG_DIFF_VERSION__ === "string" ? __CONFIG_DIFF_VERSION__ : "0.0.0-dev";
