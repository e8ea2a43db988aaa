// The reference deployment end to end, rendered by the roles and run for real inside two network
// namespaces made by this test: "vps" runs Caddy (the rendered Caddyfile, tls internal, bound to the
// namespace's address) and the OpenClaw gateway (the rendered openclaw.json, loopback); "pi" runs
// mc-server (the rendered env file) connecting over wss:// through Caddy from a non-loopback
// address, so the gateway sees a remote device that must be paired — approved by the
// mission-control role's pairing step. Then the failure the field hit: an h2c upstream transport.
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, parseEnvFile, playbook, repoRoot, run, tailOf, writeVars } from "./helpers/ansible.js";
import { createTopology, firstLine, spawnIn, stopChild, type Topology } from "./helpers/netns.js";
import { prefixVars, testTokens } from "./helpers/vars.js";
import { waitFor as waitUntil } from "./helpers/wait.js";

const SLOW = 600_000;
const GATEWAY_PORT = 18789;
const STUB_PORT = 18790;
const MC_PORT = 4000;
const CA_PATH = "/var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt";

const tokens = testTokens();
const ws = makeWorkspace("mctl-e2e-");
const root = join(ws.dir, "root");
const bridgeSocket = join(ws.dir, "mc.sock");
const timings: Record<string, number> = {};
let topo: Topology | undefined;
let vars = "";
let peer: ChildProcess | undefined;
let _peerInfo:
  | { nodeBin: string; openclawEntry: string; stateDir: string; home: string; configPath: string }
  | undefined;
let caddy: ChildProcess | undefined;
let mc: ChildProcess | undefined;
let bridge: ChildProcess | undefined;
let mcLog = "";
let caddyLog = "";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mc-server's API, reached through the Unix-socket bridge into the "pi" namespace. */
function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolveApi, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath: bridgeSocket,
        method,
        path,
        headers: {
          host: `127.0.0.1:${MC_PORT}`,
          authorization: `Bearer ${tokens.api}`,
          ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json: any = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = { raw: text };
          }
          resolveApi({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    if (data) req.write(data);
    req.end();
  });
}

const waitFor = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) =>
  waitUntil(what, timeoutMs, probe, { context: () => `mc-server log tail:\n${mcLog.slice(-3000)}` });

function startCaddy(): ChildProcess {
  const child = spawnIn(
    topo!.vps,
    "caddy",
    ["run", "--adapter", "caddyfile", "--config", join(root, "etc/caddy/Caddyfile")],
    {
      ...process.env,
      HOME: ws.dir,
      XDG_CONFIG_HOME: join(ws.dir, "xdg-config"),
      XDG_DATA_HOME: join(ws.dir, "xdg-data"),
    },
  );
  child.stdout?.on("data", (d) => (caddyLog += d));
  child.stderr?.on("data", (d) => (caddyLog += d));
  return child;
}

beforeAll(async () => {
  const t0 = Date.now();
  topo = createTopology();
  const { vpsAddr, piAddr } = topo;

  // The gateway CLI on the "gateway host": the rendered env file (token), the peer's state, run in "vps".
  const cliWrapper = join(ws.dir, "openclaw-cli.sh");
  const base = prefixVars(root, tokens);
  vars = writeVars(ws.dir, "e2e.json", {
    ...base,
    caddy_bind: [vpsAddr],
    caddy_https_port: 443,
    caddy_gateway_site: vpsAddr,
    caddy_gateway_upstream: `127.0.0.1:${GATEWAY_PORT}`,
    caddy_allowed_networks: [`${piAddr}/32`],
    caddy_mission_control_site: "",
    openclaw_gateway_port: GATEWAY_PORT,
    openclaw_allowed_origins: [],
    openclaw_trusted_proxies: ["127.0.0.1"],
    openclaw_extra_config: {
      logging: { file: join(root, "var/lib/openclaw/gateway.log") },
      agents: { defaults: { heartbeat: { every: "0m" }, model: { primary: "stub/stub-model" } } },
      models: {
        mode: "replace",
        providers: {
          stub: {
            baseUrl: `http://127.0.0.1:${STUB_PORT}/v1`,
            apiKey: "stub-key",
            api: "openai-completions",
            models: [
              {
                id: "stub-model",
                name: "Stub Model",
                reasoning: false,
                input: ["text"],
                cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
                contextWindow: 128000,
                maxTokens: 4096,
              },
            ],
          },
        },
      },
    },
    mission_control_gateway_url: `wss://${vpsAddr}`,
    mission_control_port: MC_PORT,
    mission_control_extra_ca_cert: CA_PATH,
    mission_control_gateway_cli: cliWrapper,
    mission_control_pairing_timeout: 120,
  });

  // 1. Render everything with the roles (prefix mode).
  const converge = await playbook(ws.inventory, [vars]);
  timings.converge = converge.ms;
  if (converge.status !== 0) throw new Error(`[e2e] site.yml failed: ${tailOf(converge)}`);

  // 2. The gateway on the "vps" loopback, reading the runtime openclaw.json the role deployed.
  const t1 = Date.now();
  peer = spawnIn(
    topo.vps,
    process.execPath,
    [
      join(repoRoot, "tests/ansible/helpers/ns-peer.mjs"),
      JSON.stringify({ dir: join(root, "var/lib/openclaw"), port: GATEWAY_PORT, stubPort: STUB_PORT }),
    ],
    { ...process.env, MCTL_PEER_TOKEN: tokens.gateway },
  );
  const ready = JSON.parse(await firstLine(peer, 240_000, "gateway peer"));
  if (!ready.ready) throw new Error(`[e2e] gateway peer failed: ${ready.error}`);
  _peerInfo = ready;
  timings.gatewayStart = Date.now() - t1;
  writeFileSync(
    cliWrapper,
    [
      "#!/bin/sh",
      "set -a",
      `. ${join(root, "etc/openclaw/gateway.env")}`,
      `OPENCLAW_STATE_DIR=${ready.stateDir}`,
      `OPENCLAW_CONFIG_PATH=${ready.configPath}`,
      `HOME=${ready.home}`,
      `OPENCLAW_GATEWAY_URL=ws://127.0.0.1:${GATEWAY_PORT}`,
      "set +a",
      `exec ip netns exec ${topo.vps} ${ready.nodeBin} ${ready.openclawEntry} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o700 },
  );

  // 3. Caddy with the rendered Caddyfile, bound to the "vps" address; its internal CA lands in the prefix.
  caddy = startCaddy();
  await waitFor("Caddy's internal CA", 60_000, async () => (existsSync(join(root, CA_PATH)) ? true : undefined));

  // 4. mc-server in "pi" with the rendered env file (absolute paths mapped into the prefix).
  const env = parseEnvFile(readFileSync(join(root, "etc/missionctl/mission-control.env"), "utf8"));
  for (const k of ["DATABASE_PATH", "MC_IDENTITY_DIR", "HOME", "NODE_EXTRA_CA_CERTS"])
    if (env[k]) env[k] = join(root, env[k]);
  expect(env).not.toHaveProperty("DATABASE_URL");
  mc = spawnIn(topo.pi, process.execPath, [join(repoRoot, "packages/mc-server/dist/bin.js")], {
    PATH: process.env.PATH,
    ...env,
  });
  mc.stdout?.on("data", (d) => (mcLog += d));
  mc.stderr?.on("data", (d) => (mcLog += d));
  bridge = spawnIn(
    topo.pi,
    process.execPath,
    [join(repoRoot, "tests/ansible/helpers/ns-bridge.mjs"), bridgeSocket, String(MC_PORT)],
    process.env,
  );
  await firstLine(bridge, 30_000, "api bridge");
  await waitFor("mc-server to listen", 60_000, async () =>
    (await api("GET", "/api/health")).status > 0 ? true : undefined,
  );
  timings.setup = Date.now() - t0;
}, SLOW);

afterAll(async () => {
  await stopChild(mc);
  await stopChild(bridge, 2_000);
  await stopChild(caddy);
  if (peer && peer.exitCode === null) {
    const exited = new Promise((r) => peer!.once("exit", r));
    peer.stdin?.write("stop\n");
    await Promise.race([exited, sleep(20_000)]);
    await stopChild(peer, 1_000);
  }
  topo?.destroy();
  rmSync(ws.dir, { recursive: true, force: true });
  console.log(`[ansible e2e timings ms] ${JSON.stringify(timings)}`);
}, 60_000);

describe("the reference deployment, end to end in network namespaces", () => {
  it("Caddy answers only the allow-listed client network (403 for others)", async () => {
    // From the gateway host itself: its source address (the .2) is not in the allow-list (the .1/32).
    const probe = `require("https").get({ host: "${topo!.vpsAddr}", port: 443, path: "/", timeout: 10000 }, (r) => { console.log(r.statusCode); process.exit(0); }).on("error", (e) => { console.log("ERR " + e.message); process.exit(1); });`;
    const res = await run("ip", ["netns", "exec", topo!.vps, process.execPath, "-e", probe], {
      env: { NODE_EXTRA_CA_CERTS: join(root, CA_PATH) },
    });
    expect(res.stdout.trim(), tailOf(res)).toBe("403");
  });

  it(
    "mc-server reaches the gateway through Caddy as a remote device: pairing_required with a requestId",
    async () => {
      const t = Date.now();
      const status = await waitFor("pairing_required", 120_000, async () => {
        const r = await api("GET", "/api/openclaw/status");
        return r.json?.state === "pairing_required" && r.json?.pairing?.requestId ? r : undefined;
      });
      timings.pairingRequired = Date.now() - t;
      expect(status.status).toBe(503);
      expect(status.json.gatewayUrl).toBe(`wss://${topo!.vpsAddr}`);
      expect(JSON.stringify(status.json)).not.toContain(tokens.gateway);
      // The gateway attributes the request to the Pi's address (X-Forwarded-For from Caddy), not to Caddy.
      // Read on the gateway host over its loopback RPC (device.pair.list), with our own CLI.
      const list = await run(
        "ip",
        [
          "netns",
          "exec",
          topo!.vps,
          process.execPath,
          join(repoRoot, "packages/gateway-client/dist/cli.js"),
          "devices",
          "list",
          "--url",
          `ws://127.0.0.1:${GATEWAY_PORT}`,
          "--device-less",
          "--json",
          "--timeout",
          "30000",
        ],
        { env: { OPENCLAW_GATEWAY_TOKEN: tokens.gateway }, timeoutMs: 120_000 },
      );
      expect(list.status, tailOf(list)).toBe(0);
      const listed = list.stdout + list.stderr;
      expect(listed, tailOf(list)).toContain(status.json.pairing.requestId);
      expect(listed, tailOf(list)).toContain(topo!.piAddr);
    },
    SLOW,
  );

  it(
    "the mission-control role's pairing step approves it on the gateway host; the status says connected",
    async () => {
      const res = await playbook(
        ws.inventory,
        [vars, writeVars(ws.dir, "pair.json", { mission_control_auto_approve: true })],
        ["--tags", "pairing", "-l", "pi"],
        {
          wrap: ["ip", "netns", "exec", topo!.pi],
        },
      );
      timings.pairingRole = res.ms;
      expect(res.status, tailOf(res)).toBe(0);
      expect(res.recap.pi?.changed).toBe(1);
      expect(res.stdout + res.stderr).not.toContain(tokens.gateway);
      const status = await api("GET", "/api/openclaw/status");
      expect(status.status).toBe(200);
      expect(status.json).toMatchObject({ state: "connected", protocol: 4 });
    },
    SLOW,
  );

  it(
    "a task dispatched through the API reaches the agent session (chat.history)",
    async () => {
      const marker = `e2e-task-${Date.now().toString(36)}`;
      const created = await api("POST", "/api/tasks", { title: `Deploy check ${marker}`, assignedAgentId: "main" });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const dispatched = await api("POST", `/api/tasks/${created.json.task.id}/dispatch`, {
        message: `Please confirm ${marker}`,
      });
      expect(dispatched.status, JSON.stringify(dispatched.json)).toBe(202);
      const key = dispatched.json.outbox.sessionKey as string;
      const t = Date.now();
      const history = await waitFor("the message in chat.history", 120_000, async () => {
        const h = await api("GET", `/api/openclaw/sessions/${encodeURIComponent(key)}/history`);
        return h.status === 200 && JSON.stringify(h.json.messages).includes(marker) ? h.json : undefined;
      });
      timings.dispatchToHistory = Date.now() - t;
      expect(history.sessionKey).toBe(key);
    },
    SLOW,
  );

  it(
    "the openclaw role catches a runtime config changed on the gateway host after deploy (config-diff drift)",
    async () => {
      // The way it happens in the field: someone runs `openclaw config set` on the server.
      const set = await run(
        join(ws.dir, "openclaw-cli.sh"),
        ["config", "set", "gateway.controlUi.allowedOrigins", '["https://edited-on-server.example"]', "--strict-json"],
        { timeoutMs: 120_000 },
      );
      expect(set.status, tailOf(set)).toBe(0);
      expect(readFileSync(join(root, "var/lib/openclaw/state/openclaw.json"), "utf8")).toContain(
        "edited-on-server.example",
      );

      const res = await playbook(ws.inventory, [vars], ["--tags", "openclaw", "-l", "vps"]);
      timings.driftRun = res.ms;
      expect(res.status, tailOf(res)).not.toBe(0);
      expect(res.stdout).toContain("the runtime config drifted");
      expect(res.stdout).toContain("gateway.controlUi.allowedOrigins");
      // `config set` also adds a meta block and rewrites the formatting: not drift.
      expect(res.stdout).not.toMatch(/^\s*[+-~] meta/m);
      expect(res.stdout + res.stderr).not.toContain(tokens.gateway);
    },
    SLOW,
  );

  it(
    "with an h2c upstream transport, mc-server's status and the doctor name the upgrade layer and the HTTP/1.1 fix",
    async () => {
      const broken = writeVars(ws.dir, "h2c.json", { caddy_gateway_transport_versions: ["h2c", "2"] });
      const res = await playbook(ws.inventory, [vars, broken], ["--tags", "caddy", "-l", "vps"]);
      expect(res.status, tailOf(res)).toBe(0);
      expect(readFileSync(join(root, "etc/caddy/Caddyfile"), "utf8")).toContain("versions h2c 2");
      await stopChild(caddy);
      caddy = startCaddy();

      const status = await waitFor("the upgrade failure in mc-server's status", 120_000, async () => {
        const r = await api("GET", "/api/openclaw/status");
        return r.json?.lastError?.code === "UPGRADE_NOT_SWITCHED" && r.json.state !== "connected" ? r.json : undefined;
      });
      expect(status.lastError.layer).toBe("upgrade");
      expect(status.lastError.hint).toMatch(/HTTP\/1\.1|versions 1\.1/);
      expect(status.lastError.hint).toMatch(/h2c|proxy/i);

      const doctor = await run(
        "ip",
        [
          "netns",
          "exec",
          topo!.pi,
          process.execPath,
          join(repoRoot, "packages/gateway-client/dist/cli.js"),
          "doctor",
          `wss://${topo!.vpsAddr}`,
          "--ca",
          join(root, CA_PATH),
        ],
        { env: { OPENCLAW_GATEWAY_TOKEN: tokens.gateway }, timeoutMs: 120_000 },
      );
      const out = doctor.stdout + doctor.stderr;
      expect(doctor.status, tailOf(doctor)).toBe(1);
      expect(out).toMatch(/upgrade/i);
      expect(out).toMatch(/502/);
      expect(out).toMatch(/HTTP\/1\.1|versions 1\.1/);
      expect(out).not.toContain(tokens.gateway);

      // The role's pairing wait now fails with mc-server's own diagnosis, not a bare "attempts: N".
      const wait = await playbook(
        ws.inventory,
        [
          vars,
          writeVars(ws.dir, "pair-broken.json", {
            mission_control_auto_approve: true,
            mission_control_pairing_timeout: 6,
          }),
        ],
        ["--tags", "pairing", "-l", "pi"],
        { wrap: ["ip", "netns", "exec", topo!.pi] },
      );
      const waited = wait.stdout + wait.stderr;
      expect(wait.status, tailOf(wait)).not.toBe(0);
      expect(waited).toContain(`is \\"${status.state}\\"`);
      expect(waited).toContain("UPGRADE_NOT_SWITCHED (upgrade layer)");
      expect(waited).toMatch(/versions 1\.1/);
      expect(waited).not.toContain(tokens.gateway);
      expect(waited).not.toContain(tokens.api);
    },
    SLOW,
  );
});
