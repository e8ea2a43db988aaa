import type WebSocket from "ws";
import { FileDeviceTokenStore } from "./device-tokens.js";
import { GatewayError } from "./errors.js";
import { type GatewayEventMap, type GatewayEventName, isTypedEvent, parseEventPayload } from "./events/schemas.js";
import type { DeviceIdentity } from "./identity.js";
import { type GatewayClientOptions, validateOptions } from "./options.js";
import { PROTOCOL_RANGE } from "./protocol/enums.js";
import { challengePayloadSchema, parseInboundFrame } from "./protocol/frames.js";
import { fromGatewayError } from "./protocol/gateway-errors.js";
import { helloOkSchema } from "./protocol/hello.js";
import { DEFAULT_SCOPES, hasScope } from "./protocol/scopes.js";
import { buildSignedPayload, signatureToken } from "./protocol/signed-payload.js";
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from "./reconnect.js";
import { redact, redactUrl } from "./redact.js";
import { type OpenSocketOptions, openSocket } from "./transport.js";
import type {
  ClientState,
  DeviceTokenKey,
  DeviceTokenRecord,
  DeviceTokenStore,
  EventFrame,
  HelloOk,
  LogLevel,
  ResponseFrame,
  StateChange,
} from "./types.js";
import { checkGatewayUrl } from "./url-policy.js";
import { CLIENT_VERSION } from "./version.js";

export type { GatewayClientOptions } from "./options.js";

export interface RequestOptions {
  /** Per-request deadline in ms (default: the client's requestTimeoutMs). 0 disables it. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A handler of an event without a schema (or of "*"): the payload as the gateway sent it. */
export type EventHandler = (payload: unknown, frame: EventFrame) => void;
/** A handler of a typed event: the payload checked against its schema. */
export type TypedEventHandler<E extends GatewayEventName> = (payload: GatewayEventMap[E], frame: EventFrame) => void;

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: GatewayError): void;
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Attempt {
  gen: number;
  ws?: WebSocket;
  phase: "opening" | "challenge" | "connect" | "done";
  connectId?: string;
  auth: ConnectAuth;
  usedStoredDeviceToken: boolean;
}

interface ConnectAuth {
  token?: string;
  password?: string;
  deviceToken?: string;
}

/** Retries of the 1013 "gateway starting" window that connect() waits through by itself. */
const MAX_STARTING_RETRIES = 40;

/**
 * A connection to an OpenClaw gateway: challenge handshake with a signed device, RPC with
 * timeouts and cancellation, events, a tick watchdog and reconnect with backoff.
 */
export class GatewayClient {
  readonly url: string;
  readonly #opts: GatewayClientOptions;
  readonly #url: URL;
  readonly #identity: DeviceIdentity | undefined;
  readonly #store: DeviceTokenStore | undefined;
  readonly #scopes: string[];
  readonly #role: "operator" | "node";
  readonly #backoff: BackoffOptions | undefined;
  readonly #requestTimeoutMs: number;

  #state: ClientState = "idle";
  #hello: HelloOk | undefined;
  #lastError: GatewayError | undefined;
  #ws: WebSocket | undefined;
  #attempt: Attempt | undefined;
  #generation = 0;
  #failures = 0;
  #startingRetries = 0;
  #connectionAttempts = 0;
  #skipStoredDeviceToken = false;
  #closing = false;
  #nextId = 1;
  #lastSeq: number | undefined;
  #lastFrameAt = 0;
  #openAbort: AbortController | undefined;
  #persisting: Promise<void> = Promise.resolve();

  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;

  readonly #pending = new Map<string, Pending>();
  readonly #waiters: Array<{ resolve(h: HelloOk): void; reject(e: GatewayError): void }> = [];
  readonly #eventHandlers = new Map<string, Set<EventHandler>>();
  readonly #stateHandlers = new Set<(c: StateChange) => void>();
  readonly #gapHandlers = new Set<(g: { expected: number; received: number }) => void>();

  constructor(opts: GatewayClientOptions) {
    validateOptions(opts);
    this.#url = checkGatewayUrl(opts.url, { allowInsecureWs: opts.allowInsecureWs });
    this.url = opts.url;
    this.#opts = opts;
    this.#identity = opts.identity ?? undefined;
    this.#scopes = opts.scopes ?? [...DEFAULT_SCOPES];
    this.#role = opts.role ?? "operator";
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#backoff =
      opts.reconnect === false
        ? undefined
        : { ...DEFAULT_BACKOFF, ...(typeof opts.reconnect === "object" ? opts.reconnect : {}) };
    if (opts.deviceTokenStore === false || !this.#identity) this.#store = undefined;
    else if (opts.deviceTokenStore) this.#store = opts.deviceTokenStore;
    else if (this.#identity.filePath) this.#store = FileDeviceTokenStore.nextTo(this.#identity.filePath);
  }

  get state(): ClientState {
    return this.#state;
  }
  get hello(): HelloOk | undefined {
    return this.#hello;
  }
  get lastError(): GatewayError | undefined {
    return this.#lastError;
  }
  /** How many sockets this client has opened (or tried to): lets callers spot a reconnect storm. */
  get connectionAttempts(): number {
    return this.#connectionAttempts;
  }

  /**
   * Connects and resolves with hello-ok. Rejects with the first GatewayError; the 1013
   * "gateway starting" window is waited through. With reconnect on (the default) and a
   * retryable error the client keeps trying in the background until close().
   */
  connect(): Promise<HelloOk> {
    if (this.#state === "closed") return Promise.reject(this.#clientClosed("connect"));
    if (this.#state === "connected" && this.#hello) return Promise.resolve(this.#hello);
    const promise = new Promise<HelloOk>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#state === "idle" || this.#state === "failed" || this.#state === "pairing_required") {
      this.#failures = 0;
      this.#startingRetries = 0;
      void this.#runAttempt();
    } else if (this.#state === "reconnecting") {
      void this.#runAttempt();
    }
    return promise;
  }

  request<T = unknown>(method: string, params?: unknown, opts: RequestOptions = {}): Promise<T> {
    const subject = `request ${method}`;
    if (this.#state === "closed") return Promise.reject(this.#clientClosed(subject));
    const ws = this.#ws;
    const hello = this.#hello;
    if (this.#state !== "connected" || !ws || !hello) {
      return Promise.reject(
        new GatewayError({
          code: "NOT_CONNECTED",
          subject,
          reason: `the client is ${this.#state}`,
          method,
          cause: this.#lastError,
        }),
      );
    }
    if (opts.signal?.aborted) {
      return Promise.reject(
        new GatewayError({ code: "REQUEST_ABORTED", subject, reason: "aborted before sending", method }),
      );
    }
    const id = String(this.#nextId++);
    const text = JSON.stringify(
      params === undefined ? { type: "req", id, method } : { type: "req", id, method, params },
    );
    const bytes = text.length > hello.policy.maxPayload / 4 ? Buffer.byteLength(text) : text.length;
    if (bytes > hello.policy.maxPayload) {
      return Promise.reject(
        new GatewayError({
          code: "REQUEST_TOO_LARGE",
          subject,
          reason: `the frame is ${bytes} bytes, above the gateway's policy.maxPayload of ${hello.policy.maxPayload}`,
          method,
          details: { bytes, maxPayload: hello.policy.maxPayload },
        }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { method, resolve: resolve as (v: unknown) => void, reject };
      const timeoutMs = opts.timeoutMs ?? this.#requestTimeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        pending.timer = setTimeout(() => {
          this.#settle(
            id,
            new GatewayError({
              code: "REQUEST_TIMEOUT",
              subject,
              reason: `no response within ${timeoutMs} ms`,
              method,
            }),
          );
        }, timeoutMs);
      }
      if (opts.signal) {
        pending.signal = opts.signal;
        pending.onAbort = () =>
          this.#settle(
            id,
            new GatewayError({ code: "REQUEST_ABORTED", subject, reason: "aborted by the caller's signal", method }),
          );
        opts.signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.#pending.set(id, pending);
      try {
        ws.send(text);
      } catch (err) {
        this.#settle(
          id,
          new GatewayError({
            code: "CONNECTION_CLOSED",
            subject,
            reason: "the socket refused the frame",
            method,
            cause: err,
          }),
        );
      }
      if (this.#log) this.#debug("request sent", { id, method });
    });
  }

  /**
   * Subscribes to an event by name, or to every event with "*". Payloads of the typed events
   * (GATEWAY_EVENT_SCHEMAS: chat, agent, sessions.changed, approvals, pairing, tick, shutdown,
   * presence, health) are checked first; one that does not match is logged and not delivered.
   * Other events and "*" get the payload as sent. Returns the unsubscribe function.
   */
  on<E extends GatewayEventName>(event: E, handler: TypedEventHandler<E>): () => void;
  on(event: string, handler: EventHandler): () => void;
  on(event: string, handler: (payload: never, frame: EventFrame) => void): () => void {
    let set = this.#eventHandlers.get(event);
    if (!set) this.#eventHandlers.set(event, (set = new Set()));
    const h = handler as EventHandler;
    set.add(h);
    return () => {
      set!.delete(h);
    };
  }

  onState(handler: (change: StateChange) => void): () => void {
    this.#stateHandlers.add(handler);
    return () => {
      this.#stateHandlers.delete(handler);
    };
  }

  onGap(handler: (gap: { expected: number; received: number }) => void): () => void {
    this.#gapHandlers.add(handler);
    return () => {
      this.#gapHandlers.delete(handler);
    };
  }

  /** Closes the socket, rejects everything pending and clears every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === "closed") {
      await this.#persisting;
      return;
    }
    this.#closing = true;
    this.#clearTimers();
    this.#openAbort?.abort();
    const ws = this.#ws;
    this.#ws = undefined;
    this.#attempt = undefined;
    this.#generation++;
    const err = this.#clientClosed("close");
    this.#rejectPending(() => err);
    this.#rejectWaiters(err);
    this.#setState("closed");
    if (ws) await closeSocket(ws, 1000, "client closed");
    await this.#persisting;
  }

  // ── handshake ────────────────────────────────────────────────────────────

  async #runAttempt(): Promise<void> {
    this.#clearTimer("reconnect");
    const gen = ++this.#generation;
    this.#setState("connecting");
    const { auth, usedStoredDeviceToken } = await this.#chooseAuth();
    if (gen !== this.#generation || this.#closing) return;
    const attempt: Attempt = { gen, phase: "opening", auth, usedStoredDeviceToken };
    this.#attempt = attempt;
    this.#connectionAttempts++;
    const abort = new AbortController();
    this.#openAbort = abort;
    const socketOpts: OpenSocketOptions = {
      url: this.#url,
      origin: this.#opts.origin,
      headers: this.#opts.headers,
      tls: this.#opts.tls,
      connectTimeoutMs: this.#opts.connectTimeoutMs ?? 10_000,
      maxInboundPayload: this.#opts.maxInboundPayload ?? 64 * 1024 * 1024,
    };
    this.#debug("connecting", { url: redactUrl(this.url), attempt: this.#connectionAttempts });
    try {
      await openSocket(
        socketOpts,
        {
          onOpen: (ws) => this.#onOpen(attempt, ws),
          onMessage: (data) => this.#onMessage(gen, data),
          onClose: (code, reason) => this.#onSocketClose(gen, code, reason),
          onError: (err) => this.#onSocketError(gen, err),
        },
        abort.signal,
      );
    } catch (err) {
      if (gen !== this.#generation || this.#closing) return;
      this.#fail(err instanceof GatewayError ? err : this.#wrap(err));
    } finally {
      if (this.#openAbort === abort) this.#openAbort = undefined;
    }
  }

  async #chooseAuth(): Promise<{ auth: ConnectAuth; usedStoredDeviceToken: boolean }> {
    const auth: ConnectAuth = {};
    if (this.#opts.token) auth.token = this.#opts.token;
    if (this.#opts.password) auth.password = this.#opts.password;
    if (!this.#store || !this.#identity || this.#skipStoredDeviceToken) return { auth, usedStoredDeviceToken: false };
    let record: DeviceTokenRecord | undefined;
    try {
      record = await this.#store.get(this.#tokenKey());
    } catch (err) {
      this.#emitLog("warn", "device token store unreadable; using the shared credentials", {
        error: String((err as Error).message),
      });
      return { auth, usedStoredDeviceToken: false };
    }
    // Sent alongside the shared token (verified on openclaw 2026.9.6): with a valid shared token
    // the gateway authenticates by token and re-issues the same device token; with a rotated or
    // wrong shared token it falls back to the device token ("device-token"); alone it is enough.
    // A device token approved for fewer scopes than requested fails with AUTH_SCOPE_MISMATCH.
    if (!record || !this.#scopes.every((s) => hasScope(record.scopes, s))) {
      return { auth, usedStoredDeviceToken: false };
    }
    auth.deviceToken = record.token;
    return { auth, usedStoredDeviceToken: true };
  }

  #onOpen(attempt: Attempt, ws: WebSocket): void {
    if (attempt.gen !== this.#generation || this.#closing) {
      ws.terminate();
      return;
    }
    this.#ws = ws;
    attempt.ws = ws;
    attempt.phase = "challenge";
    this.#lastSeq = undefined;
    this.#lastFrameAt = Date.now();
    this.#setState("handshaking");
    const ms = this.#opts.challengeTimeoutMs ?? 10_000;
    this.#handshakeTimer = setTimeout(() => {
      if (attempt.gen !== this.#generation) return;
      this.#fail(
        new GatewayError({
          code: "CHALLENGE_TIMEOUT",
          subject: `connect to ${redactUrl(this.url)}`,
          reason: `the WebSocket opened but no connect.challenge arrived within ${ms} ms`,
        }),
      );
    }, ms);
  }

  async #sendConnect(attempt: Attempt, payload: unknown): Promise<void> {
    this.#clearTimer("handshake");
    const subject = `connect to ${redactUrl(this.url)}`;
    const challenge = challengePayloadSchema.safeParse(payload);
    if (!challenge.success) {
      this.#fail(new GatewayError({ code: "INVALID_FRAME", subject, reason: "connect.challenge lacks a nonce or ts" }));
      return;
    }
    attempt.phase = "connect";
    const { nonce, ts } = challenge.data;
    const o = this.#opts;
    const clientId = o.clientId ?? "gateway-client";
    const clientMode = o.clientMode ?? "backend";
    const platform = o.platform ?? process.platform;
    const client: Record<string, unknown> = {
      id: clientId,
      version: o.clientVersion ?? CLIENT_VERSION,
      platform,
      mode: clientMode,
    };
    if (o.displayName) client.displayName = o.displayName;
    if (o.deviceFamily) client.deviceFamily = o.deviceFamily;
    if (o.instanceId) client.instanceId = o.instanceId;
    const params: Record<string, unknown> = {
      minProtocol: o.minProtocol ?? PROTOCOL_RANGE.min,
      maxProtocol: o.maxProtocol ?? PROTOCOL_RANGE.max,
      client,
      role: this.#role,
      scopes: this.#scopes,
    };
    if (o.caps) params.caps = o.caps;
    if (Object.keys(attempt.auth).length > 0) params.auth = attempt.auth;
    if (this.#identity) {
      const signed = buildSignedPayload(o.signatureVersion ?? "v3", {
        deviceId: this.#identity.deviceId,
        clientId,
        clientMode,
        role: this.#role,
        scopes: this.#scopes,
        signedAtMs: ts,
        token: signatureToken(attempt.auth),
        nonce,
        platform,
        deviceFamily: o.deviceFamily,
      });
      let signature: string;
      try {
        signature = await this.#identity.sign(signed);
      } catch (err) {
        this.#fail(new GatewayError({ code: "INVALID_OPTIONS", subject, reason: "identity.sign() threw", cause: err }));
        return;
      }
      if (attempt.gen !== this.#generation) return;
      params.device = {
        id: this.#identity.deviceId,
        publicKey: this.#identity.publicKey,
        signature,
        signedAt: ts,
        nonce,
      };
    }
    const id = `c${this.#nextId++}`;
    attempt.connectId = id;
    const frame = { type: "req", id, method: "connect", params };
    this.#debug("connect sent", { frame: redact(frame) });
    const ms = Math.max(this.#requestTimeoutMs, 1);
    this.#handshakeTimer = setTimeout(() => {
      if (attempt.gen !== this.#generation) return;
      this.#fail(
        new GatewayError({
          code: "REQUEST_TIMEOUT",
          layer: "connect",
          subject,
          reason: `no answer to connect within ${ms} ms`,
          method: "connect",
          retryable: true,
        }),
      );
    }, ms);
    try {
      attempt.ws!.send(JSON.stringify(frame));
    } catch (err) {
      this.#fail(this.#wrap(err));
    }
  }

  #onConnectResponse(attempt: Attempt, frame: ResponseFrame): void {
    this.#clearTimer("handshake");
    const subject = `connect to ${redactUrl(this.url)}`;
    if (!frame.ok) {
      const err = fromGatewayError(frame.error ?? { code: "UNKNOWN", message: "connect failed without an error" }, {
        phase: "connect",
        subject,
        method: "connect",
      });
      this.#debug("connect refused", { code: err.code, gatewayCode: err.gatewayCode, detailCode: err.detailCode });
      if (err.code === "AUTH_DEVICE_TOKEN_MISMATCH" && attempt.usedStoredDeviceToken) {
        // The stored token was revoked or rotated: forget it and retry at once with the shared one.
        this.#skipStoredDeviceToken = true;
        const store = this.#store!;
        this.#persisting = this.#persisting.then(() => store.delete(this.#tokenKey())).catch(() => {});
        if (this.#opts.token || this.#opts.password) {
          this.#dropSocket();
          void this.#runAttempt();
          return;
        }
      }
      this.#fail(err);
      return;
    }
    const hello = helloOkSchema.safeParse(frame.payload);
    if (!hello.success) {
      this.#fail(
        new GatewayError({
          code: "INVALID_FRAME",
          subject,
          reason: `hello-ok does not match the protocol (${hello.error.issues[0]?.path.join(".")}: ${hello.error.issues[0]?.message})`,
        }),
      );
      return;
    }
    const h = hello.data;
    attempt.phase = "done";
    this.#hello = h;
    this.#failures = 0;
    this.#startingRetries = 0;
    this.#lastError = undefined;
    this.#persistDeviceToken(h);
    this.#startTickWatchdog(h.policy.tickIntervalMs);
    this.#setState("connected");
    this.#debug("connected", {
      protocol: h.protocol,
      server: h.server.version,
      authMethod: h.auth.method,
      scopes: h.auth.scopes,
      maxPayload: h.policy.maxPayload,
      tickIntervalMs: h.policy.tickIntervalMs,
    });
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.resolve(h);
  }

  #persistDeviceToken(h: HelloOk): void {
    const token = h.auth.deviceToken;
    if (!token || !this.#store || !this.#identity) return;
    const store = this.#store;
    const key = this.#tokenKey();
    const record = {
      token,
      scopes: h.auth.scopes,
      role: h.auth.role,
      savedAtMs: Date.now(),
      ...(typeof h.auth.issuedAtMs === "number" ? { issuedAtMs: h.auth.issuedAtMs } : {}),
    };
    this.#skipStoredDeviceToken = false;
    this.#persisting = this.#persisting
      .then(() => store.set(key, record))
      .catch((err) =>
        this.#emitLog("warn", "could not store the device token", { error: String((err as Error).message) }),
      );
  }

  #tokenKey(): DeviceTokenKey {
    return { url: this.url, deviceId: this.#identity!.deviceId, role: this.#role };
  }

  // ── inbound frames ───────────────────────────────────────────────────────

  #onMessage(gen: number, data: WebSocket.RawData): void {
    if (gen !== this.#generation) return;
    this.#lastFrameAt = Date.now();
    const parsed = parseInboundFrame(typeof data === "string" ? data : data.toString());
    if (!parsed.ok) {
      this.#protocolViolation(parsed.problem);
      return;
    }
    const frame = parsed.frame;
    const attempt = this.#attempt;
    if (frame.type === "res") {
      if (attempt && attempt.phase === "connect" && frame.id === attempt.connectId) {
        this.#onConnectResponse(attempt, frame);
        return;
      }
      this.#onResponse(frame);
      return;
    }
    if (frame.type === "event") {
      if (frame.event === "connect.challenge") {
        if (attempt && attempt.phase === "challenge") void this.#sendConnect(attempt, frame.payload);
        return;
      }
      this.#onEvent(frame);
      return;
    }
    this.#debug("ignored server request", { method: frame.method });
  }

  #onResponse(frame: ResponseFrame): void {
    const pending = this.#pending.get(frame.id);
    if (!pending) {
      this.#debug("response for an unknown or expired request", { id: frame.id });
      return;
    }
    if (frame.ok) {
      this.#settle(frame.id, undefined, frame.payload);
      return;
    }
    const err = fromGatewayError(frame.error ?? { code: "UNKNOWN", message: "request failed without an error" }, {
      phase: "rpc",
      subject: `request ${pending.method}`,
      method: pending.method,
    });
    this.#settle(frame.id, err);
  }

  #onEvent(frame: EventFrame): void {
    if (typeof frame.seq === "number") {
      const last = this.#lastSeq;
      if (last !== undefined && frame.seq > last + 1) {
        const gap = { expected: last + 1, received: frame.seq };
        this.#debug("event seq gap", gap);
        for (const h of this.#gapHandlers) this.#safe(() => h(gap));
      }
      if (last === undefined || frame.seq > last) this.#lastSeq = frame.seq;
    }
    const named = this.#eventHandlers.get(frame.event);
    // A typed payload is checked once per frame, and only when someone listens to it by name.
    if (named && named.size > 0) {
      let payload: unknown = frame.payload;
      let deliver = true;
      if (isTypedEvent(frame.event)) {
        const checked = parseEventPayload(frame.event, frame.payload);
        if (checked.ok) payload = checked.payload;
        else {
          deliver = false;
          this.#emitLog("warn", "event payload does not match the protocol; not delivered", {
            event: frame.event,
            problem: checked.problem,
          });
        }
      }
      if (deliver) for (const h of named) this.#safe(() => h(payload, frame));
    }
    const any = this.#eventHandlers.get("*");
    if (any) for (const h of any) this.#safe(() => h(frame.payload, frame));
  }

  #protocolViolation(what: string): void {
    const err = new GatewayError({
      code: "INVALID_FRAME",
      subject: `connection to ${redactUrl(this.url)}`,
      reason: `the server sent ${what}`,
    });
    this.#fail(err, 1002);
  }

  #onSocketError(gen: number, err: Error): void {
    if (gen !== this.#generation) return;
    this.#debug("socket error", { error: err.message, code: (err as NodeJS.ErrnoException).code });
    if ((err as NodeJS.ErrnoException).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
      this.#fail(
        new GatewayError({
          code: "CONNECTION_CLOSED",
          subject: `connection to ${redactUrl(this.url)}`,
          reason: `the server sent a frame larger than maxInboundPayload (${this.#opts.maxInboundPayload ?? 64 * 1024 * 1024} bytes)`,
          closeCode: 1009,
          hint: "Raise the maxInboundPayload option, or ask for less data per request (e.g. a limit parameter).",
          retryable: true,
        }),
      );
    }
  }

  #onSocketClose(gen: number, code: number, reason: string): void {
    if (gen !== this.#generation) return;
    this.#debug("socket closed", { code, reason });
    this.#fail(this.#closeError(code, reason));
  }

  #closeError(code: number, reason: string): GatewayError {
    const handshaking = this.#state !== "connected";
    const subject = handshaking ? `connect to ${redactUrl(this.url)}` : `connection to ${redactUrl(this.url)}`;
    const base = {
      subject,
      closeCode: code,
      closeReason: reason,
      reason: `closed by the server (code ${code}${reason ? `: ${reason}` : ""})`,
    };
    if (code === 1013)
      return new GatewayError({ ...base, code: "GATEWAY_STARTING", retryAfterMs: 500, retryable: true });
    if (handshaking && code === 1002) return new GatewayError({ ...base, code: "PROTOCOL_MISMATCH" });
    if (handshaking && code === 1008) {
      if (/pairing required/i.test(reason)) {
        const requestId = /requestId:\s*([\w-]+)/.exec(reason)?.[1];
        return new GatewayError({
          ...base,
          code: "PAIRING_REQUIRED",
          details: requestId ? { requestId } : undefined,
          pairing: requestId ? { requestId, approveCommand: `openclaw devices approve ${requestId}` } : undefined,
        });
      }
      if (/origin not allowed/i.test(reason)) return new GatewayError({ ...base, code: "ORIGIN_NOT_ALLOWED" });
      if (/token mismatch/i.test(reason)) return new GatewayError({ ...base, code: "AUTH_TOKEN_MISMATCH" });
      if (/token missing/i.test(reason)) return new GatewayError({ ...base, code: "AUTH_TOKEN_MISSING" });
      return new GatewayError({ ...base, code: "CONNECTION_CLOSED", retryable: false });
    }
    return new GatewayError({ ...base, code: "CONNECTION_CLOSED", retryable: true });
  }

  // ── failure, reconnect, watchdog ─────────────────────────────────────────

  /** Ends the current socket (if any) and decides what happens next. */
  #fail(err: GatewayError, closeCode = 1000): void {
    if (this.#closing) return;
    const wasConnected = this.#state === "connected";
    this.#dropSocket(closeCode, err.code === "TICK_TIMEOUT" ? "tick timeout" : undefined);
    this.#lastError = err;
    this.#rejectPending(
      (p) =>
        new GatewayError({
          code: "CONNECTION_CLOSED",
          subject: `request ${p.method}`,
          reason: `the connection ended before the response (${err.code})`,
          method: p.method,
          closeCode: err.closeCode,
          closeReason: err.closeReason,
          cause: err,
        }),
    );
    this.#emitLog(wasConnected ? "warn" : "debug", err.message, { code: err.code });

    if (err.code === "PAIRING_REQUIRED") {
      this.#setState("pairing_required", err);
      this.#rejectWaiters(err);
      return;
    }
    const startingWindow = err.code === "GATEWAY_STARTING" && this.#startingRetries < MAX_STARTING_RETRIES;
    const reconnect = err.retryable && (this.#backoff !== undefined || (startingWindow && this.#waiters.length > 0));
    if (!reconnect) {
      this.#setState("failed", err);
      this.#rejectWaiters(err);
      return;
    }
    // connect() reports the first real failure; the 1013 start-up window is waited through.
    if (startingWindow) this.#startingRetries++;
    else this.#rejectWaiters(err);
    const delay = err.retryAfterMs ?? backoffDelay(this.#failures++, this.#backoff ?? DEFAULT_BACKOFF);
    this.#setState("reconnecting", err);
    this.#debug("reconnect scheduled", { delayMs: delay, code: err.code });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#runAttempt();
    }, delay);
  }

  #dropSocket(code = 1000, reason?: string): void {
    this.#clearTimer("handshake");
    this.#clearTimer("tick");
    this.#openAbort?.abort();
    const ws = this.#ws;
    this.#ws = undefined;
    this.#attempt = undefined;
    this.#generation++;
    if (ws) void closeSocket(ws, code, reason);
  }

  #startTickWatchdog(tickIntervalMs: number): void {
    this.#clearTimer("tick");
    const limit = 2 * tickIntervalMs;
    this.#tickTimer = setInterval(
      () => {
        const silentFor = Date.now() - this.#lastFrameAt;
        if (silentFor <= limit) return;
        this.#fail(
          new GatewayError({
            code: "TICK_TIMEOUT",
            subject: `connection to ${redactUrl(this.url)}`,
            reason: `no frame for ${silentFor} ms (tick interval ${tickIntervalMs} ms)`,
            closeCode: 4000,
          }),
          4000,
        );
      },
      Math.max(20, Math.min(Math.floor(tickIntervalMs / 2), 5_000)),
    );
  }

  // ── helpers ──────────────────────────────────────────────────────────────

  #settle(id: string, err: GatewayError | undefined, value?: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (p.signal && p.onAbort) p.signal.removeEventListener("abort", p.onAbort);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  #rejectPending(make: (p: Pending) => GatewayError): void {
    for (const [id, p] of [...this.#pending]) this.#settle(id, make(p));
  }

  #rejectWaiters(err: GatewayError): void {
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.reject(err);
  }

  #clearTimer(which: "reconnect" | "handshake" | "tick"): void {
    if (which === "reconnect" && this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
    } else if (which === "handshake" && this.#handshakeTimer) {
      clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = undefined;
    } else if (which === "tick" && this.#tickTimer) {
      clearInterval(this.#tickTimer);
      this.#tickTimer = undefined;
    }
  }

  #clearTimers(): void {
    this.#clearTimer("reconnect");
    this.#clearTimer("handshake");
    this.#clearTimer("tick");
  }

  #setState(state: ClientState, error?: GatewayError): void {
    const previous = this.#state;
    if (previous === state && !error) return;
    this.#state = state;
    const change: StateChange = { state, previous, at: Date.now() };
    if (error) change.error = error;
    for (const h of this.#stateHandlers) this.#safe(() => h(change));
  }

  #clientClosed(subject: string): GatewayError {
    return new GatewayError({ code: "CLIENT_CLOSED", subject, reason: "the client was closed" });
  }

  #wrap(err: unknown): GatewayError {
    return new GatewayError({
      code: "CONNECTION_CLOSED",
      subject: `connection to ${redactUrl(this.url)}`,
      reason: (err as Error)?.message ?? String(err),
      cause: err,
      retryable: true,
    });
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#emitLog("error", "a handler threw", { error: String((err as Error)?.message ?? err) });
    }
  }

  get #log(): boolean {
    return this.#opts.logger !== undefined;
  }

  #debug(msg: string, data?: Record<string, unknown>): void {
    if (this.#opts.logger) this.#emitLog("debug", msg, data);
  }

  #emitLog(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    const logger = this.#opts.logger;
    if (!logger) return;
    const safe = data ? redact(data) : undefined;
    try {
      if (typeof logger === "function") logger({ level, msg, component: "gateway-client", ...safe });
      else logger[level]?.(`[gateway-client] ${msg}`, safe);
    } catch {
      // a logger must never break the connection
    }
  }
}

/** Sends a close frame and waits briefly for the peer's; terminates if it does not come. */
function closeSocket(ws: WebSocket, code: number, reason?: string): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => {
      try {
        ws.terminate();
      } catch {
        // gone
      }
      resolve();
    }, 1000);
    // An open socket keeps the process alive by itself; this timer must not.
    timer.unref?.();
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
      else ws.terminate();
    } catch {
      try {
        ws.terminate();
      } catch {
        // gone
      }
    }
  });
}
