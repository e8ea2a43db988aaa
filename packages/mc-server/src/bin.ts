import { McServerError } from "./errors.js";
import { safeUrl } from "./gateway.js";
import { createLogger } from "./log.js";
import { LOG_LEVELS, type LogLevel } from "./config.js";
import { startServer } from "./server.js";

/** Exit codes: 0 clean stop, 1 runtime failure, 78 configuration error (EX_CONFIG: systemd should not restart-loop). */
const EX_CONFIG = 78;

async function main(): Promise<void> {
  const envLevel = (process.env.LOG_LEVEL ?? "").trim().toLowerCase();
  const log = createLogger((LOG_LEVELS as readonly string[]).includes(envLevel) ? (envLevel as LogLevel) : "info");
  let server: Awaited<ReturnType<typeof startServer>>;
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
    const force = setTimeout(() => {
      log.error("shutdown took longer than 10 s: exiting", { signal });
      process.exit(1);
    }, 10_000);
    force.unref();
    server
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
}

void main();
