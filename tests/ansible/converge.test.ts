// Tier 1 (converge): site.yml applied with a local connection into a prefix folder; the rendered
// files checked by the real tools (caddy validate, systemd-analyze verify); the guard rails
// (config-diff lint, drift in warn mode, DATABASE_URL) failing or warning when they should.
// Check mode, idempotence and the play's effect on real machines are the real-host tier's
// (tests/realhost): on two Debian hosts with systemd, not in a folder.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Each ansible-playbook run takes 10–30 s on an idle 2-core machine and minutes on a busy one.
const SLOW = 900_000;

import { makeWorkspace, parseEnvFile, playbook, run, tailOf, totalChanged, writeVars } from "./helpers/ansible.js";
import { prefixVars, testTokens } from "./helpers/vars.js";

const tokens = testTokens();
const ws = makeWorkspace("mctl-converge-");
const root = join(ws.dir, "root");
const vars = writeVars(ws.dir, "vars.json", prefixVars(root, tokens));
const timings: Record<string, number> = {};
const file = (p: string) => join(root, p);
const mode = (p: string) => (statSync(file(p)).mode & 0o777).toString(8);
const noSecrets = (out: string) => {
  expect(out).not.toContain(tokens.gateway);
  expect(out).not.toContain(tokens.api);
};

afterAll(() => {
  rmSync(ws.dir, { recursive: true, force: true });
  console.log(`[ansible converge timings ms] ${JSON.stringify(timings)}`);
});

describe("site.yml in prefix mode", () => {
  beforeAll(async () => {
    mkdirSync(root, { recursive: true });
  });

  it(
    "converges into the folder",
    async () => {
      const first = await playbook(ws.inventory, [vars]);
      timings.converge = first.ms;
      expect(first.status, tailOf(first)).toBe(0);
      expect(Object.keys(first.recap).sort()).toEqual(["pi", "vps"]);
      expect(totalChanged(first.recap)).toBeGreaterThan(5);
      noSecrets(first.stdout + first.stderr);
    },
    SLOW,
  );

  it(
    "renders the files with the right content and permissions",
    () => {
      const caddyfile = readFileSync(file("etc/caddy/Caddyfile"), "utf8");
      expect(caddyfile).toMatch(/reverse_proxy 127\.0\.0\.1:18789 \{[\s\S]*transport http \{\s*versions 1\.1\s*\}/);
      expect(caddyfile).toContain("@denied not remote_ip 100.64.0.0/10 fd7a:115c:a1e0::/48");
      expect(caddyfile).toContain('respond @denied "Forbidden" 403');
      expect(caddyfile).toContain("mc.example.com:8443");

      const oc = JSON.parse(readFileSync(file("etc/openclaw/openclaw.json"), "utf8"));
      expect(oc.gateway).toMatchObject({
        mode: "local",
        bind: "loopback",
        port: 18789,
        auth: { mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}" },
        trustedProxies: ["127.0.0.1"],
        nodes: { pairing: { autoApproveLocal: true } },
        controlUi: { allowedOrigins: ["https://gateway.example.com", "https://mc.example.com"] },
      });
      expect(readFileSync(file("var/lib/openclaw/state/openclaw.json"), "utf8")).toBe(
        readFileSync(file("etc/openclaw/openclaw.json"), "utf8"),
      );
      expect(mode("var/lib/openclaw/state/openclaw.json")).toBe("600");

      const gwEnv = parseEnvFile(readFileSync(file("etc/openclaw/gateway.env"), "utf8"));
      expect(gwEnv.OPENCLAW_GATEWAY_TOKEN).toBe(tokens.gateway);
      expect(mode("etc/openclaw/gateway.env")).toBe("600");

      const mcEnv = parseEnvFile(readFileSync(file("etc/missionctl/mission-control.env"), "utf8"));
      expect(mcEnv).toMatchObject({
        DATABASE_PATH: "/var/lib/missionctl/mission-control.db",
        MC_IDENTITY_DIR: "/var/lib/missionctl/identity",
        OPENCLAW_GATEWAY_URL: "wss://gateway.example.com",
        OPENCLAW_GATEWAY_TOKEN: tokens.gateway,
        MC_API_TOKEN: tokens.api,
        PORT: "4000",
        HOST: "127.0.0.1",
      });
      // The dashboard's Caddy site comes from the gateway host by itself (DNS rebinding defence).
      expect(mcEnv.MC_ALLOWED_HOSTS?.split(",")).toEqual(expect.arrayContaining(["mc.example.com", "127.0.0.1"]));
      expect(mcEnv).not.toHaveProperty("DATABASE_URL");
      expect(mode("etc/missionctl/mission-control.env")).toBe("600");
      expect(mode("var/lib/missionctl/identity")).toBe("700");

      const unit = readFileSync(file("etc/systemd/system/missionctl-server.service"), "utf8");
      for (const line of [
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ProtectHome=true",
        "PrivateTmp=true",
        "StandardOutput=journal",
      ]) {
        expect(unit).toContain(line);
      }
      expect(unit).toContain("ReadWritePaths=/var/lib/missionctl /var/lib/missionctl/identity");
    },
    SLOW,
  );

  it(
    "caddy validate accepts the rendered Caddyfile and keeps its CA inside the target folder",
    async () => {
      const res = await run("caddy", ["validate", "--adapter", "caddyfile", "--config", file("etc/caddy/Caddyfile")], {
        cwd: ws.dir,
      });
      expect(res.status, tailOf(res)).toBe(0);
      expect(res.stdout + res.stderr).toContain("Valid configuration");
      expect(existsSync(file("var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt"))).toBe(true);
    },
    SLOW,
  );

  it(
    "systemd-analyze verify accepts the rendered units",
    async () => {
      for (const unit of ["openclaw-gateway.service", "missionctl-server.service"]) {
        const res = await run("systemd-analyze", ["verify", file(`etc/systemd/system/${unit}`)]);
        expect(res.status, `${unit}: ${tailOf(res)}`).toBe(0);
      }
    },
    SLOW,
  );

  it(
    "refuses an openclaw.json that config-diff --lint rejects, and deploys nothing",
    async () => {
      const before = readFileSync(file("etc/openclaw/openclaw.json"), "utf8");
      const bad = writeVars(ws.dir, "bad-key.json", {
        openclaw_extra_config: { gateway: { controlUi: { allowedOrigin: ["https://typo.example"] } } },
      });
      const res = await playbook(ws.inventory, [vars, bad], ["-l", "vps", "--tags", "openclaw"]);
      timings.lintReject = res.ms;
      expect(res.status, tailOf(res)).not.toBe(0);
      expect(res.stdout).toContain("config-diff --lint rejected the rendered config");
      expect(res.stdout).toMatch(/Unrecognized key \\?"allowedOrigin\\?"/);
      expect(readFileSync(file("etc/openclaw/openclaw.json"), "utf8")).toBe(before);
      expect(readFileSync(file("var/lib/openclaw/state/openclaw.json"), "utf8")).toBe(before);
    },
    SLOW,
  );

  it(
    "warns about a runtime config edited after deploy (config-diff drift) when told not to fail",
    async () => {
      // Failing on drift and openclaw_force_runtime_sync are the real-host tier's (tests/realhost).
      const runtimePath = file("var/lib/openclaw/state/openclaw.json");
      const edited = JSON.parse(readFileSync(runtimePath, "utf8"));
      edited.gateway.controlUi.allowedOrigins = [];
      writeFileSync(runtimePath, JSON.stringify(edited, null, 2));

      const warnOnly = writeVars(ws.dir, "warn.json", { openclaw_fail_on_drift: false });
      const warned = await playbook(ws.inventory, [vars, warnOnly], ["-l", "vps", "--tags", "openclaw"]);
      timings.driftWarn = warned.ms;
      expect(warned.status, tailOf(warned)).toBe(0);
      expect(warned.stdout).toContain("[openclaw] drift between");
      expect(warned.stdout).toContain("gateway.controlUi.allowedOrigins");
      // Warned, not repaired: the edit is still there.
      expect(JSON.parse(readFileSync(runtimePath, "utf8")).gateway.controlUi.allowedOrigins).toEqual([]);
    },
    SLOW,
  );

  it(
    "the docker method renders a gateway reachable through its published port and a CLI that runs in the container",
    async () => {
      // Its own folder: the same role with openclaw_install_method: docker (what realhost/docker.test.ts runs).
      const dockerRoot = join(ws.dir, "root-docker");
      mkdirSync(dockerRoot, { recursive: true });
      const docker = writeVars(ws.dir, "docker.json", {
        ...prefixVars(dockerRoot, tokens),
        openclaw_install_method: "docker",
      });
      const res = await playbook(ws.inventory, [docker], ["-l", "vps", "--tags", "openclaw"]);
      timings.dockerRender = res.ms;
      expect(res.status, tailOf(res)).toBe(0);
      noSecrets(res.stdout + res.stderr);
      const config = JSON.parse(readFileSync(join(dockerRoot, "etc/openclaw/openclaw.json"), "utf8"));
      // Inside the container "loopback" would be the container's own: unreachable through the port.
      expect(config.gateway.bind).toBe("lan");
      // Caddy's connections arrive through docker-proxy from the default bridge's gateway.
      expect(config.gateway.trustedProxies).toEqual(["172.17.0.1"]);
      const cli = readFileSync(join(dockerRoot, "opt/openclaw/bin/openclaw"), "utf8");
      expect(cli).toContain('exec docker exec -i openclaw openclaw "$@"');
      expect(cli).not.toContain("gateway.env");
      expect(existsSync(join(dockerRoot, "etc/systemd/system/openclaw-gateway.service"))).toBe(false);
    },
    SLOW,
  );

  it(
    "refuses DATABASE_URL in the mc-server environment",
    async () => {
      const bad = writeVars(ws.dir, "dburl.json", { mission_control_extra_env: { DATABASE_URL: "file:/tmp/x.db" } });
      const res = await playbook(ws.inventory, [vars, bad], ["-l", "pi"]);
      expect(res.status, tailOf(res)).not.toBe(0);
      expect(res.stdout).toContain("sets DATABASE_URL, which mc-server ignores");
      expect(res.stdout).toContain("DATABASE_PATH");
    },
    SLOW,
  );
});
