import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { backoffDelay, writeFileAtomic } from "@missionctl/shared";
import { McServerError } from "../errors.js";
import {
  configuredPrimary,
  deepMerge,
  initialConfig,
  LOCAL_PROVIDER_ID,
  type ModelSetup,
  managedConfig,
  modelFromEnv,
  openAiCompatibleProvider,
} from "./config.js";
import { ensureInstalled, isInstalled, OPENCLAW_VERSION } from "./install.js";
import { freePort, logOffset, spawnGateway, stopChild, tailFile, waitForLogLine, waitStarted } from "./process.js";

export {
  deepMerge,
  initialConfig,
  managedConfig,
  modelFromEnv,
  openAiCompatibleProvider,
  PROVIDER_KEY_VARIABLES,
} from "./config.js";
export type { InstalledGateway, InstallOptions } from "./install.js";
export { ensureInstalled, isInstalled, OFFICIAL_SDK_VERSION, OPENCLAW_VERSION } from "./install.js";
export type { SpawnOptions } from "./process.js";
export { freePort, spawnGateway, stopChild, tailFile, waitStarted } from "./process.js";

export type LocalGatewayState = "idle" | "installing" | "starting" | "running" | "restarting" | "stopped" | "failed";

/** GET /api/local-gateway, SSE `local-gateway`. Never contains the token. */
export interface LocalGatewayStatus {
  managed: true;
  state: LocalGatewayState;
  version: string;
  url: string | null;
  pid: number | null;
  dir: string;
  configPath: string;
  logFile: string;
  since: string;
  error: { message: string; hint: string } | null;
  model: ModelSetup & {
    /** false: nothing gives the agent a model yet (the fix says what to do). */
    configured: boolean;
    problem: string | null;
    fix: string | null;
  };
}

export interface LocalGatewayOptions {
  /** Persistent root: state, config, token, port, logs (kept across restarts). */
  dir: string;
  /** Where Node 24 and openclaw are installed (shared). */
  cacheDir: string;
  /** The environment the provider keys and MC_MODEL* come from. */
  env: Record<string, string | undefined>;
  log?: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
  startTimeoutMs?: number;
}

/** Variables passed to the gateway besides the provider keys: proxies the model calls may need. */
const PASS_THROUGH = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
/** What openclaw 2026.9.6 logs once a config change is in effect (hot reload, or a restart for it). */
const RELOAD_OUTCOME =
  /config (hot reload applied|change applied|change requires gateway restart|reload skipped|reload failed|hot reload failed)/;
/** The outcomes of RELOAD_OUTCOME that mean the gateway kept its old config. */
const RELOAD_REFUSED = /config (reload skipped|reload failed|hot reload failed)/;
const RELOAD_WAIT_MS = 20_000;
/** Restarts after a crash: the monorepo's backoff, 1 s doubling up to 30 s. */
const RESTART_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 30_000, jitter: "equal" } as const;

/** The defaults of the embedded gateway's folders (XDG data and cache homes). */
export function defaultLocalGatewayPaths(env: Record<string, string | undefined>): { dir: string; cacheDir: string } {
  const home = env.HOME || homedir();
  const data = env.XDG_DATA_HOME || join(home, ".local", "share");
  const cache = env.XDG_CACHE_HOME || join(home, ".cache");
  return {
    dir: env.MC_LOCAL_GATEWAY_DIR || join(data, "missionctl", "local-gateway"),
    cacheDir: env.MC_LOCAL_GATEWAY_CACHE || join(cache, "missionctl", "openclaw"),
  };
}

function readJson(path: string): { value: Record<string, unknown> | null; problem: string | null } {
  if (!existsSync(path)) return { value: null, problem: null };
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value)
      ? { value: value as Record<string, unknown>, problem: null }
      : { value: null, problem: `${path} is not a JSON object` };
  } catch (err) {
    return { value: null, problem: `${path} is not plain JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

/**
 * The OpenClaw gateway mc-server runs itself when no OPENCLAW_GATEWAY_URL is given (the README's
 * run command): installed on first use, bound to loopback, its token, port, config and state
 * kept in one folder so pairings, sessions and the model survive restarts; the usual provider
 * keys passed through; restarted if it dies.
 */
export class LocalGateway {
  readonly dir: string;
  readonly cacheDir: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly logFile: string;
  readonly outputFile: string;
  private readonly env: Record<string, string | undefined>;
  private readonly logFn: NonNullable<LocalGatewayOptions["log"]>;
  private readonly startTimeoutMs: number;
  private child: ChildProcess | null = null;
  private stateValue: LocalGatewayState = "idle";
  private sinceMs = Date.now();
  private errorValue: LocalGatewayStatus["error"] = null;
  private tokenValue: string | null = null;
  private portValue: number | null = null;
  private modelSetup: ModelSetup = { primary: null, source: null, keysFromEnv: [], baseUrl: null };
  private modelProblem: string | null = null;
  private passEnv: string[] = [];
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(s: LocalGatewayStatus) => void>();

  constructor(opts: LocalGatewayOptions) {
    this.dir = opts.dir;
    this.cacheDir = opts.cacheDir;
    this.stateDir = join(opts.dir, "state");
    this.configPath = join(this.stateDir, "openclaw.json");
    this.logFile = join(opts.dir, "gateway.log");
    this.outputFile = join(opts.dir, "gateway.stdout.log");
    this.env = opts.env;
    this.logFn = opts.log ?? (() => {});
    this.startTimeoutMs = opts.startTimeoutMs ?? 180_000;
  }

  get state(): LocalGatewayState {
    return this.stateValue;
  }

  get url(): string | null {
    return this.portValue ? `ws://127.0.0.1:${this.portValue}` : null;
  }

  get token(): string | null {
    return this.tokenValue;
  }

  onState(listener: (s: LocalGatewayStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: LocalGatewayState, error: LocalGatewayStatus["error"] = null): void {
    if (state !== this.stateValue) this.sinceMs = Date.now();
    this.stateValue = state;
    this.errorValue = error;
    const s = this.status();
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {}
    }
  }

  /**
   * Picks the port (the previous one when it is free), loads or creates the token, and writes
   * the config. Fast: the gateway is not started yet, but its URL and token are known.
   */
  async prepare(): Promise<{ url: string; token: string; port: number }> {
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    mkdirSync(join(this.dir, "home"), { recursive: true, mode: 0o700 });
    const tokenFile = join(this.dir, "token");
    let token = existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : "";
    if (!token) {
      token = randomBytes(24).toString("hex");
      await writeFileAtomic(tokenFile, `${token}\n`);
    }
    this.tokenValue = token;
    const portFile = join(this.dir, "port");
    let port = existsSync(portFile) ? Number(readFileSync(portFile, "utf8").trim()) : Number.NaN;
    // Reuse the previous port (stable URLs, stable device pairing) unless something else holds it.
    if (!Number.isInteger(port) || port <= 0 || !(await this.portFree(port))) port = await freePort();
    this.portValue = port;
    await writeFileAtomic(portFile, `${port}\n`);
    await this.writeConfig();
    return { url: this.url!, token, port };
  }

  private async portFree(port: number): Promise<boolean> {
    const { createServer } = await import("node:net");
    return new Promise((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
  }

  /** Writes the managed part and the environment's model into the config, keeping everything else. */
  private async writeConfig(): Promise<void> {
    const { value: existing, problem } = readJson(this.configPath);
    if (problem) {
      // Someone edited it by hand (JSON5, comments): leave it alone, the CLI flags still pin port and bind.
      this.logFn("warn", "local gateway config is not plain JSON; leaving it as it is", {
        path: this.configPath,
        problem,
      });
      this.modelSetup = { primary: null, source: "config", keysFromEnv: [], baseUrl: null };
      return;
    }
    const port = this.portValue!;
    let config = deepMerge(
      existing ?? initialConfig({ port, logFile: this.logFile }),
      managedConfig({ port, logFile: this.logFile }),
    );
    const fromEnv = modelFromEnv(this.env);
    this.passEnv = fromEnv.passEnv;
    this.modelProblem = fromEnv.problem;
    const sourceFile = join(this.dir, "model-source");
    if (fromEnv.config) {
      config = deepMerge(config, fromEnv.config);
      this.modelSetup = fromEnv.setup;
      await writeFileAtomic(sourceFile, "env\n");
    } else {
      const primary = configuredPrimary(config);
      const recorded = existsSync(sourceFile) ? readFileSync(sourceFile, "utf8").trim() : "";
      this.modelSetup = {
        ...fromEnv.setup,
        primary: primary ?? fromEnv.setup.primary,
        source: primary ? (recorded === "dashboard" ? "dashboard" : "config") : fromEnv.setup.source,
        baseUrl: this.localBaseUrl(config),
      };
    }
    const text = `${JSON.stringify(config, null, 2)}\n`;
    const before = existsSync(this.configPath) ? readFileSync(this.configPath, "utf8") : "";
    if (text !== before) await writeFileAtomic(this.configPath, text);
  }

  private localBaseUrl(config: unknown): string | null {
    const p = (config as { models?: { providers?: Record<string, { baseUrl?: unknown }> } })?.models?.providers?.[
      LOCAL_PROVIDER_ID
    ];
    return typeof p?.baseUrl === "string" ? p.baseUrl : null;
  }

  /** Installs (first time), starts, waits until ready. Rejects with the reason; the state says it too. */
  async start(): Promise<void> {
    if (!this.portValue) await this.prepare();
    this.stopping = false;
    try {
      if (!isInstalled(this.cacheDir)) this.setState("installing");
      const installed = await ensureInstalled({
        cacheDir: this.cacheDir,
        log: (m) => this.logFn("info", m),
      });
      if (this.stopping) return;
      this.setState("starting");
      await this.spawn(installed.nodeBin, installed.openclawEntry);
      this.restarts = 0;
      this.setState("running");
      this.logFn("info", "local gateway running", { url: this.url, version: OPENCLAW_VERSION, pid: this.child?.pid });
    } catch (err) {
      const e = err instanceof McServerError ? err : null;
      this.setState("failed", {
        message: e ? e.message.split(" — ")[0]! : err instanceof Error ? err.message : String(err),
        hint: e?.hint ?? `read ${this.outputFile}`,
      });
      throw err;
    }
  }

  private async spawn(nodeBin: string, openclawEntry: string): Promise<void> {
    const passed: Record<string, string> = {};
    for (const k of [...this.passEnv, ...PASS_THROUGH]) {
      const v = this.env[k];
      if (typeof v === "string" && v !== "") passed[k] = v;
    }
    const env: Record<string, string> = {
      PATH: `${dirname(nodeBin)}${delimiter}${this.env.PATH ?? process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: join(this.dir, "home"),
      OPENCLAW_STATE_DIR: this.stateDir,
      OPENCLAW_CONFIG_PATH: this.configPath,
      OPENCLAW_GATEWAY_TOKEN: this.tokenValue!,
      OPENCLAW_GATEWAY_PORT: String(this.portValue),
      NO_COLOR: "1",
      TZ: this.env.TZ ?? "UTC",
      LANG: "C.UTF-8",
      ...passed,
    };
    const child = spawnGateway({
      nodeBin,
      openclawEntry,
      port: this.portValue!,
      env,
      cwd: this.dir,
      outputFile: this.outputFile,
    });
    this.child = child;
    try {
      await waitStarted(this.portValue!, child, this.outputFile, this.startTimeoutMs);
    } catch (err) {
      await stopChild(child, "SIGKILL");
      this.child = null;
      throw err;
    }
    child.once("exit", (code, signal) => this.onExit(child, code, signal, nodeBin, openclawEntry));
  }

  /** The gateway died on its own: say so, and start it again with backoff. */
  private onExit(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
    nodeBin: string,
    entry: string,
  ): void {
    if (this.child !== child || this.stopping) return;
    this.child = null;
    const delay = backoffDelay(this.restarts, RESTART_BACKOFF);
    this.restarts++;
    this.logFn("error", "local gateway exited; starting it again", {
      code,
      signal,
      retryInMs: delay,
      log: this.outputFile,
    });
    this.setState("restarting", {
      message: `openclaw exited (code ${code}, signal ${signal})`,
      hint: `read ${this.outputFile}; it is started again in ${Math.round(delay / 1000)} s`,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.setState("starting");
      this.spawn(nodeBin, entry)
        .then(() => {
          this.restarts = 0;
          this.setState("running");
        })
        .catch((err) => {
          this.setState("failed", {
            message: err instanceof Error ? err.message.split(" — ")[0]! : String(err),
            hint: err instanceof McServerError ? err.hint : `read ${this.outputFile}`,
          });
        });
    }, delay);
    this.restartTimer.unref?.();
  }

  /** SIGTERM (a clean shutdown), SIGKILL to its process group if it takes longer than 8 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = null;
    if (child) await stopChild(child, "SIGTERM", 8_000);
    this.setState("stopped");
  }

  /**
   * Gives the agent a model from the dashboard: an OpenAI-compatible server (`baseUrl` + `model`,
   * optional `apiKey`) or a `provider/model` ref for a provider whose key the gateway has. The
   * gateway applies config changes by itself (hot reload, or an in-process restart).
   */
  async setModel(input: { baseUrl?: string; model: string; apiKey?: string }): Promise<LocalGatewayStatus> {
    const { value: existing, problem } = readJson(this.configPath);
    if (problem || !existing) {
      throw new McServerError(
        "LOCAL_GATEWAY_CONFIG",
        "local gateway model",
        problem ?? `${this.configPath} does not exist yet`,
        "start the local gateway first, or fix the file by hand",
      );
    }
    let patch: Record<string, unknown>;
    let primary: string;
    if (input.baseUrl) {
      const id = input.model.startsWith(`${LOCAL_PROVIDER_ID}/`)
        ? input.model.slice(LOCAL_PROVIDER_ID.length + 1)
        : input.model;
      primary = `${LOCAL_PROVIDER_ID}/${id}`;
      patch = {
        models: {
          mode: "merge",
          providers: {
            [LOCAL_PROVIDER_ID]: openAiCompatibleProvider({
              baseUrl: input.baseUrl,
              apiKey: input.apiKey || "no-key",
              model: id,
            }),
          },
        },
      };
    } else {
      primary = input.model;
      patch = {};
    }
    const next = deepMerge(existing, patch) as Record<string, unknown>;
    // The model ref replaces whatever the defaults said (a string or { primary, fallbacks }).
    const agents = (next.agents ?? {}) as Record<string, unknown>;
    const defaults = (agents.defaults ?? {}) as Record<string, unknown>;
    next.agents = { ...agents, defaults: { ...defaults, model: { primary } } };
    const before = readFileSync(this.configPath, "utf8");
    const logFrom = logOffset(this.outputFile);
    await writeFileAtomic(this.configPath, `${JSON.stringify(next, null, 2)}\n`);
    await writeFileAtomic(join(this.dir, "model-source"), "dashboard\n");
    // The gateway notices the file by itself; answer once it has applied it, or a run started at
    // once reads the model catalog while the reload replaces it and fails
    // (PreparedModelCatalogConfigReplacedError, measured).
    const outcome =
      this.stateValue === "running"
        ? await waitForLogLine(this.outputFile, logFrom, RELOAD_OUTCOME, RELOAD_WAIT_MS)
        : "not running: applied at its next start";
    if (outcome && RELOAD_REFUSED.test(outcome)) {
      // Back to the config the gateway runs with: nothing half-applied is left on disk.
      await writeFileAtomic(this.configPath, before);
      throw new McServerError(
        "LOCAL_GATEWAY_CONFIG",
        "local gateway model",
        `the gateway did not apply the new model: ${outcome.slice(0, 500)}`,
        `fix it in ${this.configPath} (or give another model), then it reloads by itself; its log: ${this.outputFile}`,
      );
    }
    if (!outcome)
      this.logFn("warn", "the local gateway has not confirmed the model change yet", {
        waitedMs: RELOAD_WAIT_MS,
        hint: `it is in ${this.configPath}; the gateway applies it when it reloads (read ${this.outputFile})`,
      });
    this.modelSetup = {
      primary,
      source: "dashboard",
      keysFromEnv: this.modelSetup.keysFromEnv,
      baseUrl: input.baseUrl ? input.baseUrl.replace(/\/+$/, "") : null,
    };
    this.modelProblem = null;
    this.logFn("info", "local gateway model set from the dashboard", { primary, baseUrl: this.modelSetup.baseUrl });
    this.setState(this.stateValue, this.errorValue);
    return this.status();
  }

  status(): LocalGatewayStatus {
    const m = this.modelSetup;
    const configured = m.primary !== null || m.keysFromEnv.length > 0;
    return {
      managed: true,
      state: this.stateValue,
      version: OPENCLAW_VERSION,
      url: this.url,
      pid: this.child?.pid ?? null,
      dir: this.dir,
      configPath: this.configPath,
      logFile: this.logFile,
      since: new Date(this.sinceMs).toISOString(),
      error: this.errorValue,
      model: {
        ...m,
        configured,
        problem: this.modelProblem,
        fix: configured
          ? null
          : "set OPENAI_API_KEY or ANTHROPIC_API_KEY (or MC_MODEL_BASE_URL and MC_MODEL for a local OpenAI-compatible server " +
            "such as Ollama) and start again with npm start — or give the agent a model here (POST /api/local-gateway/model)",
      },
    };
  }

  /** The tail of the gateway's own output (for the dashboard when it failed). */
  outputTail(lines = 30): string {
    return tailFile(this.outputFile, lines);
  }
}
