// The packages as a consumer gets them: `npm pack` each publishable package, install the tarballs
// into a fresh project in os.tmpdir() (no workspace links, no root node_modules on the resolution
// path), then import, require, type-check and run the CLIs there. Run after `npm run build`:
//
//   npm run build && npx vitest run --project consumer
//
// Registry traffic: the install fetches the packages' own dependencies (ws, zod, …) from npm.
// better-sqlite3 compiles natively (~80 s on 2 cores); the compiled binary is kept in
// .cache/consumer/ per (version, Node ABI, platform) so later runs skip the compile
// (MISSIONCTL_CONSUMER_NO_NATIVE_CACHE=1 forces it).
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Peer, startPeer } from "../peer/peer.mjs";

const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const bin = (name: string) => join(repo, "node_modules", ".bin", name);

interface PkgSpec {
  dir: string;
  name: string;
  /** Value exports every build (ESM, CJS, Bun) must expose. */
  values: string[];
  /** A small behaviour check run in the consumer (`m` = the module, `dir` = a scratch folder). */
  smoke: string;
  /** Packed (gzipped) tarball budget in bytes; see CONTRIBUTING.md, "Releasing". */
  budget: number;
  /** Subpath exports ("./legacy") and the values each must expose in every build. */
  subpaths?: Record<string, string[]>;
  /** Internals the main entry must not expose (they live in a subpath or nowhere). */
  notExported?: string[];
}

const PACKAGES: PkgSpec[] = [
  {
    dir: "gateway-client",
    name: "@missionctl/gateway-client",
    values: ["GatewayClient", "GatewayError", "loadOrCreateIdentity", "loadIdentity", "diagnose"],
    smoke: `const id = await m.loadOrCreateIdentity(dir);
      if (!/^[0-9a-f]{64}$/.test(id.deviceId)) throw new Error("deviceId " + id.deviceId);
      const c = new m.GatewayClient({ url: "ws://127.0.0.1:9", token: "t", identity: null, reconnect: false });
      if (c.state !== "idle") throw new Error("state " + c.state);
      await c.close();`,
    budget: 200_000,
    subpaths: {
      "./protocol": ["helloOkSchema", "parseInboundFrame", "buildSignedPayloadV3", "fromGatewayError", "defineMethod"],
      "./hints": ["CODE_HINTS", "hintFor"],
      "./legacy": ["addToPairedJson", "buildPairedEntry"],
    },
    notExported: ["writeFileAtomic", "base64UrlEncode", "privateKeyPemFromRaw", "addToPairedJson", "backoffDelay"],
  },
  {
    dir: "mc-store",
    name: "@missionctl/mc-store",
    values: ["openStore", "resolveDatabasePath", "StoreError", "TASK_STATUSES", "allowedTransitions"],
    smoke: `const store = m.openStore({ path: dir + "/mc.sqlite" });
      const t = store.tasks.create({ title: "from a consumer" });
      if (store.tasks.get(t.id).title !== "from a consumer") throw new Error("task round trip");
      store.close();`,
    budget: 100_000,
  },
  {
    dir: "config-diff",
    name: "@missionctl/config-diff",
    values: ["diffConfigs", "configInput"],
    smoke: `const report = m.diffConfigs({ gateway: { port: 18789 } }, { gateway: { port: 18790 } });
      if (report.exitCode !== 1 || report.summary.drift !== 1) throw new Error("drift not found: " + JSON.stringify(report.summary));`,
    budget: 200_000,
  },
  {
    dir: "mc-server",
    name: "@missionctl/mc-server",
    values: ["createServer", "startServer", "loadConfig", "McServerError"],
    smoke: ``,
    budget: 260_000,
  },
];

/** Files a tarball must never carry. */
const FORBIDDEN = [
  /(^|\/)(tests?|__tests__|fixtures?|bench|scripts|coverage)\//,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /\.map$/,
  /(^|\/)src\//,
  /(^|\/)\.env/,
  /\.(pem|key|p12|sqlite|db)$/,
  /(^|\/)device\.json$/,
  /(^|\/)tsconfig[^/]*\.json$/,
  /(^|\/)tsup\.config\./,
  /(^|\/)vitest\.config\./,
];

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a consumer: no npm_* leaking from the `npm test` that runs us, no workspace. */
function consumerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Keep where npm caches and which registry it uses (CI mirrors); drop the rest of npm_*
    // (npm_config_local_prefix etc. would point npm back at the workspace).
    const keep = /^npm_config_(cache|registry|cafile|userconfig)$/i.test(k);
    if (v === undefined || (!keep && /^(npm_|NODE_OPTIONS$|NODE_PATH$|VITEST|INIT_CWD$)/i.test(k))) continue;
    env[k] = v;
  }
  // A scratch HOME: a CLI that writes defaults (~/.local/share, ~/.mission-control) must not touch
  // the real one. npm keeps the real cache, so registry downloads are reused across runs.
  env.npm_config_cache = process.env.npm_config_cache ?? join(homedir(), ".npm");
  // …and the real user config (registry, CA file, nodedir for native builds).
  env.npm_config_userconfig = process.env.npm_config_userconfig ?? join(homedir(), ".npmrc");
  if (work) {
    env.HOME = join(work, "home");
    delete env.XDG_DATA_HOME;
    delete env.XDG_CONFIG_HOME;
  }
  env.npm_config_update_notifier = "false";
  env.npm_config_fund = "false";
  env.npm_config_audit = "false";
  env.NO_COLOR = "1";
  return { ...env, ...extra };
}

function killTree(pid: number | undefined, signal: NodeJS.Signals = "SIGKILL"): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number; input?: string },
): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolveRun) => {
    // Own process group: on timeout the whole tree goes (npx → sh → node), not just npx.
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? consumerEnv(),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[consumer test] killed after ${opts.timeoutMs ?? 120_000} ms`;
      killTree(child.pid);
    }, opts.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolveRun({ code: -1, signal: null, stdout, stderr: stderr + String(err), ms: Date.now() - t0 });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
    child.stdin.end(opts.input ?? "");
  });
}

const show = (r: RunResult) =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

interface PackFile {
  path: string;
  size: number;
  mode: number;
}
interface Packed {
  spec: PkgSpec;
  tarball: string;
  size: number;
  unpackedSize: number;
  files: PackFile[];
  manifest: Record<string, any>;
  hasDist: boolean;
}

const timings: Record<string, number> = {};
const lints = new Map<string, Promise<{ publint: RunResult; attw: RunResult }>>();
const typechecks = new Map<string, Promise<RunResult>>();
let work = "";
let app = "";
const packed = new Map<string, Packed>();
let installError = "";
let peer: Peer | undefined;
let peerError = "";

/** Every file an `exports` map points at. */
function exportTargets(exp: unknown, out: string[] = []): string[] {
  if (typeof exp === "string") out.push(exp);
  else if (exp && typeof exp === "object") for (const v of Object.values(exp)) exportTargets(v, out);
  return out;
}

function binMap(manifest: Record<string, any>): Record<string, string> {
  if (!manifest.bin) return {};
  if (typeof manifest.bin === "string") return { [manifest.name.split("/").pop()]: manifest.bin };
  return manifest.bin;
}

async function pack(spec: PkgSpec, dest: string): Promise<Packed> {
  const cwd = join(repo, "packages", spec.dir);
  const r = await run("npm", ["pack", "--json", "--pack-destination", dest], { cwd, env: consumerEnv() });
  if (r.code !== 0) throw new Error(`npm pack ${spec.name} failed: ${show(r)}`);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf("[")));
  const manifest = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8"));
  return {
    spec,
    tarball: join(dest, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files,
    manifest,
    hasDist: existsSync(join(cwd, "dist")),
  };
}

/**
 * What a consumer on this Node adds for mc-store, as its README says: nothing where the runtime
 * has node:sqlite, better-sqlite3 (an optional peer dependency) on an older Node such as 20.
 */
function sqliteForThisNode(): string[] {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const builtin = major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);
  return builtin ? [] : ["better-sqlite3@^12.4.1"];
}

/** better-sqlite3's native build, reused across runs from .cache/consumer (keyed by version and Node ABI). */
async function provideNativeSqlite(): Promise<void> {
  const pkgDir = join(app, "node_modules", "better-sqlite3");
  if (!existsSync(pkgDir)) return;
  const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
  const key = `${version}-abi${process.versions.modules}-${process.platform}-${process.arch}`;
  const cached = join(repo, ".cache", "consumer", "better-sqlite3", key, "better_sqlite3.node");
  const target = join(pkgDir, "build", "Release", "better_sqlite3.node");
  // npm ci already compiled the same version for this Node in the workspace: reuse that binary.
  const workspacePkg = join(repo, "node_modules", "better-sqlite3");
  const workspaceBin = join(workspacePkg, "build", "Release", "better_sqlite3.node");
  if (
    !process.env.MISSIONCTL_CONSUMER_NO_NATIVE_CACHE &&
    existsSync(workspaceBin) &&
    JSON.parse(readFileSync(join(workspacePkg, "package.json"), "utf8")).version === version
  ) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(workspaceBin, target);
    timings.nativeSqliteFromWorkspace = 1;
    return;
  }
  if (existsSync(cached) && !process.env.MISSIONCTL_CONSUMER_NO_NATIVE_CACHE) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(cached, target);
    timings.nativeSqliteFromCache = 1;
    return;
  }
  const t0 = Date.now();
  const r = await run("npm", ["rebuild", "better-sqlite3", "--foreground-scripts"], { cwd: app, timeoutMs: 600_000 });
  timings.nativeSqliteBuildMs = Date.now() - t0;
  if (r.code !== 0 || !existsSync(target))
    throw new Error(`building better-sqlite3 in the consumer failed: ${show(r)}`);
  mkdirSync(dirname(cached), { recursive: true });
  copyFileSync(target, cached);
}

function smokeBody(spec: PkgSpec): string {
  return `
    const missing = ${JSON.stringify(spec.values)}.filter((k) => m[k] === undefined);
    if (missing.length) throw new Error("missing exports: " + missing.join(", "));
    const dir = mkdtempSync(join(tmpdir(), "mc-consumer-smoke-"));
    try { ${spec.smoke} } finally { rmSync(dir, { recursive: true, force: true }); }
    console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== "default" && k !== "__esModule").sort() }));`;
}

/** The files that import one subpath (ESM and CJS) and print its value names. */
function writeSubpathFiles(spec: PkgSpec, subpath: string, values: string[]): void {
  const id = JSON.stringify(`${spec.name}${subpath.slice(1)}`);
  const base = `${spec.dir}-${subpath.slice(2)}`;
  const body = `const missing = ${JSON.stringify(values)}.filter((k) => m[k] === undefined);
    if (missing.length) throw new Error("missing exports: " + missing.join(", "));
    console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== "default" && k !== "__esModule").sort() }));`;
  writeFileSync(join(app, `esm-${base}.mjs`), `import * as m from ${id};\n${body}\n`);
  writeFileSync(join(app, `cjs-${base}.cjs`), `const m = require(${id});\n${body}\n`);
}

function writeConsumerFiles(): void {
  for (const spec of PACKAGES) {
    for (const [subpath, values] of Object.entries(spec.subpaths ?? {})) writeSubpathFiles(spec, subpath, values);
    const base = spec.dir;
    writeFileSync(
      join(app, `esm-${base}.mjs`),
      `import * as m from ${JSON.stringify(spec.name)};\nimport { mkdtempSync, rmSync } from "node:fs";\nimport { tmpdir } from "node:os";\nimport { join } from "node:path";\n${smokeBody(spec)}\n`,
    );
    writeFileSync(
      join(app, `cjs-${base}.cjs`),
      `const m = require(${JSON.stringify(spec.name)});\nconst { mkdtempSync, rmSync } = require("node:fs");\nconst { tmpdir } = require("node:os");\nconst { join } = require("node:path");\n(async () => {${smokeBody(spec)}\n})().catch((e) => { console.error(e); process.exitCode = 1; });\n`,
    );
  }
  // One TypeScript consumer, checked three ways: node16 ESM (.mts), node16 CJS (.cts), bundler (.ts).
  const tsConsumer = `import { GatewayClient, GatewayError, loadOrCreateIdentity, diagnose } from "@missionctl/gateway-client";
import type { DeviceIdentity } from "@missionctl/gateway-client";
import { buildPairedEntry } from "@missionctl/gateway-client/legacy";
import { helloOkSchema } from "@missionctl/gateway-client/protocol";
import { openStore, StoreError, TASK_STATUSES } from "@missionctl/mc-store";
import { diffConfigs } from "@missionctl/config-diff";
import type { DiffReport } from "@missionctl/config-diff";
import * as server from "@missionctl/mc-server";

export async function consumer(): Promise<string[]> {
  const identity: DeviceIdentity = await loadOrCreateIdentity("/tmp/identity");
  const legacyEntry: { deviceId: string } = buildPairedEntry(identity);
  const helloOk: boolean = helloOkSchema.safeParse({}).success;
  const client = new GatewayClient({ url: "ws://127.0.0.1:18789", token: "t", identity, scopes: ["operator.read"], reconnect: { initialDelayMs: 500 } });
  const state: string = client.state;
  const hello = await client.connect();
  const protocol: number = hello.protocol;
  const off: () => void = client.on("tick", () => {});
  off();
  try {
    await client.request<{ ok: boolean }>("health", {}, { timeoutMs: 1000 });
  } catch (err) {
    if (err instanceof GatewayError) {
      const code: string = err.code;
      const hint: string = err.hint;
      return [code, hint];
    }
  }
  await client.close();
  const report = await diagnose({ url: "ws://127.0.0.1:18789", token: "t" });
  const ok: boolean = report.ok;
  const store = openStore({ path: ":memory:" });
  const task = store.tasks.create({ title: "t" });
  const status: string = task.status;
  store.close();
  const first: string = TASK_STATUSES[0];
  const isStoreError = (e: unknown): boolean => e instanceof StoreError && typeof e.code === "string";
  const drift: DiffReport = diffConfigs({ a: 1 }, { a: 2 });
  const exit: 0 | 1 = drift.exitCode;
  const diff: Function = diffConfigs;
  // @ts-expect-error the published types reject an unknown option (they are not \`any\`)
  new GatewayClient({ url: "ws://127.0.0.1:1", notAnOption: true });
  return [state, String(protocol), String(ok), status, first, String(isStoreError(null)), diff.name, String(exit), String(Object.keys(server).length), legacyEntry.deviceId, String(helloOk)];
}
`;
  mkdirSync(join(app, "ts"), { recursive: true });
  writeFileSync(join(app, "ts", "consumer.mts"), tsConsumer);
  writeFileSync(join(app, "ts", "consumer.cts"), tsConsumer);
  writeFileSync(join(app, "ts", "consumer.ts"), tsConsumer);
  const common = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ["node"],
    target: "ES2022",
    lib: ["ES2022"],
  };
  writeFileSync(
    join(app, "tsconfig.node16.json"),
    JSON.stringify(
      {
        compilerOptions: { ...common, module: "node16", moduleResolution: "node16" },
        files: ["ts/consumer.mts", "ts/consumer.cts"],
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(app, "tsconfig.bundler.json"),
    JSON.stringify(
      { compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler" }, files: ["ts/consumer.ts"] },
      null,
      2,
    ),
  );
}

beforeAll(async () => {
  const t0 = Date.now();
  work = mkdtempSync(join(tmpdir(), "missionctl-consumer-"));
  app = join(work, "app");
  mkdirSync(join(work, "tarballs"), { recursive: true });
  mkdirSync(app, { recursive: true });
  mkdirSync(join(work, "home"), { recursive: true, mode: 0o700 });
  // The peer starts while npm installs: doctor and the server need it, nothing else does.
  // startPeer itself retries once when the gateway aborts its own start-up on a loaded machine.
  const peerReady = startPeer({ log: () => {}, startTimeoutMs: 240_000 }).then(
    (p) => (peer = p),
    (err) => (peerError = String(err?.message ?? err)),
  );
  try {
    await prepare(t0);
  } finally {
    // Even when packing failed: afterAll must find the peer to stop it.
    await peerReady;
  }
  timings.setupMs = Date.now() - t0;
  await Promise.all([...lints.values(), ...typechecks.values()]);
  timings.checksDoneMs = Date.now() - t0;
}, 900_000);

async function prepare(t0: number): Promise<void> {
  for (const p of await Promise.all(PACKAGES.map((spec) => pack(spec, join(work, "tarballs")))))
    packed.set(p.spec.dir, p);
  timings.packMs = Date.now() - t0;
  // publint and attw need only the tarballs: they run while npm installs and the peer starts.
  let chain: Promise<unknown> = Promise.resolve();
  for (const spec of PACKAGES) {
    const tarball = packed.get(spec.dir)!.tarball;
    const result = chain.then(async () => ({
      publint: await run(bin("publint"), ["run", tarball, "--strict"], { cwd: work, env: consumerEnv() }),
      // Profile node16 = node16-cjs, node16-esm and bundler; node10 resolution is not supported.
      attw: await run(
        bin("attw"),
        [tarball, "--profile", "node16", "--no-definitely-typed", "--format", "ascii", "--no-color", "--no-emoji"],
        {
          cwd: work,
          env: consumerEnv(),
        },
      ),
    }));
    lints.set(spec.dir, result);
    chain = result;
  }

  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "missionctl-consumer", version: "0.0.0", private: true }, null, 2),
  );
  const t1 = Date.now();
  // --ignore-scripts: the only install script is better-sqlite3's native build (Node 20 only),
  // handled (and cached) by provideNativeSqlite.
  const tarballs = [...packed.values()].map((p) => p.tarball);
  const r = await run(
    "npm",
    [
      "install",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs,
      ...sqliteForThisNode(),
      "@types/node@^20",
    ],
    {
      cwd: app,
      timeoutMs: 600_000,
    },
  );
  timings.installMs = Date.now() - t1;
  if (r.code !== 0) installError = `npm install of the tarballs failed in ${app}: ${show(r)}`;
  else {
    try {
      await provideNativeSqlite();
    } catch (err) {
      installError = String((err as Error).message);
    }
  }
  writeConsumerFiles();
  // tsc is the slowest check (skipLibCheck: false reads every .d.ts): start it while the peer boots.
  if (!installError) {
    for (const mode of ["node16", "bundler"]) {
      typechecks.set(
        mode,
        run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", `tsconfig.${mode}.json`], {
          cwd: app,
          timeoutMs: 600_000,
        }),
      );
    }
  }
}

afterAll(async () => {
  await peer?.stop();
  if (work && !process.env.MISSIONCTL_CONSUMER_KEEP) rmSync(work, { recursive: true, force: true });
  process.stderr.write(`[consumer] timings ${JSON.stringify(timings)}\n`);
});

function installed(): void {
  if (installError) throw new Error(installError);
}

describe.each(PACKAGES)("$name tarball", (spec) => {
  it("carries dist, README, LICENSE and its bins, and nothing it should not", () => {
    const p = packed.get(spec.dir)!;
    expect(p.hasDist, `packages/${spec.dir}/dist is missing — run npm run build first`).toBe(true);
    const files = p.files.map((f) => f.path);
    const required = [
      "package.json",
      "README.md",
      "LICENSE",
      ...exportTargets(p.manifest.exports).map((t) => t.replace(/^\.\//, "")),
    ];
    for (const target of Object.values(binMap(p.manifest))) required.push(target.replace(/^\.\//, ""));
    for (const f of [p.manifest.main, p.manifest.module, p.manifest.types].filter(Boolean))
      required.push(String(f).replace(/^\.\//, ""));
    const missing = [...new Set(required)].filter((f) => !files.includes(f));
    expect(missing, `missing from ${p.tarball}`).toEqual([]);
    const forbidden = files.filter((f) => FORBIDDEN.some((re) => re.test(f)));
    expect(forbidden, `files that must not be published`).toEqual([]);
  });

  it("ships a README in the house shape (install, quick start, errors, security, Node/Bun, license)", () => {
    installed();
    const readme = readFileSync(join(app, "node_modules", spec.name, "README.md"), "utf8");
    const headings = readme
      .split("\n")
      .filter((l) => /^#{2,3} /.test(l))
      .join("\n");
    expect(readme, "install command names the package").toMatch(new RegExp(`npm (install|i)( -D)? ${spec.name}`));
    for (const [what, re] of [
      ["Install", /^## Install/im],
      ["Quick start", /^## Quick start/im],
      ["errors or exit codes", /^##+ .*(error|exit code)/im],
      ["security notes", /^## Security/im],
      ["Node/Bun compatibility", /^## (Compatibility|Node and Bun)/im],
      ["License", /^## License/im],
    ] as const) {
      expect(headings, `README section: ${what}`).toMatch(re);
    }
  });

  it("stays under its size budget", () => {
    const p = packed.get(spec.dir)!;
    expect(
      p.size,
      `${spec.name} packs to ${p.size} B (unpacked ${p.unpackedSize} B), budget ${spec.budget} B`,
    ).toBeLessThanOrEqual(spec.budget);
  });

  it("depends only on published versions of its siblings (no workspace: or file: ranges)", () => {
    const p = packed.get(spec.dir)!;
    for (const [dep, range] of Object.entries<string>(p.manifest.dependencies ?? {})) {
      expect(range, `${spec.name} → ${dep}`).not.toMatch(/^(workspace:|file:|link:|\.)/);
      const sibling = PACKAGES.find((s) => s.name === dep);
      if (sibling) {
        const version = packed.get(sibling.dir)!.manifest.version;
        expect(
          range.replace(/^[\^~=]/, ""),
          `${spec.name} depends on ${dep}@${range} but the workspace has ${version}`,
        ).toBe(version);
      }
    }
  });

  const bins = binMap(JSON.parse(readFileSync(join(repo, "packages", spec.dir, "package.json"), "utf8")));
  it.skipIf(Object.keys(bins).length === 0)(
    "has bins with a node shebang that the install links as executables",
    () => {
      installed();
      for (const [name, target] of Object.entries(bins)) {
        const file = join(app, "node_modules", spec.name, target);
        expect(readFileSync(file, "utf8").split("\n")[0], `${target} shebang`).toBe("#!/usr/bin/env node");
        const link = join(app, "node_modules", ".bin", name);
        expect(existsSync(link), `node_modules/.bin/${name}`).toBe(true);
        expect(statSync(link).mode & 0o111, `${name} is executable`).not.toBe(0);
      }
    },
  );

  it("imports (ESM) and requires (CJS) under Node with the same exports", async () => {
    installed();
    const esm = await run(process.execPath, [`esm-${spec.dir}.mjs`], { cwd: app });
    expect(esm.code, `ESM import of ${spec.name}\n${show(esm)}`).toBe(0);
    const cjs = await run(process.execPath, [`cjs-${spec.dir}.cjs`], { cwd: app });
    expect(cjs.code, `require(${spec.name})\n${show(cjs)}`).toBe(0);
    const keys = (r: RunResult) => JSON.parse(r.stdout.trim().split("\n").pop()!).keys;
    expect(keys(cjs), "CJS and ESM builds export the same names").toEqual(keys(esm));
    expect(keys(esm).length, "exports something").toBeGreaterThan(0);
  });

  it.skipIf(!spec.subpaths && !spec.notExported)(
    "keeps internals out of the main entry and serves its subpaths (ESM and CJS, the same names)",
    async () => {
      installed();
      const esm = await run(process.execPath, [`esm-${spec.dir}.mjs`], { cwd: app });
      const main: string[] = JSON.parse(esm.stdout.trim().split("\n").pop()!).keys;
      expect(main.filter((k) => spec.notExported?.includes(k))).toEqual([]);
      for (const subpath of Object.keys(spec.subpaths ?? {})) {
        const base = `${spec.dir}-${subpath.slice(2)}`;
        const e = await run(process.execPath, [`esm-${base}.mjs`], { cwd: app });
        expect(e.code, `import ${spec.name}${subpath.slice(1)}\n${show(e)}`).toBe(0);
        const c = await run(process.execPath, [`cjs-${base}.cjs`], { cwd: app });
        expect(c.code, `require ${spec.name}${subpath.slice(1)}\n${show(c)}`).toBe(0);
        const keys = (r: RunResult) => JSON.parse(r.stdout.trim().split("\n").pop()!).keys;
        expect(keys(c)).toEqual(keys(e));
      }
    },
  );

  it("imports under Bun", async () => {
    installed();
    const r = await run(bin("bun"), ["--no-install", `esm-${spec.dir}.mjs`], { cwd: app });
    expect(r.code, `bun import of ${spec.name}\n${show(r)}`).toBe(0);
  });

  it("passes publint --strict on the tarball", async () => {
    const { publint } = await lints.get(spec.dir)!;
    expect(publint.code, show(publint)).toBe(0);
  });

  it("has types that resolve for node16 (ESM and CJS) and bundler (attw --profile node16)", async () => {
    const { attw } = await lints.get(spec.dir)!;
    expect(attw.code, show(attw)).toBe(0);
  });
});

describe("TypeScript consumer", () => {
  it.each(["node16", "bundler"])("type-checks with moduleResolution %s against the published types", async (mode) => {
    installed();
    const r = await typechecks.get(mode)!;
    expect(r.code, show(r)).toBe(0);
  });
});

describe("CLIs through npx", () => {
  const npx = (args: string[], extra: { env?: Record<string, string>; timeoutMs?: number } = {}) =>
    run("npx", ["--no", "--", ...args], { cwd: app, env: extra.env ?? consumerEnv(), timeoutMs: extra.timeoutMs });

  const clis = PACKAGES.flatMap((spec) =>
    Object.keys(binMap(JSON.parse(readFileSync(join(repo, "packages", spec.dir, "package.json"), "utf8")))).map(
      (name) => ({ name, spec }),
    ),
  );

  it.each(clis)("$name --help and --version", async ({ name, spec }) => {
    installed();
    // A CLI that ignores --help and starts working instead is a bug a user hits at once.
    const help = await npx([name, "--help"], { timeoutMs: 30_000 });
    expect(help.code, show(help)).toBe(0);
    expect(help.stdout, "help names the command").toContain(name);
    const version = await npx([name, "--version"], { timeoutMs: 30_000 });
    expect(version.code, show(version)).toBe(0);
    expect(version.stdout.trim()).toContain(packed.get(spec.dir)!.manifest.version);
  });

  it("config-diff finds drift between two files (exit 1)", async () => {
    installed();
    const a = join(work, "deployed.json");
    const b = join(work, "runtime.json");
    writeFileSync(
      a,
      JSON.stringify({ gateway: { mode: "local", bind: "loopback", port: 18789, auth: { mode: "token" } } }, null, 2),
    );
    writeFileSync(
      b,
      JSON.stringify({ gateway: { mode: "local", bind: "lan", port: 18789, auth: { mode: "token" } } }, null, 2),
    );
    const r = await npx(["config-diff", "--source", a, "--runtime", b]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout + r.stderr, "names the drifted key").toContain("bind");
    const same = await npx(["config-diff", "--source", a, "--runtime", a]);
    expect(same.code, show(same)).toBe(0);
  });

  it("missionctl-gateway doctor passes against a real gateway (exit 0)", async () => {
    installed();
    if (!peer) throw new Error(`the test peer did not start: ${peerError}`);
    const identityDir = mkdtempSync(join(work, "identity-"));
    const r = await npx(["missionctl-gateway", "doctor", peer.url], {
      env: consumerEnv({ OPENCLAW_GATEWAY_TOKEN: peer.token, MC_IDENTITY_DIR: identityDir }),
      timeoutMs: 60_000,
    });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(peer.token);
  });

  it("missionctl-server starts, answers /api/health and stops on SIGTERM", async () => {
    installed();
    if (!peer) throw new Error(`the test peer did not start: ${peerError}`);
    const port = await freePort();
    const data = mkdtempSync(join(work, "server-"));
    chmodSync(data, 0o700);
    const apiToken = "consumer-api-token";
    // The installed bin itself (what a systemd unit runs); signals go straight to the server.
    const child = spawn(join(app, "node_modules", ".bin", "missionctl-server"), [], {
      cwd: app,
      env: consumerEnv({
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_PATH: join(data, "mc.sqlite"),
        OPENCLAW_GATEWAY_URL: peer.url,
        OPENCLAW_GATEWAY_TOKEN: peer.token,
        MC_IDENTITY_DIR: join(data, "identity"),
        MC_API_TOKEN: apiToken,
        LOG_LEVEL: "info",
      }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    let listening = false;
    const onData = (d: Buffer) => {
      out += d;
      // The contract: one JSON log line when it listens.
      listening ||= out.split("\n").some((l) => /^\{.*"msg":"[^"]*listening[^"]*".*\}$/.test(l));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
      child.on("exit", (code, signal) => r({ code, signal })),
    );
    try {
      const deadline = Date.now() + 60_000;
      while (!listening && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      expect(listening, `a JSON "listening" log line within 60 s\n${out.slice(-3000)}`).toBe(true);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`, {
        headers: { authorization: `Bearer ${apiToken}` },
      });
      expect(health.status, `GET /api/health\n${out.slice(-3000)}`).toBe(200);
      // The dashboard's script ships in the tarball (dist/ui/app.js): the installed server serves it.
      const login = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      const src = /<script src="(\/assets\/app\.js\?v=[0-9a-f]{16})"/.exec(login)?.[1];
      expect(src, login.slice(0, 2000)).toBeDefined();
      const script = await fetch(`http://127.0.0.1:${port}${src}`);
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toContain("text/javascript");
      const shipped = readFileSync(
        join(app, "node_modules", "@missionctl", "mc-server", "dist", "ui", "app.js"),
        "utf8",
      );
      expect(await script.text()).toBe(shipped);
      expect(out).not.toContain(peer.token);
      child.kill("SIGTERM");
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000));
      const result = await Promise.race([exited, timeout]);
      expect(result, `exit after SIGTERM\n${out.slice(-2000)}`).toEqual({ code: 0, signal: null });
    } finally {
      killTree(child.pid);
    }
  });
});

describe("changesets", () => {
  it("changeset status succeeds and every changeset names a publishable package", async () => {
    const names = new Set(PACKAGES.map((p) => p.name));
    const inGit =
      spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: repo, encoding: "utf8" }).stdout?.trim() ===
      "true";
    if (!inGit) {
      // A source tarball without .git: changeset status cannot run; parse the changesets instead.
      const { default: parse } = await import("@changesets/parse");
      for (const file of readdirSync(join(repo, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")) {
        const { releases } = parse(readFileSync(join(repo, ".changeset", file), "utf8"));
        for (const r of releases) expect(names.has(r.name), `${file}: unknown package ${r.name}`).toBe(true);
      }
      return;
    }
    // A shallow or single-branch clone (CI checking out a PR) has no `main` to diff against:
    // then check the pending changesets themselves (they parse and form a release plan).
    const hasBase = spawnSync("git", ["rev-parse", "--verify", "--quiet", "main"], { cwd: repo }).status === 0;
    const shallow =
      spawnSync("git", ["rev-parse", "--is-shallow-repository"], { cwd: repo, encoding: "utf8" }).stdout.trim() ===
      "true";
    const out = join(work, "changeset-status.json");
    const args = ["status", `--output=${out}`, ...(hasBase && !shallow ? [] : ["--since=HEAD"])];
    const r = await run(bin("changeset"), args, { cwd: repo, env: consumerEnv() });
    expect(r.code, `changeset ${args.join(" ")}\n${show(r)}`).toBe(0);
    const status = JSON.parse(readFileSync(out, "utf8"));
    for (const release of status.releases)
      expect(names.has(release.name), `changeset for unknown package ${release.name}`).toBe(true);
  });
});
