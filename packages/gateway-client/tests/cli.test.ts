// The missionctl-gateway binary, built with the same esbuild settings tsup uses (ESM, node20,
// shebang, dependencies external, @missionctl/shared bundled) and spawned with node against the real gateway.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Peer, startPeer } from "../../../tests/peer/peer.mjs";
import { main } from "../src/cli/main.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PKG = join(ROOT, "packages/gateway-client");
// Inside node_modules so the bundle resolves ws/zod/@noble from the workspace like dist/ does.
const OUT_DIR = join(ROOT, "node_modules/.cache/missionctl-gateway-cli-test");
const BIN = join(OUT_DIR, "cli.js");
const FIXTURES = join(PKG, "tests/fixtures/legacy");

let peer: Peer;
let tmp: string;
let tokenFile: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(tmp, "home"), NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const t = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.on("close", (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  mkdirSync(OUT_DIR, { recursive: true });
  const build = spawnSync(
    join(ROOT, "node_modules/.bin/esbuild"),
    [
      join(PKG, "src/cli/bin.ts"),
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      // The published dependencies stay external; the private @missionctl/shared is bundled, as tsup does.
      ...Object.keys(JSON.parse(readFileSync(join(PKG, "package.json"), "utf8")).dependencies).map(
        (d) => `--external:${d}`,
      ),
      `--outfile=${BIN}`,
      "--banner:js=#!/usr/bin/env node",
    ],
    { encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`esbuild failed: ${build.stderr}`);
  tmp = mkdtempSync(join(tmpdir(), "missionctl-cli-"));
  mkdirSync(join(tmp, "home"));
  peer = await startPeer({ startTimeoutMs: 200_000, autoApproveLocal: false });
  tokenFile = join(tmp, "token");
  writeFileSync(tokenFile, `${peer.token}\n`, { mode: 0o600 });
}, 450_000);

afterAll(async () => {
  await peer?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("missionctl-gateway", () => {
  it("prints the version and its help (spawned binary)", async () => {
    const version = await run(["--version"]);
    expect(version).toMatchObject({ status: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    const help = await run(["--help"]);
    expect(help.status).toBe(0);
    for (const cmd of ["doctor", "call", "devices", "identity", "pairing"]) expect(help.stdout).toContain(cmd);
  });

  it("every command has --help; usage errors exit 2 and point at the help (in-process main)", async () => {
    const inProcess = async (args: string[]) => {
      let stdout = "";
      let stderr = "";
      const status = await main(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        env: {},
        home: join(tmp, "home"),
      });
      return { status, stdout, stderr };
    };
    for (const cmd of ["doctor", "call", "devices", "identity", "pairing"]) {
      const h = await inProcess([cmd, "--help"]);
      expect(h.status, cmd).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^Usage: missionctl-gateway ${cmd}`));
    }
    const bad = await inProcess(["doctor", "--no-such-flag"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no-such-flag/);
    expect(bad.stderr).toContain("missionctl-gateway doctor --help");
    expect((await inProcess(["doctor"])).stderr).toMatch(/no gateway URL: pass --url/);
    expect((await inProcess(["doctor"])).status).toBe(2);
    expect((await inProcess(["frobnicate"])).status).toBe(2);
    expect((await inProcess(["call", "health", "{not json", "--url", peer.url])).status).toBe(2);
    expect((await inProcess(["devices", "approve", "--url", peer.url])).stderr).toMatch(/needs a <requestId>/);
    const t = await inProcess(["doctor", "--url", peer.url, "--timeout", "soon"]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/--timeout: must be milliseconds/);
    const json = await inProcess(["call", "health", "--url", "http://x", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "USAGE" } });
  });

  it("doctor on a healthy gateway: ✓ per layer, exit 0; --json for machines; never the token", async () => {
    const env = { OPENCLAW_GATEWAY_URL: peer.url, OPENCLAW_GATEWAY_TOKEN: peer.token };
    const r = await run(["doctor"], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const step of ["url", "dns", "tcp", "upgrade", "challenge", "connect", "rpc"])
      expect(r.stdout).toMatch(new RegExp(`^✓ ${step} +[\\d.]+ ms`, "m"));
    expect(r.stdout).toMatch(/^gateway 2026\.\S+, protocol 4/m);
    const j = await run(["doctor", "--json"], env);
    expect(j.status).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ ok: true, skipped: [], server: { protocol: 4 } });
    expect(r.stdout + r.stderr + j.stdout + j.stderr).not.toContain(peer.token);
  });

  it("doctor with nothing listening: ✗ tcp with the fix under it, exit 1", async () => {
    const port = await freePort();
    const r = await run(["doctor", `ws://127.0.0.1:${port}`, "--token-file", tokenFile]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^✗ tcp .*ECONNREFUSED/m);
    expect(r.stdout).toMatch(/fix: Nothing listens on that host and port/);
    expect(r.stdout).toMatch(/^- connect .*skipped \(tcp failed\)/m);
  });

  it("warns when the token is passed with --token", async () => {
    const r = await run(["doctor", peer.url, "--token", peer.token]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: --token is visible to other users in `ps`/);
  });

  it("identity create/show print the deviceId and public key, never the private key", async () => {
    const dir = join(tmp, "id-show");
    const created = await run(["identity", "create", "--identity-dir", dir, "--json"]);
    expect(created.status, created.stderr).toBe(0);
    const v = JSON.parse(created.stdout);
    expect(v).toMatchObject({
      created: true,
      deviceId: expect.stringMatching(/^[0-9a-f]{64}$/),
      publicKey: expect.stringMatching(/^[\w-]{43}$/),
    });
    const shown = await run(["identity", "show"], { MC_IDENTITY_DIR: dir });
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(v.deviceId);
    const secret = JSON.parse(readFileSync(join(dir, "device.json"), "utf8")).privateKeyPem as string;
    const body = secret.split("\n")[1]!;
    for (const out of [created.stdout, shown.stdout]) {
      expect(out).not.toContain("PRIVATE KEY");
      expect(out).not.toContain(body);
    }
    const missing = await run(["identity", "show", "--identity-dir", join(tmp, "nothing-here")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/identity create/);
  });

  it("pairing end to end: call → PAIRING_REQUIRED with the approve command → devices list/approve → call works", async () => {
    const dir = join(tmp, "id-pair");
    expect((await run(["identity", "create", "--identity-dir", dir])).status).toBe(0);
    const as = ["--url", peer.url, "--token-file", tokenFile];
    const device = [
      ...as,
      "--identity-dir",
      dir,
      "--client-id",
      "cli",
      "--client-mode",
      "cli",
      "--display-name",
      "cli-test-device",
    ];

    const pending = await run(["call", "health", ...device]);
    expect(pending.status).toBe(1);
    expect(pending.stderr).toMatch(/error \[PAIRING_REQUIRED\]/);
    const requestId = /approve with: openclaw devices approve ([0-9a-f-]{36})/.exec(pending.stderr)?.[1];
    expect(requestId, pending.stderr).toBeTruthy();

    const list = await run(["devices", "list", "--json", ...as]);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).pending).toEqual(
      expect.arrayContaining([expect.objectContaining({ requestId, displayName: "cli-test-device" })]),
    );
    const human = await run(["devices", "list", ...as]);
    expect(human.stdout).toContain(requestId);

    const approved = await run(["devices", "approve", requestId!, "--json", ...as]);
    expect(approved.status, approved.stdout + approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ ok: true, requestId, device: { approvedVia: "owner" } });

    const ok = await run(["call", "health", ...device]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });

    const rejectUnknown = await run(["devices", "reject", "00000000-0000-0000-0000-000000000000", ...as]);
    expect(rejectUnknown.status).toBe(1);
    expect(rejectUnknown.stderr).toMatch(/^error \[/);
  });

  it("pairing add-legacy writes the entry with a backup, and leaves a broken file untouched (exit 1)", async () => {
    const dir = join(tmp, "id-legacy");
    const id = JSON.parse((await run(["identity", "create", "--identity-dir", dir, "--json"])).stdout);
    const work = join(tmp, "legacy");
    mkdirSync(work);
    const file = join(work, "paired.json");
    copyFileSync(join(FIXTURES, "paired.json"), file);
    const r = await run([
      "pairing",
      "add-legacy",
      "--file",
      file,
      "--identity-dir",
      dir,
      "--label",
      "Mission Control",
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, deviceId: id.deviceId, backup: expect.stringContaining("paired.json.bak-") });
    expect(JSON.parse(readFileSync(file, "utf8"))[id.deviceId]).toMatchObject({
      publicKey: id.publicKey,
      clientId: "gateway-client",
      label: "Mission Control",
    });

    const broken = join(work, "broken.json");
    copyFileSync(join(FIXTURES, "paired-broken.json"), broken);
    const before = readFileSync(broken);
    const b = await run(["pairing", "add-legacy", "--file", broken, "--identity-dir", dir]);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain(`legacy paired file ${broken}: is not valid JSON`);
    expect(readFileSync(broken).equals(before)).toBe(true);
    expect(readdirSync(work).filter((f) => f.startsWith("broken.json"))).toEqual(["broken.json"]);
  });
});
