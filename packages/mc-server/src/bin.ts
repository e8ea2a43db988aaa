#!/usr/bin/env node
import { sanitizeForTerminal } from "@missionctl/gateway-client";
import pkg from "../package.json";
import { LOG_LEVELS, type LogLevel } from "./config.js";
import { McServerError } from "./errors.js";
import { safeUrl } from "./gateway.js";
import { createLogger } from "./log.js";
import { startServer } from "./server.js";

/** Exit codes: 0 clean stop, 1 runtime failure, 78 configuration error (EX_CONFIG: systemd should not restart-loop). */
const EX_CONFIG = 78;

const USAGE = `missionctl-server ${pkg.version}: the Mission Control dashboard and API for an OpenClaw gateway.

Usage: missionctl-server            start from the environment (logs one JSON line when it listens)
       missionctl-server --help     this text
       missionctl-server --version  the version

Environment:
  PORT (4000), HOST (127.0.0.1), DATABASE_PATH (default: $XDG_DATA_HOME/missionctl/mission-control.db),
  OPENCLAW_GATEWAY_URL, OPENCLAW_GATEWAY_TOKEN, OPENCLAW_GATEWAY_ORIGIN (optional; sends an Origin header),
  MC_IDENTITY_DIR (~/.mission-control/identity), MC_API_TOKEN (required to listen beyond loopback),
  MC_GATEWAY_SCOPES (operator.read,operator.write), MC_GATEWAY_CLIENT_ID, MC_GATEWAY_CLIENT_MODE,
  MC_ALLOWED_HOSTS (public names the server answers to, e.g. the proxy's site; loopback always),
  MC_REQUEST_TIMEOUT_MS (30000), LOG_LEVEL (debug|info|warn|error).
  MC_LOCAL_GATEWAY=1 (without OPENCLAW_GATEWAY_URL): run the pinned OpenClaw gateway locally and connect to it;
  its agent's model from OPENAI_API_KEY / ANTHROPIC_API_KEY, or MC_MODEL_BASE_URL + MC_MODEL (+ MC_MODEL_API_KEY).

Exit codes: 0 clean stop, 1 runtime failure, 2 usage error, 78 configuration error.
`;

/** Arguments are checked before anything starts, so --help never opens a database or a port. */
function handleArgs(args: string[]): number | undefined {
  if (args.length === 0) return undefined;
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.includes("--version") || args.includes("-v")) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  process.stderr.write(
    `missionctl-server: unknown argument ${sanitizeForTerminal(JSON.stringify(args[0]))}: configure it through environment ` +
      "variables (see --help)\n",
  );
  return 2;
}

async function main(): Promise<void> {
  const argExit = handleArgs(process.argv.slice(2));
  if (argExit !== undefined) {
    process.exitCode = argExit;
    return;
  }
  // Registered before the start so a SIGTERM during start-up still ends the process cleanly.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopRequested: string | undefined;
  const early = (signal: string) => {
    stopRequested = signal;
  };
  process.on("SIGTERM", early);
  process.on("SIGINT", early);
  const envLevel = (process.env.LOG_LEVEL ?? "").trim().toLowerCase();
  const log = createLogger((LOG_LEVELS as readonly string[]).includes(envLevel) ? (envLevel as LogLevel) : "info");
  try {
    server = await startServer({ env: process.env, logger: log });
  } catch (err) {
    if (err instanceof McServerError) {
      log.error(err.message, { code: err.code, hint: err.hint, ...(err.variable ? { variable: err.variable } : {}) });
      process.exit(err.code.startsWith("CONFIG_") ? EX_CONFIG : 1);
    }
    log.error("mc-server failed to start", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
  process.off("SIGTERM", early);
  process.off("SIGINT", early);
  const { config } = server.ctx;
  log.info("mc-server listening", {
    url: server.url,
    host: config.host,
    port: server.port,
    version: server.ctx.version,
    gatewayUrl: safeUrl(config.gatewayUrl),
    apiTokenRequired: !!config.apiToken,
    pid: process.pid,
  });
  if (!config.gatewayUrl) {
    log.warn("no gateway configured", {
      hint: "set OPENCLAW_GATEWAY_URL=wss://<gateway-host> and OPENCLAW_GATEWAY_TOKEN=<token> to connect to a real gateway",
    });
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("mc-server shutting down", { signal });
    // The local gateway gets 8 s for its own clean shutdown before it is killed.
    const budgetMs = config.localGateway ? 20_000 : 10_000;
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${budgetMs / 1000} s: exiting`, { signal });
      process.exit(1);
    }, budgetMs);
    force.unref();
    server!
      .close()
      .then(() => {
        log.info("mc-server stopped", { signal });
        process.exit(0);
      })
      .catch((err) => {
        log.error("shutdown failed", { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (stopRequested) stop(stopRequested);
}

void main();
