import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Peer } from "../../../tests/peer/peer.d.mts";
import { startPeer } from "../../../tests/peer/peer.mjs";
import { diffConfigs, type LoadedConfig, loadFileSource, loadGatewaySource } from "../src/index.js";
import { buildOnce, runBin } from "./helpers.js";

// Against the real gateway (openclaw 2026.9.6 via the test peer): what `openclaw config set`
// does to the runtime file, and what the live `gateway:` source sees when the file is invalid.
let peer: Peer;
let dir: string;
let sourceFile: string;
const outputs: string[] = [];

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

const live = () => loadGatewaySource(`gateway:${peer.url}`, { token: peer.token, timeoutMs: 15_000 });

beforeAll(async () => {
  buildOnce();
  // On a loaded machine the gateway can fail its 5 s startup lease check: one retry.
  for (let attempt = 1; ; attempt++) {
    try {
      peer = await startPeer({ allowedOrigins: ["http://a.example:1"], startTimeoutMs: 240_000 });
      break;
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
  dir = peer.dir;
  // What Ansible would render: the same gateway config, authored as commented JSON5, plus one key
  // (controlUi.enabled) that the runtime file does not have yet.
  const runtime = JSON.parse(peer.readConfig());
  const source = structuredClone(runtime);
  source.gateway.controlUi.enabled = true;
  sourceFile = join(dir, "rendered-openclaw.json5");
  writeFileSync(sourceFile, `// rendered by the openclaw Ansible role\n${JSON5.stringify(source, null, 2)}\n`);
  // The deployed runtime file carries comments too, as a template would.
  peer.writeConfig(`// deployed by Ansible — managed file\n${JSON.stringify(runtime, null, 2)}\n`);
}, 600_000);

afterAll(async () => {
  await peer?.stop();
});

const fileDiff = async () => diffConfigs(await loadFileSource(sourceFile), await loadFileSource(peer.configPath));

describe("config-diff against the real gateway", () => {
  it("`openclaw config set` rewrites the file (meta added, comments stripped) and that is no drift", async () => {
    expect((await fileDiff()).changes.filter((c) => c.disposition === "drift").map((c) => c.pointer)).toEqual([
      "/gateway/controlUi/enabled",
    ]);

    const res = await peer.cliAsync(["config", "set", "gateway.controlUi.enabled", "true", "--strict-json"], {
      timeoutMs: 240_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const text = peer.readConfig();
    expect(text).not.toContain("// deployed by Ansible");
    expect(JSON.parse(text).meta?.lastTouchedVersion).toBe("2026.9.6");

    const report = await fileDiff();
    expect(report.summary.drift).toBe(0);
    expect(report.exitCode).toBe(0);
    expect(report.rules.find((r) => r.pattern === "/meta/**")!.suppressed).toBeGreaterThan(0);
    const cli = await runBin(["--source", sourceFile, "--runtime", peer.configPath]);
    outputs.push(cli.stdout, cli.stderr);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/No drift: 0 drifted, \d+ ignored/);
  }, 300_000);

  it("a changed allowedOrigins is drift", async () => {
    const res = await peer.cliAsync(
      ["config", "set", "gateway.controlUi.allowedOrigins", '["http://b.example:2"]', "--strict-json"],
      { timeoutMs: 240_000 },
    );
    expect(res.status, res.stderr).toBe(0);
    const cli = await runBin(["--source", sourceFile, "--runtime", peer.configPath, "--format", "json"]);
    outputs.push(cli.stdout, cli.stderr);
    expect(cli.code).toBe(1);
    const drift = JSON.parse(cli.stdout).changes.filter((c: { disposition: string }) => c.disposition === "drift");
    expect(
      drift.map((c: { kind: string; pointer: string; before?: string; after?: string }) => [
        c.kind,
        c.pointer,
        c.before ?? c.after,
      ]),
    ).toEqual([
      ["added", "/gateway/controlUi/allowedOrigins/0", "http://b.example:2"],
      ["removed", "/gateway/controlUi/allowedOrigins/0", "http://a.example:1"],
    ]);
  }, 300_000);

  it("the live source reads config.get and sees the applied revision", async () => {
    await peer.cliAsync(
      ["config", "set", "gateway.controlUi.allowedOrigins", '["http://a.example:1"]', "--strict-json"],
      { timeoutMs: 240_000 },
    );
    const ok = await until("the gateway to apply the restored file", async () => {
      const l = await live();
      return l.live?.applied &&
        (l.value as { gateway?: { controlUi?: { allowedOrigins?: string[] } } }).gateway?.controlUi
          ?.allowedOrigins?.[0] === "http://a.example:1"
        ? l
        : undefined;
    });
    expect(ok.live).toMatchObject({ valid: true, applied: true, issues: [] });
    const report = diffConfigs(await loadFileSource(sourceFile), ok);
    expect(report.summary).toMatchObject({ drift: 0, liveMismatch: false });
    expect(report.exitCode).toBe(0);
  }, 300_000);

  it("an invalid key in the runtime file: the live source reports the gateway runs its last good config", async () => {
    const cfg = JSON.parse(peer.readConfig());
    cfg.gateway.controlUi.allowInsecureAuth = true;
    peer.writeConfig(cfg);
    // Wait for the watcher to see the file and skip the reload.
    const bad: LoadedConfig = await until("config.get to report the invalid file", async () => {
      const l = await live();
      return l.live?.valid === false ? l : undefined;
    });
    expect(bad.live).toMatchObject({ valid: false, applied: false, configRevisionHash: null });
    expect(bad.live!.issues).toContainEqual({
      path: "gateway.controlUi",
      message: 'Unrecognized key: "allowInsecureAuth"',
    });
    expect(bad.live!.appliedConfigHash).toMatch(/^hmac-sha256:/);
    await until(
      "the reload-skipped log line",
      async () => (/config reload skipped \(invalid config\)/.test(peer.logTail(200)) ? true : undefined),
      15_000,
    );

    const cli = await runBin(["--source", sourceFile, "--runtime", `gateway:${peer.url}`, "--lint"], {
      env: { OPENCLAW_GATEWAY_TOKEN: peer.token },
    });
    outputs.push(cli.stdout, cli.stderr);
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      "✖ the gateway is running its last good config, not this file: the file is invalid and its reload was skipped",
    );
    expect(cli.stdout).toContain('gateway.controlUi: Unrecognized key: "allowInsecureAuth"');

    const gh = await runBin(["--source", sourceFile, "--runtime", `gateway:${peer.url}`, "--format", "github"], {
      env: { OPENCLAW_GATEWAY_TOKEN: peer.token },
    });
    outputs.push(gh.stdout, gh.stderr);
    expect(gh.stdout).toMatch(
      /^::error title=config-diff%3A gateway not running this file::the gateway is running its last good config, not this file/m,
    );

    // The file itself shows the key as drift, and --lint explains why it is fatal.
    const fileReport = diffConfigs(await loadFileSource(sourceFile), await loadFileSource(peer.configPath), {
      lint: true,
    });
    expect(fileReport.changes.filter((c) => c.disposition === "drift").map((c) => c.pointer)).toEqual([
      "/gateway/controlUi/allowInsecureAuth",
    ]);
    expect(fileReport.lint!.find((f) => f.side === "runtime")).toMatchObject({
      pointer: "/gateway/controlUi/allowInsecureAuth",
      severity: "error",
    });
  }, 300_000);

  it("a wrong token is an error (exit 2) that names the cause, not the token", async () => {
    const cli = await runBin(["--source", sourceFile, "--runtime", `gateway:${peer.url}`], {
      env: { OPENCLAW_GATEWAY_TOKEN: "wrong-token-CANARY" },
    });
    outputs.push(cli.stdout, cli.stderr);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(
      /^\[config-diff\] gateway:ws:\/\/127\.0\.0\.1:\d+: cannot read config\.get: AUTH_TOKEN_MISMATCH/,
    );
  }, 300_000);

  it("the gateway token never appears in any output", () => {
    expect(outputs.length).toBeGreaterThan(5);
    const all = outputs.join("\n");
    expect(all).not.toContain(peer.token);
    expect(all).not.toContain("CANARY");
    expect(readFileSync(peer.configPath, "utf8")).toBeTruthy();
  }, 300_000);
});
