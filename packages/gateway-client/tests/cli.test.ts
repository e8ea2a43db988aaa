// The missionctl-gateway binary, built with the same esbuild settings tsup uses (ESM, node20,
// shebang, dependencies external, @missionctl/shared bundled) and spawned with node against the real gateway.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Peer } from "../../../tests/peer/peer.mjs";
import { sharedPeer } from "../../../tests/peer/shared-peer.mjs";
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

/** A device of its own (client cli/cli, so the gateway asks to pair it even on loopback). */
const deviceFlags = (dir: string, name: string) => [
  "--identity-dir",
  dir,
  "--client-id",
  "cli",
  "--client-mode",
  "cli",
  "--display-name",
  name,
];

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
      // The hashbang comes from src/cli/bin.ts, as in the tsup build.
      `--outfile=${BIN}`,
    ],
    { encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`esbuild failed: ${build.stderr}`);
  tmp = mkdtempSync(join(tmpdir(), "missionctl-cli-"));
  mkdirSync(join(tmp, "home"));
  peer = await sharedPeer("unapproved"); // autoApproveLocal:false, shared with other files
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
    const device = [...as, ...deviceFlags(dir, "cli-test-device")];

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

// Issue 13: what an attacker on loopback (or a hostile gateway/proxy) could make the CLI do.
describe("missionctl-gateway hardening", () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it("doctor --device-less without a token: the fix names --token-file, not a library call", async () => {
    const r = await run(["doctor", peer.url, "--device-less"]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^✗ connect .*DEVICE_IDENTITY_REQUIRED/m);
    expect(r.stdout).toMatch(
      /fix: No token or password was sent.*pass --token-file <file> \(or set OPENCLAW_GATEWAY_TOKEN\)/,
    );
    expect(r.stdout).not.toContain("loadOrCreateIdentity");
    const j = JSON.parse((await run(["doctor", peer.url, "--device-less", "--json"])).stdout);
    expect(j.steps.find((s: { step: string }) => s.step === "connect")).toMatchObject({
      ok: false,
      code: "AUTH_TOKEN_MISSING",
      hint: expect.stringContaining("--token-file"),
    });
    const call = await run(["call", "health", "--url", peer.url, "--device-less"]);
    expect(call.status).toBe(1);
    expect(call.stderr).toMatch(/^error \[AUTH_TOKEN_MISSING\]: .*pass --token-file <file>/);
  });

  it("gateway- and proxy-controlled text cannot drive the terminal (doctor, devices list)", async () => {
    // Fault injection: a "proxy" answering the upgrade with a page full of escape sequences.
    const { createServer } = await import("node:net");
    const body = "\u001b]0;pwned\u0007\u001b[2K\u001b[1A\r✓ rpc all good\n\u009b2J";
    const hostile = createServer((sock) => {
      sock.once("data", () => {
        const bytes = Buffer.from(body);
        sock.end(
          `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      });
    });
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
    const port = (hostile.address() as { port: number }).port;
    try {
      const r = await run(["doctor", `ws://127.0.0.1:${port}`, "--device-less"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^✗ upgrade .*body: \\u001b\]0;pwned\\u0007\\u001b\[2K/m);
      expect(r.stdout).not.toMatch(RAW_CONTROL);
      // The body's line break did not forge a "✓ rpc" line of its own.
      expect(r.stdout).not.toMatch(/^✓ rpc/m);
    } finally {
      hostile.close();
    }

    // A device asks to pair under a name full of escapes; the operator lists the requests.
    const dir = join(tmp, "id-escape");
    expect((await run(["identity", "create", "--identity-dir", dir])).status).toBe(0);
    const evilName = "\u001b]0;owned\u0007\u001b[2Kmc";
    const as = ["--url", peer.url, "--token-file", tokenFile];
    await run(["call", "health", ...as, ...deviceFlags(dir, evilName)]);
    const list = await run(["devices", "list", ...as]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout + list.stderr).not.toMatch(RAW_CONTROL);
    const json = await run(["devices", "list", "--json", ...as]);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    const pending = JSON.parse(json.stdout).pending as { displayName?: string }[];
    if (pending.some((p) => p.displayName === evilName)) expect(list.stdout).toContain("\\u001b]0;owned\\u0007");
  });

  it("call with params nested tens of thousands deep: a usage error (exit 2), not a stack overflow", async () => {
    const depth = 60_000; // one argv string is capped at 128 KiB by the kernel
    const r = await run([
      "call",
      "health",
      `${"[".repeat(depth)}${"]".repeat(depth)}`,
      "--url",
      peer.url,
      "--token-file",
      tokenFile,
    ]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: json-params nests deeper than 128 levels/);
    expect(r.stderr).not.toMatch(/RangeError|call stack/);
  });

  it("--token-file that is a FIFO or too large: a usage error at once, nothing read", async () => {
    const fifo = join(tmp, "token.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const big = join(tmp, "token.big");
    writeFileSync(big, "x".repeat(200 * 1024));
    const started = Date.now();
    const f = await run(["doctor", peer.url, "--token-file", fifo]);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain(`--token-file ${fifo}: is a FIFO (named pipe), not a regular file`);
    const b = await run(["doctor", peer.url, "--token-file", big]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`--token-file ${big}: is 204800 bytes, above the limit of 65536`);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
