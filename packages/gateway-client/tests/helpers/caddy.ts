// Starts the Debian-packaged Caddy (/usr/bin/caddy) on a free loopback port in front of a
// gateway, with its own storage dir, and stops it by PID. Layout as in caddy-ansible.md §2.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { freePort } from "../../../../tests/peer/peer.mjs";

export const CADDY_BIN = "/usr/bin/caddy";

export interface CaddyOptions {
  upstreamPort: number;
  /** Extra lines inside `reverse_proxy … { }` (e.g. `header_up -X-Forwarded-For`). */
  proxyLines?: string[];
  /** Upstream transport versions (default `1.1`; `h2c 2` breaks WebSockets with a 502). */
  versions?: string;
  /** Replace the reverse proxy with `respond "<body>" 200`: a site that never upgrades. */
  respond200?: string;
}

export interface Caddy {
  url: string;
  port: number;
  pid: number | undefined;
  /** PEM of Caddy's internal root CA (what a client must trust). */
  rootCa: string;
  rootCaPath: string;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export function caddyfile(port: number, storage: string, o: CaddyOptions): string {
  const site = o.respond200
    ? `\trespond "${o.respond200}" 200`
    : [
        `\treverse_proxy 127.0.0.1:${o.upstreamPort} {`,
        ...(o.proxyLines ?? []).map((l) => `\t\t${l}`),
        `\t\ttransport http {`,
        `\t\t\tversions ${o.versions ?? "1.1"}`,
        `\t\t}`,
        `\t}`,
      ].join("\n");
  return `{
\tadmin off
\tauto_https disable_redirects
\tskip_install_trust
\tstorage file_system {
\t\troot ${storage}
\t}
}
https://127.0.0.1:${port} {
\tbind 127.0.0.1
\ttls internal
${site}
}
`;
}

async function waitTls(port: number, child: ChildProcess, logFile: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`caddy exited (${child.exitCode}):\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`caddy did not serve TLS on ${port} within ${timeoutMs} ms`);
}

export async function startCaddy(o: CaddyOptions): Promise<Caddy> {
  const dir = mkdtempSync(join(tmpdir(), "missionctl-caddy-"));
  const storage = join(dir, "storage");
  const port: number = await freePort();
  const file = join(dir, "Caddyfile");
  writeFileSync(file, caddyfile(port, storage, o));
  const logFile = join(dir, "caddy.log");
  const out = openSync(logFile, "a");
  const child = spawn(CADDY_BIN, ["run", "--config", file, "--adapter", "caddyfile"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_DATA_HOME: join(dir, "data"),
      XDG_CONFIG_HOME: join(dir, "config"),
    },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const t = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      if (child.pid) process.kill(child.pid, "SIGTERM");
    });
  try {
    await waitTls(port, child, logFile);
  } catch (e) {
    await stop();
    throw e;
  }
  const rootCaPath = join(storage, "pki", "authorities", "local", "root.crt");
  if (!existsSync(rootCaPath)) throw new Error(`caddy root CA not found at ${rootCaPath}`);
  return {
    url: `wss://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    rootCa: readFileSync(rootCaPath, "utf8"),
    rootCaPath,
    dir,
    log: () => readFileSync(logFile, "utf8"),
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
