// The real-host tier: the README's Deploy section, done for real on two Debian 12 hosts with
// systemd as PID 1 (systemd-nspawn containers, each in its own network namespace, reached over
// SSH). A copy of the example inventory, edited as a user edits it, and `ansible-playbook
// site.yml` — nothing else touches the hosts, apart from the checks (ssh, curl, the API).
// One deployment, many properties: check mode on fresh hosts, the first run (pairing included),
// idempotence, check mode on deployed hosts, units, journald, exposure, the Caddy ACL and the
// client address, a dispatched task, an h2c upstream, a rotated Caddy CA, drift, a store that
// cannot open, and a reboot of each host (the vps's: the gateway restarting under a running mc-server).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, tailOf } from "../ansible/helpers/ansible.js";
import { type Deployment, deployment } from "./helpers/deployment.js";
import { bootHosts, HOSTS, type Hosts } from "./helpers/hosts.mjs";

const SLOW = 900_000;
const timings: Record<string, number> = {};
const MC = `http://${HOSTS.pi.addr}:4000`;
const GATEWAY_CA = "/etc/missionctl/gateway-ca.crt";
let env: Hosts;
let work = "";
let d: Deployment;
const play: Deployment["play"] = (...a) => d.play(...a);
const ssh: Deployment["ssh"] = (...a) => d.ssh(...a);
const api: Deployment["api"] = (...a) => d.api(...a);
const waitFor: Deployment["waitFor"] = (...a) => d.waitFor(...a);
const status = () => d.status();
const connected = (timeoutMs?: number) => d.connected(timeoutMs);

/** The gateway's device list, read on the gateway host with the CLI the openclaw role installs. */
function devices(): { pending: any[]; paired: any[] } {
  const res = ssh("vps", "sudo /opt/openclaw/bin/openclaw devices list --json", 180_000);
  expect(res.status, res.out).toBe(0);
  const json = JSON.parse(res.stdout.slice(res.stdout.indexOf("{")));
  return { pending: json.pending ?? [], paired: json.paired ?? [] };
}

/** The main PID systemd has for a unit on a host (changes when the unit restarts). */
function mainPid(host: "vps" | "pi", unit: string): string {
  return ssh(host, `systemctl show -p MainPID --value ${unit}`).stdout.trim();
}

/** The lines of a unit's journal that are JSON objects, and all lines. */
function journalJson(host: "vps" | "pi", unit: string): { json: any[]; lines: string[] } {
  const res = ssh(host, `sudo journalctl -u ${unit} -o cat --no-pager -n 400`);
  const lines = res.stdout.split("\n").filter((l) => l.trim() !== "");
  const json = lines.flatMap((l) => {
    try {
      const v = JSON.parse(l);
      return v && typeof v === "object" ? [v] : [];
    } catch {
      return [];
    }
  });
  return { json, lines };
}

function exposure(host: "vps" | "pi", unit: string): { score: number; label: string } {
  const res = ssh(host, `sudo systemd-analyze security --no-pager ${unit}`);
  const m = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(res.out);
  if (!m) throw new Error(`[realhost] systemd-analyze security ${unit}: ${res.out.slice(-500)}`);
  return { score: Number(m[1]), label: m[2] ?? "" };
}

/** curl from the test machine: the HTTP status code on stdout, at most 15 s. */
function httpStatus(args: string[]) {
  return run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "15", ...args]);
}

async function rebootAndWait(host: "vps" | "pi"): Promise<void> {
  const before = ssh(host, "cat /proc/sys/kernel/random/boot_id").stdout.trim();
  ssh(host, "sudo systemd-run --on-active=1 systemctl reboot", 30_000);
  // The host goes down, then sshd answers again with a new boot id.
  await waitFor(`${host} to reboot`, 180_000, async () => {
    env.relink(host);
    const now = ssh(host, "cat /proc/sys/kernel/random/boot_id", 15_000);
    return now.status === 0 && now.stdout.trim() !== before && now.stdout.trim() !== "" ? true : undefined;
  });
  // The reboot ends that nspawn with 133 and the helper boots the same host again, as
  // systemd-nspawn@.service would: the host now running is a live container.
  expect(env.hosts[host].child.exitCode, `${host}: its container is not running after the reboot`).toBeNull();
}

beforeAll(async () => {
  const t0 = Date.now();
  env = await bootHosts({ lifetimeS: 5_400 });
  Object.assign(timings, env.timings);
  work = join(env.runDir, "controller");
  mkdirSync(work, { recursive: true });
  d = deployment(env, HOSTS, work, timings);
  timings.setupMs = Date.now() - t0;
}, 1_800_000);

// One after-hook (vitest runs after-hooks last-registered first): tear down, then check that
// nothing of the run stayed behind on the host machine.
afterAll(async () => {
  console.log(`[realhost timings ms] ${JSON.stringify(timings)}`);
  await env?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
  const rules = spawnSync("iptables", ["-S"], { encoding: "utf8" }).stdout ?? "";
  if (rules.includes("MCTL-REALHOST")) throw new Error("[realhost] iptables rules left behind");
}, 120_000);

describe("site.yml on two Debian 12 hosts with systemd", () => {
  it(
    "--check --diff on fresh hosts says what it would change and changes nothing",
    async () => {
      const res = await play(["--check", "--diff"], "checkFreshMs");
      expect(res.status, tailOf(res)).toBe(0);
      expect(Object.keys(res.recap).sort()).toEqual(["pi", "vps"]);
      for (const [host, r] of Object.entries(res.recap)) {
        expect(r.failed, host).toBe(0);
        expect(r.changed, `${host} would change something`).toBeGreaterThan(3);
      }
      expect(res.stdout).toContain("+++ after"); // the diffs
      expect(res.stdout).toContain("versions 1.1");
      expect(res.stdout, "the diff of openclaw.json shows the token's reference, never its value").toContain(
        "${OPENCLAW_GATEWAY_TOKEN}",
      );
      expect(ssh("vps", "test -e /etc/caddy/Caddyfile || test -e /opt/openclaw; echo $?").stdout.trim()).toBe("1");
      expect(ssh("pi", "test -e /opt/missionctl; echo $?").stdout.trim()).toBe("1");
    },
    SLOW,
  );

  it(
    "the first run ends with mc-server connected through Caddy over wss://, paired by the play",
    async () => {
      const res = await play([], "firstRunMs");
      expect(res.status, tailOf(res, 80)).toBe(0);
      expect(res.stdout).toMatch(
        /TASK \[mission-control : Approve the pending device on the gateway host\][^\n]*\n[^\n]*changed: \[pi/,
      );
      const s = await status();
      expect(s).toMatchObject({ state: "connected", gatewayUrl: "wss://gateway.example.com", protocol: 4 });
      // Caddy's own CA was carried to the pi and is what mc-server trusts.
      const ca = ssh("pi", `sudo cat ${GATEWAY_CA}`).stdout;
      expect(ca).toContain("BEGIN CERTIFICATE");
      expect(ssh("vps", "sudo cat /var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt").stdout).toBe(ca);
      expect(ssh("pi", "sudo grep NODE_EXTRA_CA_CERTS /etc/missionctl/mission-control.env").stdout).toContain(
        GATEWAY_CA,
      );
    },
    SLOW,
  );

  it(
    "a second run changes nothing on either host (and restarts nothing)",
    async () => {
      const pid = mainPid("vps", "openclaw-gateway");
      const res = await play([], "secondRunMs");
      expect(res.status, tailOf(res)).toBe(0);
      expect(Object.keys(res.recap).sort()).toEqual(["pi", "vps"]);
      for (const [host, r] of Object.entries(res.recap)) expect(r.changed, `${host} changed on the 2nd run`).toBe(0);
      expect(mainPid("vps", "openclaw-gateway")).toBe(pid);
    },
    SLOW,
  );

  it(
    "--check --diff on the deployed hosts reports nothing to change",
    async () => {
      const res = await play(["--check", "--diff"], "checkDeployedMs");
      expect(res.status, tailOf(res)).toBe(0);
      for (const [host, r] of Object.entries(res.recap)) expect(r.changed, `${host} would change`).toBe(0);
    },
    SLOW,
  );

  it("every unit is active and logs JSON lines to journald", () => {
    expect(ssh("vps", "systemctl is-active caddy openclaw-gateway").stdout.split("\n").filter(Boolean)).toEqual([
      "active",
      "active",
    ]);
    expect(ssh("pi", "systemctl is-active missionctl-server").stdout.trim()).toBe("active");
    expect(ssh("vps", "systemctl is-enabled caddy openclaw-gateway").stdout).not.toContain("disabled");
    expect(ssh("pi", "systemctl is-enabled missionctl-server").stdout.trim()).toBe("enabled");

    const mc = journalJson("pi", "missionctl-server");
    expect(mc.json.some((l) => l.msg === "mc-server listening")).toBe(true);
    expect(mc.json.some((l) => /connected/.test(String(l.msg)))).toBe(true);
    const gw = journalJson("vps", "openclaw-gateway");
    expect(gw.json.length, gw.lines.slice(-5).join("\n")).toBeGreaterThan(3);
    expect(gw.json.every((l) => typeof l.time === "string" && typeof l.level === "string")).toBe(true);
    // Everything the two processes print is JSON (systemd's own status lines are not theirs).
    const own = (lines: string[]) =>
      lines.filter((l) => l.startsWith("{") || !/\.service|^Started|^Stopped|^Stopping/.test(l));
    for (const lines of [own(mc.lines), own(gw.lines)])
      for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
  });

  it("systemd-analyze security rates both units OK (exposure <= 4)", () => {
    const gw = exposure("vps", "openclaw-gateway");
    const mc = exposure("pi", "missionctl-server");
    console.log(
      `[realhost exposure] openclaw-gateway ${gw.score} ${gw.label}, missionctl-server ${mc.score} ${mc.label}`,
    );
    timings.exposureGateway = gw.score;
    timings.exposureMissionControl = mc.score;
    for (const e of [gw, mc]) {
      expect(e.score).toBeLessThanOrEqual(4);
      expect(["OK", "SAFE"]).toContain(e.label);
    }
  });

  it("Caddy answers 403 outside caddy_allowed_networks, lets the pi through and forwards its real address", async () => {
    // From the host machine (10.77.1.1: not in the pi's 10.77.2.0/24, the inventory's only network).
    const outside = await httpStatus([
      "--cacert",
      join(env.hosts.vps.root, "var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt"),
      "--resolve",
      `gateway.example.com:443:${HOSTS.vps.addr}`,
      "https://gateway.example.com/",
    ]);
    expect(outside.stdout, tailOf(outside)).toBe("403");
    const inside = ssh(
      "pi",
      `curl -sS -o /dev/null -w '%{http_code}' --max-time 15 --cacert ${GATEWAY_CA} https://gateway.example.com/`,
    );
    expect(inside.status, inside.out).toBe(0);
    expect(inside.stdout).not.toBe("403");
    expect(Number(inside.stdout)).toBeLessThan(500);
    // No header stripping: the gateway attributes mc-server to the pi's own address.
    expect(ssh("vps", "cat /etc/caddy/Caddyfile").stdout).not.toMatch(/header_up -X-Forwarded-For/);
    const paired = devices().paired;
    expect(JSON.stringify(paired)).toContain(HOSTS.pi.addr);
    // The dashboard through its Caddy site is answered (MC_ALLOWED_HOSTS has the site by itself);
    // a name the deployment does not know is refused (DNS rebinding defence).
    const dashboard = ssh(
      "pi",
      `curl -sS -o /dev/null -w '%{http_code}' --max-time 15 --cacert ${GATEWAY_CA} https://mc.example.com/api/health`,
    );
    expect(dashboard.stdout, dashboard.out).toBe("200");
    const rebound = await httpStatus(["-H", "Host: rebound.attacker.example", `${MC}/api/health`]);
    expect(rebound.stdout, tailOf(rebound)).toBe("421");
  });

  it(
    "a task dispatched through the pi's API reaches the gateway's session on the vps",
    async () => {
      const marker = `realhost-${Date.now().toString(36)}`;
      const created = await api("POST", "/api/tasks", { title: `Check ${marker}`, assignedAgentId: "main" });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const dispatched = await api("POST", `/api/tasks/${created.json.task.id}/dispatch`, {
        message: `Confirm ${marker}`,
      });
      expect(dispatched.status, JSON.stringify(dispatched.json)).toBe(202);
      const key = dispatched.json.outbox.sessionKey as string;
      const t = Date.now();
      await waitFor("the message in the gateway's chat.history", 120_000, async () => {
        const h = await api("GET", `/api/openclaw/sessions/${encodeURIComponent(key)}/history`);
        return h.status === 200 && JSON.stringify(h.json.messages).includes(marker) ? true : undefined;
      });
      timings.dispatchMs = Date.now() - t;
    },
    SLOW,
  );

  it(
    "with an h2c upstream transport mc-server's status, the doctor on the pi and the play's pairing wait name the upgrade layer and the HTTP/1.1 fix",
    async () => {
      // The failure the field hit: Caddy speaking HTTP/2 to the gateway, which never upgrades.
      const broken = await play(
        ["--tags", "caddy", "-l", "vps", "-e", '{"caddy_gateway_transport_versions": ["h2c", "2"]}'],
        "h2cRunMs",
      );
      expect(broken.status, tailOf(broken)).toBe(0);
      expect(ssh("vps", "sudo cat /etc/caddy/Caddyfile").stdout).toContain("versions h2c 2");
      expect(ssh("vps", "sudo systemctl restart caddy").status).toBe(0); // drop the established connection
      const s = await waitFor("the upgrade failure in mc-server's status", 240_000, async () => {
        const st = await status();
        return st.lastError?.code === "UPGRADE_NOT_SWITCHED" && st.state !== "connected" ? st : undefined;
      });
      expect(s.lastError.layer).toBe("upgrade");
      expect(s.lastError.hint).toMatch(/HTTP\/1\.1|versions 1\.1/);
      expect(s.lastError.hint).toMatch(/h2c|proxy/i);

      // The doctor of the installed gateway-client, on the pi, with mc-server's own settings.
      const doctor = ssh(
        "pi",
        `sudo sh -c 'set -a; . /etc/missionctl/mission-control.env; set +a; exec /opt/missionctl/bin/node /opt/missionctl/node_modules/@missionctl/gateway-client/dist/cli.js doctor --ca ${GATEWAY_CA}'`,
      );
      expect(doctor.status, doctor.out).toBe(1);
      expect(doctor.out).toMatch(/upgrade/i);
      expect(doctor.out).toMatch(/502/);
      expect(doctor.out).toMatch(/HTTP\/1\.1|versions 1\.1/);
      expect(doctor.out).not.toContain(d.tokens.gateway);

      // The play's pairing wait fails with mc-server's own diagnosis, not a bare "attempts: N".
      const wait = await play(
        [
          "--tags",
          "pairing",
          "-l",
          "pi",
          "-e",
          '{"mission_control_auto_approve": true, "mission_control_pairing_timeout": 6}',
        ],
        "h2cPairingWaitMs",
      );
      const waited = wait.stdout + wait.stderr;
      expect(wait.status, tailOf(wait)).not.toBe(0);
      expect(waited).toContain("UPGRADE_NOT_SWITCHED (upgrade layer)");
      expect(waited).toMatch(/versions 1\.1/);

      // The inventory's HTTP/1.1 again: connected without pairing again.
      const fixed = await play(["--tags", "caddy", "-l", "vps"], "h2cFixRunMs");
      expect(fixed.status, tailOf(fixed)).toBe(0);
      expect(ssh("vps", "sudo cat /etc/caddy/Caddyfile").stdout).toContain("versions 1.1");
      await connected(240_000);
    },
    SLOW,
  );

  it(
    "a new Caddy CA reaches mc-server with the next run, which restarts it; drift in the runtime openclaw.json fails the run until openclaw_force_runtime_sync=true",
    async () => {
      // Caddy issues a new root (its CA and the leaves it signed wiped: a cached leaf would still be
      // served, signed by the old root): mc-server no longer trusts the gateway.
      const rotate = ssh(
        "vps",
        "sudo systemctl stop caddy && sudo rm -rf /var/lib/caddy/.local/share/caddy/pki /var/lib/caddy/.local/share/caddy/certificates && sudo systemctl start caddy",
      );
      expect(rotate.status, rotate.out).toBe(0);
      // Caddy's restart also ended mc-server's connection: its reconnect meets the new root.
      await waitFor("a TLS failure", 180_000, async () => {
        const s = await status();
        return s.state !== "connected" && /^TLS_/.test(s.lastError?.code ?? "") ? true : undefined;
      });
      const mcPid = mainPid("pi", "missionctl-server");

      // The way it happens in the field: someone runs `openclaw config set` on the server.
      const edited = ssh(
        "vps",
        `sudo /opt/openclaw/bin/openclaw config set gateway.controlUi.allowedOrigins '["https://edited-on-server.example"]' --strict-json`,
      );
      expect(edited.status, edited.out).toBe(0);
      expect(ssh("vps", "sudo cat /var/lib/openclaw/state/openclaw.json").stdout).toContain("edited-on-server.example");
      const drift = await play(["--tags", "openclaw", "-l", "vps"], "driftRunMs");
      expect(drift.status, tailOf(drift)).not.toBe(0);
      expect(drift.stdout).toContain("the runtime config drifted");
      expect(drift.stdout).toContain("gateway.controlUi.allowedOrigins");
      // `config set` also adds a meta block and rewrites the formatting: not drift.
      expect(drift.stdout).not.toMatch(/^\s*[+-~] meta/m);

      const synced = await play(["-e", "openclaw_force_runtime_sync=true"], "syncRunMs");
      expect(synced.status, tailOf(synced, 80)).toBe(0);
      expect(ssh("vps", "sudo cat /var/lib/openclaw/state/openclaw.json").stdout).not.toContain("edited-on-server");
      expect(synced.stdout).toMatch(
        /TASK \[mission-control : Install Caddy's root CA for mc-server\][^\n]*\n[^\n]*changed: \[pi\]/,
      );
      expect(mainPid("pi", "missionctl-server")).not.toBe(mcPid);
      expect((await status()).state).toBe("connected");
    },
    SLOW,
  );

  it(
    "a store that cannot open stops mc-server with one JSON line naming the cause and the fix, and no restart loop",
    async () => {
      const broken = ssh(
        "pi",
        "sudo systemctl stop missionctl-server && sudo mv /var/lib/missionctl/mission-control.db /var/lib/missionctl/keep.db && " +
          "sudo rm -f /var/lib/missionctl/mission-control.db-wal /var/lib/missionctl/mission-control.db-shm && " +
          "echo 'not a database, just text long enough to be read as a header of sixteen bytes' | sudo -u missionctl tee /var/lib/missionctl/mission-control.db >/dev/null && " +
          "sudo systemctl start missionctl-server; sleep 8; systemctl show -p Result -p ExecMainStatus -p NRestarts missionctl-server",
      );
      try {
        expect(broken.stdout).toContain("ExecMainStatus=78");
        expect(broken.stdout).toContain("NRestarts=0");
        const lines = journalJson("pi", "missionctl-server").json.filter((l) => l.level === "error");
        const last = lines.at(-1);
        expect(last, JSON.stringify(lines.slice(-3))).toMatchObject({
          code: "CONFIG_DATABASE",
          variable: "DATABASE_PATH",
        });
        expect(last.msg).toContain("/var/lib/missionctl/mission-control.db");
        expect(last.hint).toMatch(/DATABASE_PATH/);
      } finally {
        const restore = ssh(
          "pi",
          "sudo mv /var/lib/missionctl/keep.db /var/lib/missionctl/mission-control.db && sudo systemctl reset-failed missionctl-server && sudo systemctl start missionctl-server",
        );
        expect(restore.status, restore.out).toBe(0);
      }
      await connected();
    },
    SLOW,
  );

  it(
    "rebooting each host brings everything back connected, without pairing again (the gateway's restart: mc-server reconnects by itself)",
    async () => {
      const before = devices();
      const deviceId = (await status()).deviceId;
      for (const host of ["vps", "pi"] as const) {
        // Read for the vps's reboot only: the pi's own reboot restarts mc-server.
        const mcPid = host === "vps" ? mainPid("pi", "missionctl-server") : null;
        const t = Date.now();
        await rebootAndWait(host);
        await connected(300_000);
        timings[`reboot_${host}_Ms`] = Date.now() - t;
        if (mcPid !== null) {
          // The gateway went away with its host and came back: the same mc-server process, never
          // restarted, noticed and connected again by itself (its state changed after the reboot began).
          expect(mainPid("pi", "missionctl-server")).toBe(mcPid);
          expect(Date.parse((await status()).since)).toBeGreaterThan(t);
        }
      }
      const after = devices();
      expect((await status()).deviceId).toBe(deviceId);
      expect(after.pending).toEqual([]);
      expect(after.paired.length).toBe(before.paired.length);
      expect(ssh("vps", "systemctl is-active caddy openclaw-gateway").stdout).not.toMatch(/inactive|failed/);
    },
    SLOW,
  );
});
