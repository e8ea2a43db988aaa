import type {
  DeviceIdentity,
  EventFrame,
  GatewayEventMap,
  GatewayEventName,
  HelloOk,
  RequestTarget,
} from "@missionctl/gateway-client";
import {
  GatewayClient,
  GatewayError,
  hasScope,
  isTypedEvent,
  loadOrCreateIdentity,
  PAIRING_SCOPES,
  parseEventPayload,
  redactUrl,
} from "@missionctl/gateway-client";
import type { ServerConfig } from "./config.js";
import { ApiError } from "./errors.js";
import type { Logger } from "./log.js";

/** What the dashboard and `/api/openclaw/status` call the connection's state. */
export type GatewayState = "connected" | "connecting" | "pairing_required" | "error" | "not_configured";

export interface GatewayStatus {
  state: GatewayState;
  gatewayUrl: string | null;
  protocol: number | null;
  serverVersion: string | null;
  scopes: string[];
  requestedScopes: string[];
  deviceId: string | null;
  client: { id: string; mode: string };
  lastError: { code: string; detailCode: string | null; message: string; hint: string; layer: string | null } | null;
  pairing: {
    requestId: string;
    approveCommand: string;
    deviceId: string | null;
    remoteIp: string | null;
    reason: string | null;
  } | null;
  canApprovePairing: boolean;
  since: string;
}

export interface GatewayHistorySink {
  record(entry: { state: string; code?: string; detailCode?: string; message?: string }): unknown;
}

export interface GatewayConnectionOptions {
  config: ServerConfig;
  logger: Logger;
  history?: GatewayHistorySink;
  /** How often a device waiting for approval reconnects (refreshes its pending request). */
  pairingPollMs?: number;
  /** Retry delays after a failed connect that the client does not retry itself. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

type EventHandler = (payload: unknown, event: string) => void;

/** The gateway URL as the API and the logs show it: credentials masked by gateway-client, no trailing slash. */
export function safeUrl(url: string | undefined): string | null {
  return url ? redactUrl(url).replace(/\/$/, "") : null;
}

const holdsPairing = (scopes: readonly string[]) => PAIRING_SCOPES.some((s) => hasScope(scopes, s));

/**
 * The one gateway connection of this process, and the one place that knows its state.
 * The client reconnects by itself after a drop; this supervisor covers what it does not
 * retry on its own: a first connect that failed, a device waiting for approval, errors that
 * need a human (retried slowly, so fixing the gateway side needs no restart here).
 */
export class GatewayConnection {
  readonly config: ServerConfig;
  private readonly log: Logger;
  private readonly history: GatewayHistorySink | undefined;
  private readonly pairingPollMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private client: GatewayClient | null = null;
  private unsubs: (() => void)[] = [];
  private identity: DeviceIdentity | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private closed = false;
  private connecting = false;
  private readonly eventHandlers = new Map<string, Set<EventHandler>>();
  private readonly stateListeners = new Set<(s: GatewayStatus, previous: GatewayState) => void>();
  private statusCache: GatewayStatus;
  private hello: HelloOk | null = null;
  private stateValue: GatewayState;
  private sinceMs = Date.now();
  private lastErr: GatewayError | null = null;
  private bootIdValue: string | null = null;

  constructor(opts: GatewayConnectionOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: "gateway" });
    this.history = opts.history;
    this.pairingPollMs = opts.pairingPollMs ?? 5_000;
    this.retryInitialMs = opts.retryInitialMs ?? 1_000;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
    this.stateValue = this.config.gatewayUrl ? "connecting" : "not_configured";
    this.statusCache = this.buildStatus();
  }

  get state(): GatewayState {
    return this.stateValue;
  }

  /** The gateway process's boot id: changes when the gateway restarted (its in-memory dedupe is gone). */
  get bootId(): string | null {
    return this.bootIdValue;
  }

  get deviceId(): string | null {
    return this.identity?.deviceId ?? null;
  }

  status(): GatewayStatus {
    return this.statusCache;
  }

  /** Starts connecting in the background; never throws (failures become the state). */
  async start(): Promise<void> {
    if (!this.config.gatewayUrl) {
      this.record();
      this.log.warn("gateway not configured", {
        hint: "set OPENCLAW_GATEWAY_URL (e.g. ws://127.0.0.1:18789) and OPENCLAW_GATEWAY_TOKEN to connect to a gateway",
      });
      return;
    }
    try {
      this.identity = await loadOrCreateIdentity(this.config.identityDir);
      this.log.info("device identity loaded", {
        deviceId: this.identity.deviceId,
        identityDir: this.config.identityDir,
      });
    } catch (err) {
      this.fail(err);
      // Without an identity there is nothing to retry until someone fixes the folder.
      this.schedule(this.retryMaxMs);
      return;
    }
    void this.connectOnce();
  }

  /** Reconnects now (after an approval, or from the dashboard's "retry" button). */
  retryNow(): void {
    if (this.closed || !this.config.gatewayUrl) return;
    if (this.stateValue === "connected" || this.connecting) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.identity) {
      void this.start();
      return;
    }
    void this.connectOnce();
  }

  private newClient(): GatewayClient {
    const c = this.config;
    const client = new GatewayClient({
      url: c.gatewayUrl!,
      ...(c.gatewayToken ? { token: c.gatewayToken } : {}),
      ...(c.gatewayPassword ? { password: c.gatewayPassword } : {}),
      identity: this.identity,
      scopes: c.gatewayScopes,
      clientId: c.gatewayClientId,
      clientMode: c.gatewayClientMode,
      displayName: c.gatewayDisplayName,
      ...(c.gatewayOrigin ? { origin: c.gatewayOrigin } : {}),
      reconnect: { initialDelayMs: this.retryInitialMs, maxDelayMs: this.retryMaxMs },
      logger: this.clientLogger(),
    });
    this.unsubs.push(
      client.on("*", (payload: unknown, frame: EventFrame) => this.dispatchEvent(frame.event, payload)),
      client.onState((change) => this.onClientState(client, change.state, change.error)),
    );
    return client;
  }

  private clientLogger() {
    const log = this.log;
    return {
      debug: (msg: string, data?: Record<string, unknown>) => log.debug(msg, data),
      info: (msg: string, data?: Record<string, unknown>) => log.info(msg, data),
      warn: (msg: string, data?: Record<string, unknown>) => log.warn(msg, data),
      error: (msg: string, data?: Record<string, unknown>) => log.error(msg, data),
    };
  }

  private async connectOnce(): Promise<void> {
    if (this.closed || this.connecting) return;
    this.connecting = true;
    await this.dropClient();
    const client = this.newClient();
    this.client = client;
    if (this.stateValue !== "pairing_required") this.setState("connecting");
    try {
      const hello = await client.connect();
      if (this.closed || this.client !== client) return;
      this.onConnected(hello);
    } catch (err) {
      if (this.closed || this.client !== client) return;
      this.fail(err);
      // A retryable failure: the client keeps reconnecting by itself (with backoff).
      if (client.state !== "reconnecting") this.scheduleAfterFailure();
    } finally {
      this.connecting = false;
    }
  }

  private onConnected(hello: HelloOk): void {
    this.hello = hello;
    this.attempt = 0;
    this.lastErr = null;
    const bootId = typeof hello.server?.bootId === "string" ? hello.server.bootId : null;
    this.bootIdValue = bootId;
    this.setState("connected");
  }

  private onClientState(client: GatewayClient, state: string, error?: GatewayError): void {
    if (this.client !== client || this.closed) return;
    if (state === "connected") {
      if (client.hello && this.stateValue !== "connected") this.onConnected(client.hello);
      return;
    }
    if (this.connecting) return; // connectOnce handles the outcome of its own attempt
    if (state === "connecting" || state === "handshaking") return;
    if (state === "reconnecting") {
      // A drop from connected is "connecting" (it usually comes back at once); a retry that
      // failed again is an error with its cause on the dashboard while the client keeps trying.
      if (this.stateValue === "connected") {
        if (error) this.lastErr = error;
        this.setState("connecting");
      } else if (error) this.fail(error);
      return;
    }
    if (state === "pairing_required" || state === "failed" || state === "closed") {
      this.fail(error ?? client.lastError ?? null);
      this.scheduleAfterFailure();
    }
  }

  private fail(err: unknown): void {
    const before = {
      state: this.stateValue,
      code: this.statusCache.lastError?.code,
      requestId: this.statusCache.pairing?.requestId,
    };
    const gerr = err instanceof GatewayError ? err : null;
    if (gerr) this.lastErr = gerr;
    else if (err) {
      this.lastErr = new GatewayError({
        code: "INVALID_OPTIONS",
        subject: "gateway connection",
        reason: err instanceof Error ? err.message : String(err),
        hint: "check MC_IDENTITY_DIR and the gateway settings",
      } as never);
    }
    const next: GatewayState = this.lastErr?.code === "PAIRING_REQUIRED" ? "pairing_required" : "error";
    this.setState(next, true);
    const e = this.lastErr;
    // The client retries every few seconds: log a cause once, not once per attempt.
    const repeated = before.state === next && before.code === e?.code && before.requestId === e?.pairing?.requestId;
    if (e && !repeated) {
      const fields = {
        code: e.code,
        detailCode: e.detailCode,
        layer: e.layer,
        hint: e.hint,
        requestId: e.pairing?.requestId,
      };
      if (next === "pairing_required")
        this.log.warn("gateway pairing required", { ...fields, approveCommand: e.pairing?.approveCommand });
      else this.log.error("gateway connection failed", { ...fields, message: e.message });
    }
  }

  private scheduleAfterFailure(): void {
    const e = this.lastErr;
    if (e?.code === "PAIRING_REQUIRED") {
      this.schedule(this.pairingPollMs);
      return;
    }
    this.attempt++;
    const base =
      e?.retryable === false
        ? this.retryMaxMs
        : Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.attempt - 1));
    const delay = Math.max(e?.retryAfterMs ?? 0, base * (0.8 + Math.random() * 0.4));
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.identity) void this.connectOnce();
      else void this.start();
    }, ms);
    this.timer.unref?.();
  }

  private setState(state: GatewayState, force = false): void {
    const previous = this.stateValue;
    if (previous === state && !force) return;
    const changed = previous !== state;
    if (changed) this.sinceMs = Date.now();
    this.stateValue = state;
    const before = this.statusCache;
    this.statusCache = this.buildStatus();
    // A repeated failure with the same cause is not news for the history or the stream.
    if (
      !changed &&
      before.lastError?.code === this.statusCache.lastError?.code &&
      before.pairing?.requestId === this.statusCache.pairing?.requestId
    )
      return;
    this.record();
    if (state === "connected") {
      this.log.info("gateway connected", {
        url: safeUrl(this.config.gatewayUrl),
        serverVersion: this.hello?.server?.version,
        protocol: this.hello?.protocol,
        scopes: this.hello?.auth?.scopes,
      });
    }
    for (const l of this.stateListeners) {
      try {
        l(this.statusCache, previous);
      } catch (err) {
        this.log.error("gateway state listener failed", { error: String(err) });
      }
    }
  }

  private record(): void {
    if (!this.history) return;
    const s = this.statusCache;
    try {
      this.history.record({
        state: s.state,
        ...(s.lastError && s.state !== "connected" ? { code: s.lastError.code, message: s.lastError.message } : {}),
        ...(s.lastError?.detailCode && s.state !== "connected" ? { detailCode: s.lastError.detailCode } : {}),
      });
    } catch (err) {
      this.log.warn("could not record gateway state", { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private buildStatus(): GatewayStatus {
    const c = this.config;
    const connected = this.stateValue === "connected";
    const e = connected ? null : this.lastErr;
    const granted = connected ? (this.hello?.auth?.scopes ?? []) : [];
    return {
      state: this.stateValue,
      gatewayUrl: safeUrl(c.gatewayUrl),
      protocol: connected ? (this.hello?.protocol ?? null) : null,
      serverVersion: connected ? (this.hello?.server?.version ?? null) : null,
      scopes: granted,
      requestedScopes: c.gatewayScopes,
      deviceId: this.identity?.deviceId ?? null,
      client: { id: c.gatewayClientId, mode: c.gatewayClientMode },
      lastError: e
        ? { code: e.code, detailCode: e.detailCode ?? null, message: e.message, hint: e.hint, layer: e.layer ?? null }
        : this.stateValue === "not_configured"
          ? {
              code: "GATEWAY_NOT_CONFIGURED",
              detailCode: null,
              message: "[mc-server] gateway: OPENCLAW_GATEWAY_URL is not set",
              hint: "set OPENCLAW_GATEWAY_URL (e.g. ws://127.0.0.1:18789) and OPENCLAW_GATEWAY_TOKEN, then restart mc-server",
              layer: "config",
            }
          : null,
      pairing:
        this.stateValue === "pairing_required" && e?.pairing
          ? {
              requestId: e.pairing.requestId,
              approveCommand: e.pairing.approveCommand,
              deviceId: e.pairing.deviceId ?? null,
              remoteIp: e.pairing.remoteIp ?? null,
              reason: e.pairing.reason ?? null,
            }
          : null,
      canApprovePairing: this.canApprovePairing(),
      since: new Date(this.sinceMs).toISOString(),
    };
  }

  /** Approving needs operator.pairing, which mc-server only asks for when MC_GATEWAY_SCOPES says so. */
  canApprovePairing(): boolean {
    return holdsPairing(this.config.gatewayScopes);
  }

  onState(listener: (s: GatewayStatus, previous: GatewayState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Gateway events by name, or "*" for all. Handlers survive reconnects and client replacement.
   * Typed events (gateway-client's event map) arrive checked; a payload that does not match is dropped.
   */
  on<E extends GatewayEventName>(event: E, handler: (payload: GatewayEventMap[E], event: string) => void): () => void;
  on(event: string, handler: EventHandler): () => void;
  on(event: string, handler: (payload: never, event: string) => void): () => void {
    let set = this.eventHandlers.get(event);
    if (!set) this.eventHandlers.set(event, (set = new Set()));
    const h = handler as EventHandler;
    set.add(h);
    return () => set!.delete(h);
  }

  private dispatchEvent(event: string, raw: unknown): void {
    if (this.log.enabled("debug") && event !== "tick" && event !== "health")
      this.log.debug("gateway event", { event, payload: raw });
    for (const key of [event, "*"]) {
      const set = this.eventHandlers.get(key);
      if (!set || set.size === 0) continue;
      let payload = raw;
      if (key !== "*" && isTypedEvent(key)) {
        const checked = parseEventPayload(key, raw);
        if (!checked.ok) {
          this.log.warn("gateway event does not match the protocol; ignored", { event, problem: checked.problem });
          continue;
        }
        payload = checked.payload;
      }
      for (const h of set) {
        try {
          h(payload, event);
        } catch (err) {
          this.log.error("gateway event handler failed", {
            event,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    }
  }

  /** An RPC on the connection; ApiError 503 with the reason when there is none. */
  async request<T = unknown>(method: string, params?: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
    const client = this.client;
    if (!client || this.stateValue !== "connected") throw this.notConnected(method);
    return client.request<T>(method, params, opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : undefined);
  }

  notConnected(what: string): ApiError {
    const s = this.statusCache;
    const reason = s.state === "not_configured" ? "no gateway is configured" : `the gateway connection is ${s.state}`;
    return new ApiError(
      503,
      "GATEWAY_NOT_CONNECTED",
      `[mc-server] ${what}: ${reason}`,
      s.lastError?.hint ?? "wait for the connection to come back; GET /api/openclaw/status says why it is down",
      {
        state: s.state,
        ...(s.lastError ? { cause: s.lastError.code } : {}),
      },
    );
  }

  /**
   * Runs `fn` on a connection that holds operator.pairing: this one when connected with it,
   * otherwise a short-lived device-less loopback connection with the shared token (the only
   * way to approve this very device while it waits; the gateway grants it on direct loopback).
   */
  async withPairingClient<T>(fn: (client: RequestTarget) => Promise<T>): Promise<T> {
    if (!this.canApprovePairing()) {
      throw new ApiError(
        403,
        "PAIRING_NOT_ALLOWED",
        "[mc-server] pairing: this server does not hold operator.pairing",
        "approve on the gateway host with `openclaw devices approve <requestId>`, or add operator.pairing to MC_GATEWAY_SCOPES to approve from the dashboard",
      );
    }
    if (!this.config.gatewayUrl) throw this.notConnected("pairing");
    const main = this.client;
    if (main && this.stateValue === "connected" && holdsPairing(this.hello?.auth?.scopes ?? [])) return fn(main);
    const c = this.config;
    const approver = new GatewayClient({
      url: c.gatewayUrl!,
      ...(c.gatewayToken ? { token: c.gatewayToken } : {}),
      ...(c.gatewayPassword ? { password: c.gatewayPassword } : {}),
      identity: null,
      // The gateway only lets an approver grant scopes it holds itself.
      scopes: [...new Set(["operator.read", "operator.pairing", ...c.gatewayScopes])],
      clientId: "gateway-client",
      clientMode: "backend",
      displayName: `${c.gatewayDisplayName} (approver)`,
      reconnect: false,
      deviceTokenStore: false,
      logger: this.clientLogger(),
    });
    try {
      await approver.connect();
      return await fn(approver);
    } catch (err) {
      if (err instanceof GatewayError && (err.code === "MISSING_SCOPE" || err.layer !== "rpc")) {
        throw new ApiError(
          502,
          "PAIRING_CONNECTION_FAILED",
          `[mc-server] pairing: could not open a connection holding operator.pairing (${err.code})`,
          "the gateway grants operator.pairing without a paired device only on direct loopback with the shared token; approve on the gateway host with `openclaw devices approve <requestId>`",
        );
      }
      throw err;
    } finally {
      await approver.close().catch(() => {});
    }
  }

  private async dropClient(): Promise<void> {
    for (const u of this.unsubs.splice(0)) u();
    const old = this.client;
    this.client = null;
    if (old) await old.close().catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.dropClient();
  }
}
