// What a user does on the controller, shared by the real-host runs (the npm method's tier and the
// docker method's run): copy the example inventory, fill in and encrypt the vault, point it at the
// hosts, and run `ansible-playbook -i <copy> site.yml`; plus the checks a user makes (ssh, the
// Mission Control API).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import {
  controllerTmp,
  expectNothingLeftIn,
  type PlaybookResult,
  parseRecap,
  repoRoot,
  run,
} from "../../ansible/helpers/ansible.js";
import { waitFor as waitUntil } from "../../ansible/helpers/wait.js";
import type { HostSpec, Hosts } from "./hosts.mjs";

export type HostName = "vps" | "pi";

/** A file of the copied inventory, edited as a user would: each replacement must match once. */
export function edit(file: string, pairs: [string | RegExp, string][]): void {
  let text = readFileSync(file, "utf8");
  for (const [from, to] of pairs) {
    const before = text;
    text = text.replace(from, to);
    if (text === before) throw new Error(`[realhost] ${file}: ${String(from)} not found`);
  }
  writeFileSync(file, text);
}

export interface Deployment {
  inventory: string;
  tokens: { gateway: string; api: string };
  /** `ansible-playbook -i <copy> site.yml --vault-password-file …` from the checkout, as the README says. */
  play(args?: string[], what?: string): Promise<PlaybookResult>;
  ssh(host: HostName, command: string, timeoutMs?: number): { status: number | null; out: string; stdout: string };
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T>;
  /** mc-server's view of the gateway (GET /api/openclaw/status). */
  status(): Promise<any>;
  connected(timeoutMs?: number): Promise<true>;
}

/**
 * README, Deploy, step 1 in `work`: copy the example inventory, fill in the vault, encrypt it,
 * edit the names, addresses and networks. Here: the hosts' addresses, the pi's network as the
 * only client network, and Caddy's own CA (no public names, so no ACME).
 */
export function deployment(
  env: Hosts,
  set: { vps: HostSpec; pi: HostSpec },
  work: string,
  timings: Record<string, number>,
): Deployment {
  const tokens = { gateway: randomBytes(32).toString("hex"), api: randomBytes(32).toString("hex") };
  const inventory = join(work, "prod");
  cpSync(join(repoRoot, "inventory/example"), inventory, { recursive: true });
  const vault = join(inventory, "group_vars/all/vault.yml");
  cpSync(`${vault}.example`, vault);
  edit(vault, [
    [/^vault_openclaw_gateway_token: .*$/m, `vault_openclaw_gateway_token: "${tokens.gateway}"`],
    [/^vault_mission_control_api_token: .*$/m, `vault_mission_control_api_token: "${tokens.api}"`],
  ]);
  const vaultPass = join(work, "vault-pass");
  writeFileSync(vaultPass, `${randomBytes(24).toString("hex")}\n`, { mode: 0o600 });
  const enc = spawnSync("ansible-vault", ["encrypt", "--vault-password-file", vaultPass, vault], { encoding: "utf8" });
  if (enc.status !== 0) throw new Error(`[realhost] ansible-vault encrypt failed: ${enc.stderr}`);
  expect(readFileSync(vault, "utf8")).toMatch(/^\$ANSIBLE_VAULT/);
  edit(join(inventory, "hosts.yml"), [
    ["ansible_host: 100.64.0.2", `ansible_host: ${set.vps.addr}`],
    ["ansible_host: 100.64.0.1", `ansible_host: ${set.pi.addr}`],
  ]);
  edit(join(inventory, "group_vars/all/main.yml"), [
    [/^missionctl_vpn_networks: .*$/m, `missionctl_vpn_networks: ["${set.pi.addr.replace(/\.\d+$/, ".0")}/24"]`],
  ]);
  edit(join(inventory, "group_vars/gateway.yml"), [[/^caddy_tls: ""/m, "caddy_tls: internal"]]);

  const mc = `http://${set.pi.addr}:4000`;
  const ssh: Deployment["ssh"] = (host, command, timeoutMs = 120_000) => {
    const res = env.ssh(host, command, { timeoutMs });
    return { status: res.status, out: `${res.stdout ?? ""}${res.stderr ?? ""}`, stdout: res.stdout ?? "" };
  };
  const api: Deployment["api"] = async (method, path, body) => {
    const res = await fetch(`${mc}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.api}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json };
  };
  const waitFor: Deployment["waitFor"] = (what, timeoutMs, probe) =>
    waitUntil(what, timeoutMs, probe, {
      intervalMs: 1_000,
      context: () => ssh("pi", "sudo journalctl -u missionctl-server -n 15 -o cat --no-pager").out,
    });
  const status = async () => (await api("GET", "/api/openclaw/status")).json;
  return {
    inventory,
    tokens,
    ssh,
    api,
    waitFor,
    status,
    connected: (timeoutMs = 180_000) =>
      waitFor("mc-server connected", timeoutMs, async () =>
        (await status()).state === "connected" ? true : undefined,
      ),
    async play(args = [], what = "play") {
      const tmp = controllerTmp(work);
      const res = await run(
        "ansible-playbook",
        ["-i", inventory, "site.yml", "--vault-password-file", vaultPass, ...args],
        {
          cwd: repoRoot,
          env: {
            ANSIBLE_CONFIG: join(repoRoot, "ansible.cfg"),
            ANSIBLE_STDOUT_CALLBACK: "default",
            // The operator's SSH setup: the key made for this run and the hosts' pinned keys.
            ANSIBLE_PRIVATE_KEY_FILE: env.key,
            ANSIBLE_SSH_COMMON_ARGS: `-o UserKnownHostsFile=${env.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
            TMPDIR: tmp,
          },
          timeoutMs: 1_200_000,
        },
      );
      timings[what] = res.ms;
      const out = res.stdout + res.stderr;
      expect(out, "a token reached the play's output").not.toContain(tokens.gateway);
      expect(out, "a token reached the play's output").not.toContain(tokens.api);
      expectNothingLeftIn(tmp);
      return { ...res, recap: parseRecap(res.stdout) };
    },
  };
}
