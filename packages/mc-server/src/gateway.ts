import type {
  DeviceIdentity,
  EventFrame,
  GatewayEventMap,
  GatewayEventName,
  HelloOk,
  RequestTarget,
  StateChange,
} from "@missionctl/gateway-client";
import {
  GatewayClient,
  GatewayError,
  hasScope,
  loadOrCreateIdentity,
  PAIRING_SCOPES,
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
  /** Reconnect backoff; errors retrying cannot fix are retried every retryMaxMs. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /**
   * Cap of the reconnect backoff after a drop (default 5 s). A try against a gateway that is
   * down costs one refused connect; a longer cap only delays the return: with 30 s mc-server
   * came back up to 25 s after a restarted gateway was ready.
   */
  reconnectMaxMs?: number;
}

type EventHandler = (payload: unknown, event: string) => void;

interface Subscription {
  event: string;
  handler: EventHandler;
  off?: () => void;
}

/** The gateway URL as the API and the logs show it: credentials masked by gateway-client, no trailing slash. */
export function safeUrl(url: string | undefined): string | null {
  return url ? redactUrl(url).replace(/\/$/, "") : null;
}

const holdsPairing = (scopes: readonly string[]) => PAIRING_SCOPES.some((s) => hasScope(scopes, s));

/**
 * The one gateway connection of this process, projected for the API. gateway-client's
 * GatewayClient supervises it (backoff, pairing wait, persistent retries, reconnect-now, event
 * fan-out); this class only turns its state changes into the dashboard's status, history and logs.
 */
export class GatewayConnection {
  readonly config: ServerConfig;
  private readonly log: Logger;
  private readonly history: GatewayHistorySink | undefined;
  private readonly pairingPollMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly reconnectMaxMs: number;
  private client: GatewayClient | null = null;
  private readonly subscriptions = new Set<Subscription>();
  private readonly stateListeners = new Set<(s: GatewayStatus, previous: GatewayState) => void>();
  private statusCache: GatewayStatus;
  private hello: HelloOk | null = null;
  private stateValue: GatewayState;
  private sinceMs = Date.now();
  private lastErr: GatewayError | null = null;
  private closed = false;

  constructor(opts: GatewayConnectionOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: "gateway" });
    this.history = opts.history;
    this.pairingPollMs = opts.pairingPollMs ?? 5_000;
    this.retryInitialMs = opts.retryInitialMs ?? 1_000;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
    this.reconnectMaxMs = Math.min(opts.reconnectMaxMs ?? 5_000, this.retryMaxMs);
    this.stateValue = this.config.gatewayUrl ? "connecting" : "not_configured";
    this.statusCache = this.buildStatus();
  }

  get state(): GatewayState {
    return this.stateValue;
  }

  /** The gateway process's boot id: changes when the gateway restarted (its in-memory dedupe is gone). */
  get bootId(): string | null {
    return this.hello?.server.bootId ?? null;
  }

  get deviceId(): string | null {
    return this.identity()?.deviceId ?? null;
  }

  private identity(): DeviceIdentity | undefined {
    return this.client?.identity;
  }

  status(): GatewayStatus {
    return this.statusCache;
  }

  /** Points the connection at a gateway known only after start-up (the local gateway's URL and token). */
  useGateway(target: { url: string; token: string }): void {
    this.config.gatewayUrl = target.url;
    this.config.gatewayToken = target.token;
    if (this.stateValue === "not_configured") this.setState("connecting");
  }

  /** Starts connecting in the background; never throws (failures become the state). */
  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const c = this.config;
    if (!c.gatewayUrl) {
      this.record();
      this.log.warn("gateway not configured", {
        hint: "set OPENCLAW_GATEWAY_URL (e.g. ws://127.0.0.1:18789) and OPENCLAW_GATEWAY_TOKEN to connect to a gateway",
      });
      return;
    }
    let client: GatewayClient;
    try {
      client = new GatewayClient({
        url: c.gatewayUrl,
        ...(c.gatewayToken ? { token: c.gatewayToken } : {}),
        ...(c.gatewayPassword ? { password: c.gatewayPassword } : {}),
        identity: () => this.loadIdentity(),
        scopes: c.gatewayScopes,
        clientId: c.gatewayClientId,
        clientMode: c.gatewayClientMode,
        displayName: c.gatewayDisplayName,
        ...(c.gatewayOrigin ? { origin: c.gatewayOrigin } : {}),
        // With the scope to answer approvals, say so: the gateway then routes a run's approvals here
        // instead of refusing them at once ("no approval route").
        ...(hasScope(c.gatewayScopes, "operator.approvals") ? { caps: ["approvals"] } : {}),
        // Retryable failures back off; the rest (a human fixes the gateway side) are retried
        // every retryMaxMs, and a device waiting for approval keeps its request alive.
        reconnect: {
          initialDelayMs: this.retryInitialMs,
          maxDelayMs: this.reconnectMaxMs,
          persistent: true,
          persistentIntervalMs: this.retryMaxMs,
          pairingIntervalMs: this.pairingPollMs,
        },
        logger: this.clientLogger(),
      });
    } catch (err) {
      this.fail(err);
      return;
    }
    this.client = client;
    client.onState((change) => this.project(change));
    for (const s of this.subscriptions) this.attach(s);
    if (this.log.enabled("debug")) {
      client.on("*", (payload: unknown, frame: EventFrame) => {
        if (frame.event !== "tick" && frame.event !== "health")
          this.log.debug("gateway event", { event: frame.event, payload });
      });
    }
    // connect() reports the first outcome; the client keeps trying after it by itself.
    client.connect().catch(() => undefined);
  }

  private async loadIdentity(): Promise<DeviceIdentity> {
    const dir = this.config.identityDir;
    try {
      const identity = await loadOrCreateIdentity(dir);
      this.log.info("device identity loaded", { deviceId: identity.deviceId, identityDir: dir });
      return identity;
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw new GatewayError({
        code: "INVALID_OPTIONS",
        subject: `device identity in ${dir}`,
        reason: err instanceof Error ? err.message : String(err),
        hint: "check MC_IDENTITY_DIR and the gateway settings",
        cause: err,
      });
    }
  }

  /** Reconnects now (after an approval, or from the dashboard's "retry" button). */
  retryNow(): void {
    if (this.closed) return;
    this.client?.reconnectNow();
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

  /** The client's state, as the dashboard names it. An attempt in progress keeps the last outcome shown. */
  private project(change: StateChange): void {
    if (this.closed) return;
    switch (change.state) {
      case "connected":
        this.hello = this.client?.hello ?? null;
        this.lastErr = null;
        this.setState("connected");
        return;
      case "connecting":
      case "handshaking":
        if (this.stateValue === "connected") this.setState("connecting");
        return;
      case "reconnecting":
        // A drop from connected is "connecting" (it usually comes back at once); a retry that
        // failed again is an error with its cause on the dashboard while the client keeps trying.
        if (this.stateValue === "connected") {
          if (change.error) this.lastErr = change.error;
          this.setState("connecting");
        } else if (change.error) this.fail(change.error);
        return;
      case "pairing_required":
      case "failed":
        this.fail(change.error ?? this.client?.lastError ?? null);
        return;
      default:
        return;
    }
  }

  private fail(err: unknown): void {
    const before = {
      state: this.stateValue,
      code: this.statusCache.lastError?.code,
      requestId: this.statusCache.pairing?.requestId,
    };
    if (err instanceof GatewayError) this.lastErr = err;
    else if (err) {
      this.lastErr = new GatewayError({
        code: "INVALID_OPTIONS",
        subject: "gateway connection",
        reason: err instanceof Error ? err.message : String(err),
        hint: "check MC_IDENTITY_DIR and the gateway settings",
      });
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
        serverVersion: this.hello?.server.version,
        protocol: this.hello?.protocol,
        scopes: this.hello?.auth.scopes,
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
    const granted = connected ? (this.hello?.auth.scopes ?? []) : [];
    return {
      state: this.stateValue,
      gatewayUrl: safeUrl(c.gatewayUrl),
      protocol: connected ? (this.hello?.protocol ?? null) : null,
      serverVersion: connected ? (this.hello?.server.version ?? null) : null,
      scopes: granted,
      requestedScopes: c.gatewayScopes,
      deviceId: this.deviceId,
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

  /** The scopes the gateway granted this connection ([] while not connected). */
  grantedScopes(): readonly string[] {
    return this.stateValue === "connected" ? (this.hello?.auth?.scopes ?? []) : [];
  }

  /** Whether the connection holds `scope` now (operator.admin holds every scope). */
  holds(scope: string): boolean {
    return hasScope(this.grantedScopes(), scope);
  }

  /** The gateway's own word on whether its default agent has a model (hello snapshot), when connected. */
  modelConfigured(): boolean | null {
    if (this.stateValue !== "connected") return null;
    return this.hello?.snapshot?.sessionDefaults?.modelConfigured ?? null;
  }

  /** The gateway's default agent (hello snapshot), when connected. */
  defaultAgentId(): string | null {
    if (this.stateValue !== "connected") return null;
    return this.hello?.snapshot?.sessionDefaults?.defaultAgentId ?? null;
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
   * Gateway events by name, or "*" for all, handed to the client (which checks typed payloads
   * and survives reconnects). Subscribing before start() is fine: handlers attach when it runs.
   */
  on<E extends GatewayEventName>(event: E, handler: (payload: GatewayEventMap[E], event: string) => void): () => void;
  on(event: string, handler: EventHandler): () => void;
  on(event: string, handler: (payload: never, event: string) => void): () => void {
    const sub: Subscription = { event, handler: handler as EventHandler };
    this.subscriptions.add(sub);
    if (this.client) this.attach(sub);
    return () => {
      this.subscriptions.delete(sub);
      sub.off?.();
    };
  }

  private attach(sub: Subscription): void {
    sub.off = this.client?.on(sub.event, (payload: unknown, frame: EventFrame) => sub.handler(payload, frame.event));
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
   * Runs `fn` on a connection that holds operator.pairing (gateway-client's withPairingAccess:
   * this one, or a short-lived loopback one while this device itself waits for approval).
   */
  async withPairingClient<T>(fn: (client: RequestTarget) => Promise<T>): Promise<T> {
    if (!this.canApprovePairing()) {
      throw new ApiError(
        403,
        "PAIRING_NOT_ALLOWED",
        "[mc-server] pairing: this server does not hold operator.pairing",
        "approve on the gateway host with `openclaw devices approve <requestId>`, " +
          "or add operator.pairing to MC_GATEWAY_SCOPES to approve from the dashboard",
      );
    }
    const client = this.client;
    if (!client) throw this.notConnected("pairing");
    return client.withPairingAccess(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (client) await client.close().catch(() => {});
  }
}
