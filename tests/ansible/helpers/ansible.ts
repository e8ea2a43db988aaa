// Runs the repository's Ansible content the way a user does (ansible-playbook, ansible-lint,
// yamllint, caddy, systemd-analyze) and parses what they print. No shell: argv arrays only.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { runProcess } from "../../run-process.mjs";

export const repoRoot = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Spawns a command without a shell; never rejects (the caller asserts on status). */
export async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { status, stdout, stderr, ms } = await runProcess(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ANSIBLE_NOCOLOR: "1", ANSIBLE_FORCE_COLOR: "0", ...opts.env },
    timeoutMs: opts.timeoutMs ?? 600_000,
  });
  return { status, stdout, stderr, ms };
}

export interface HostRecap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** Parses the PLAY RECAP block of the default callback into per-host counters. */
export function parseRecap(stdout: string): Record<string, HostRecap> {
  const at = stdout.lastIndexOf("PLAY RECAP");
  if (at < 0) return {};
  const recap: Record<string, HostRecap> = {};
  for (const line of stdout.slice(at).split("\n").slice(1)) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, host = "", rest = ""] = m;
    const counts = Object.fromEntries([...rest.matchAll(/(\w+)=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
    recap[host] = counts as unknown as HostRecap;
  }
  return recap;
}

export function totalChanged(recap: Record<string, HostRecap>): number {
  return Object.values(recap).reduce((n, h) => n + h.changed, 0);
}

/**
 * A scratch folder with a copy of the example inventory's group_vars (the settings a user copies)
 * and a two-host inventory (gateway "vps", mission control "pi") reached with a local connection.
 */
export function makeWorkspace(prefix = "mctl-ansible-"): { dir: string; inventory: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const inventory = join(dir, "hosts.yml");
  cpSync(join(repoRoot, "inventory/example/group_vars"), join(dir, "group_vars"), { recursive: true });
  const local = "ansible_connection: local, ansible_python_interpreter: /usr/bin/python3";
  writeFileSync(
    inventory,
    [
      "all:",
      "  children:",
      "    gateway:",
      "      hosts:",
      `        vps: {ansible_host: 100.64.0.2, ${local}}`,
      "    mission_control:",
      "      hosts:",
      `        pi: {ansible_host: 100.64.0.1, ${local}}`,
      "",
    ].join("\n"),
  );
  return { dir, inventory };
}

/** Writes extra vars to a 0600 JSON file (tokens never go on a command line). */
export function writeVars(dir: string, name: string, vars: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(vars, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export interface PlaybookResult extends RunResult {
  recap: Record<string, HostRecap>;
}

export async function playbook(
  inventory: string,
  varFiles: string[],
  extraArgs: string[] = [],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<PlaybookResult> {
  const args = ["-i", inventory, "site.yml", ...varFiles.flatMap((f) => ["-e", `@${f}`]), ...extraArgs];
  const tmp = controllerTmp(dirname(inventory));
  const res = await run("ansible-playbook", args, {
    env: {
      ANSIBLE_CONFIG: join(repoRoot, "ansible.cfg"),
      ANSIBLE_STDOUT_CALLBACK: "default",
      TMPDIR: tmp,
      ...opts.env,
    },
    timeoutMs: opts.timeoutMs,
  });
  expectNothingLeftIn(tmp);
  return { ...res, recap: parseRecap(res.stdout) };
}

/**
 * The controller's TMPDIR for the plays of one workspace: the roles' scratch folders (the rendered
 * config, the packed packages) go there, and must be gone when the play ends, failed or not.
 */
export function controllerTmp(workDir: string): string {
  const dir = join(workDir, "controller-tmp");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function expectNothingLeftIn(tmp: string): void {
  expect(readdirSync(tmp), "the play left scratch files on the controller").toEqual([]);
}

/** Explains a failed run in an assertion message (tail of the output). */
export function tailOf(res: RunResult, n = 60): string {
  return `exit ${res.status}\n${`${res.stdout}\n${res.stderr}`.split("\n").slice(-n).join("\n")}`;
}

/** Reads KEY=value / KEY="value" lines as systemd's EnvironmentFile= does (the subset we render). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(["\\])/g, "$1");
    env[key] = value;
  }
  return env;
}
