import { DEFAULT_BACKOFF } from "@missionctl/shared";
import type WebSocket from "ws";
import { ClientLog, errorText } from "./client/client-log.js";
import { closeError } from "./client/close-codes.js";
import { type EventHandler, EventHub, type SeqGap, type TypedEventHandler } from "./client/event-hub.js";
import {
  baseConnectParams,
  buildConnectParams,
  type ChosenAuth,
  type ConnectAuth,
  chooseAuth,
  deviceTokenRecord,
  parseHello,
  sharedAuth,
} from "./client/handshake.js";
import { HandshakeDeadline } from "./client/handshake-deadline.js";
import { runWithPairingAccess } from "./client/pairing-access.js";
import { PendingRequests } from "./client/pending.js";
import { settleWithin } from "./client/settle-within.js";
import { nextStep, type ReconnectPolicy } from "./client/supervisor.js";
import { TickWatchdog } from "./client/watchdog.js";
import { FileDeviceTokenStore } from "./device-tokens.js";
import { GatewayError, type GatewayErrorInit } from "./errors.js";
import type { GatewayEventName } from "./events/schemas.js";
import type { DeviceIdentity } from "./identity.js";
import type { RequestTarget } from "./methods/define.js";
import { type GatewayClientOptions, type LifecycleHooks, validateOptions } from "./options.js";
import { encodeRequestFrame } from "./protocol/encode.js";
import { type EventFrame, parseChallenge, parseInboundFrame, type ResponseFrame } from "./protocol/frames.js";
import { fromGatewayError } from "./protocol/gateway-errors.js";
import type { HelloOk } from "./protocol/hello.js";
import { DEFAULT_SCOPES } from "./protocol/scopes.js";
import { redact, redactUrl } from "./redact.js";
import { closeSocket, type OpenCancel, openSocket } from "./transport.js";
import type { ClientState, DeviceTokenKey, DeviceTokenStore, Role, StateChange } from "./types.js";
import { checkGatewayUrl } from "./url-policy.js";

export type { EventHandler, TypedEventHandler } from "./client/event-hub.js";
export type { GatewayClientOptions, LifecycleHooks } from "./options.js";

export interface RequestOptions {
  /** Per-request deadline in ms (default: the client's requestTimeoutMs). 0 disables it. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Attempt {
  gen: number;
  ws?: WebSocket;
  phase: "opening" | "challenge" | "connect" | "done";
  connectId?: string;
  auth: ConnectAuth;
  usedStoredDeviceToken: boolean;
  /** The connect params without the challenge's signature, built while the socket opens. */
  params?: Record<string, unknown>;
}

/**
 * A connection to an OpenClaw gateway: challenge handshake with a signed device, RPC with
 * timeouts and cancellation, typed events, a tick watchdog, and the one supervisor that keeps
 * it alive (backoff, the start-up window, pairing wait, persistent retries, reconnect-now).
 * Its parts live in client/: handshake, pending requests, close codes, supervisor, event hub.
 */
export class GatewayClient implements RequestTarget {
  readonly url: string;
  readonly #opts: GatewayClientOptions;
  readonly #url: URL;
  /** The URL without credentials, for logs and errors: built the first time one needs it. */
  #safeUrlText: string | undefined;
  readonly #scopes: string[];
  readonly #role: Role;
  readonly #policy: ReconnectPolicy;
  readonly #requestTimeoutMs: number;
  /** Bounds the socket's opening and each call into the identity loader and the token store. */
  readonly #connectTimeoutMs: number;
  /** The identity loader's call still in flight: an attempt that stopped waiting leaves it to the next. */
  #identityLoading: Promise<DeviceIdentity> | undefined;
  readonly #hooks: LifecycleHooks;

  #identity: DeviceIdentity | undefined;
  #store: DeviceTokenStore | undefined;
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
  #openCancel: OpenCancel | undefined;
  #persisting: Promise<void> = Promise.resolve();

  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #deadline = new HandshakeDeadline();

  readonly #pending = new PendingRequests();
  readonly #watchdog = new TickWatchdog();
  readonly #log: ClientLog;
  readonly #waiters: Array<{ resolve(h: HelloOk): void; reject(e: GatewayError): void }> = [];
  readonly #stateHandlers = new Set<(c: StateChange) => void>();
  readonly #events = new EventHub({
    handlerFailed: (err) => this.#log.emit("error", "a handler threw", { error: errorText(err) }),
    invalidPayload: (event, problem) =>
      this.#log.emit("warn", "event payload does not match the protocol; not delivered", { event, problem }),
    gap: (gap) => this.#log.debug("event seq gap", { ...gap }),
  });

  constructor(opts: GatewayClientOptions) {
    validateOptions(opts);
    this.#url = checkGatewayUrl(opts.url, { allowInsecureWs: opts.allowInsecureWs });
    this.url = opts.url;
    this.#opts = opts;
    this.#log = new ClientLog(opts.logger);
    this.#scopes = opts.scopes ?? [...DEFAULT_SCOPES];
    this.#role = opts.role ?? "operator";
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.#hooks = opts.lifecycle ?? {};
    const r = typeof opts.reconnect === "object" ? opts.reconnect : {};
    this.#policy = {
      backoff:
        opts.reconnect === false
          ? undefined
          : {
              initialDelayMs: r.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
              maxDelayMs: r.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
            },
      persistent: opts.reconnect !== false && r.persistent === true,
      ...(r.persistentIntervalMs !== undefined ? { persistentIntervalMs: r.persistentIntervalMs } : {}),
      pairingIntervalMs: opts.reconnect === false ? undefined : r.pairingIntervalMs,
    };
    if (opts.identity && typeof opts.identity !== "function") this.#useIdentity(opts.identity);
  }

  get #safeUrl(): string {
    return (this.#safeUrlText ??= redactUrl(this.#url));
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
  /** The device identity, once known (a loader runs before the first attempt). */
  get identity(): DeviceIdentity | undefined {
    return this.#identity;
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
    this.#startAttemptUnlessRunning();
    return promise;
  }

  /**
   * Tries now instead of at the next scheduled attempt (after an approval, or when the operator
   * fixed the gateway side). Does nothing while connected, connecting or closed.
   */
  reconnectNow(): void {
    if (this.#closing) return;
    this.#startAttemptUnlessRunning();
  }

  #startAttemptUnlessRunning(): void {
    const s = this.#state;
    if (s === "idle" || s === "failed" || s === "pairing_required") {
      this.#failures = 0;
      this.#startingRetries = 0;
      void this.#runAttempt();
    } else if (s === "reconnecting") {
      void this.#runAttempt();
    }
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
    let text: string;
    try {
      text = encodeRequestFrame(id, method, params);
    } catch (err) {
      return Promise.reject(err);
    }
    const max = hello.policy.maxPayload;
    const bytes = text.length > max / 4 ? Buffer.byteLength(text) : text.length;
    if (bytes > max) {
      return Promise.reject(
        new GatewayError({
          code: "REQUEST_TOO_LARGE",
          subject,
          reason: `the frame is ${bytes} bytes, above the gateway's policy.maxPayload of ${max}`,
          method,
          details: { bytes, maxPayload: max },
        }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.#requestTimeoutMs;
      this.#pending.add(id, method, { timeoutMs, signal: opts.signal }, resolve as (v: unknown) => void, reject);
      try {
        ws.send(text);
      } catch (err) {
        this.#pending.settle(
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
      if (this.#log.enabled) this.#log.debug("request sent", { id, method });
    });
  }

  /**
   * Subscribes to an event by name, or to every event with "*". Payloads of the typed events
   * (GATEWAY_EVENT_SCHEMAS: chat, agent, sessions.changed, approvals, pairing, tick, shutdown,
   * presence, health) are checked first; one that does not match is logged and not delivered.
   * Other events and "*" get the payload as sent. Handlers survive reconnects. Returns the
   * unsubscribe function.
   */
  on<E extends GatewayEventName>(event: E, handler: TypedEventHandler<E>): () => void;
  on(event: string, handler: EventHandler): () => void;
  on(event: string, handler: (payload: never, frame: EventFrame) => void): () => void {
    return this.#events.on(event, handler as EventHandler);
  }

  /** Every state change, with the error that caused it (also kept as `lastError`). */
  onState(handler: (change: StateChange) => void): () => void {
    this.#stateHandlers.add(handler);
    return () => {
      this.#stateHandlers.delete(handler);
    };
  }

  /** An event `seq` skipped numbers: events were lost; resync what depends on them. */
  onGap(handler: (gap: SeqGap) => void): () => void {
    return this.#events.onGap(handler);
  }

  /**
   * Runs `fn` on a connection holding operator.pairing: this one when it is connected with it,
   * otherwise a short-lived device-less connection with the same URL and shared credentials —
   * the only way to approve this very device while it waits for approval. The gateway grants
   * that only on direct loopback with the shared token.
   */
  withPairingAccess<T>(fn: (target: RequestTarget) => Promise<T>): Promise<T> {
    const hello = this.#state === "connected" ? this.#hello : undefined;
    return runWithPairingAccess(
      { current: this, hello, opts: this.#opts, scopes: this.#scopes },
      (opts) => new GatewayClient(opts),
      fn,
    );
  }

  /** Closes the socket, rejects everything pending and clears every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === "closed") {
      await this.#persisting;
      return;
    }
    this.#closing = true;
    this.#clearTimers();
    this.#openCancel?.cancel?.();
    const ws = this.#ws;
    this.#ws = undefined;
    this.#attempt = undefined;
    this.#generation++;
    // Built only when someone waits: an Error captures a stack trace, and most closes have no waiter.
    let err: GatewayError | undefined;
    const closed = () => (err ??= this.#clientClosed("close"));
    this.#pending.rejectAll(closed);
    if (this.#waiters.length > 0) this.#rejectWaiters(closed());
    this.#setState("closed");
    if (ws) await closeSocket(ws, 1000, "client closed");
    await this.#persisting;
  }

  // ── handshake ────────────────────────────────────────────────────────────

  async #runAttempt(): Promise<void> {
    this.#clearTimer("reconnect");
    const gen = ++this.#generation;
    this.#setState("connecting");
    // Without an identity loader or a token store nothing here waits: the socket opens in this tick.
    if (typeof this.#opts.identity === "function" && !this.#identity && !(await this.#loadIdentity(gen))) return;
    const store = this.#skipStoredDeviceToken ? undefined : this.#store;
    const key = store && this.#tokenKey();
    let chosen: ChosenAuth;
    if (store && key) {
      chosen = await chooseAuth(this.#opts, store, key, this.#scopes, this.#connectTimeoutMs);
      if (chosen.storeError !== undefined) {
        this.#log.emit("warn", "could not read the device token store; using the shared credentials", {
          error: errorText(chosen.storeError),
        });
      }
    } else chosen = { auth: sharedAuth(this.#opts), usedStoredDeviceToken: false };
    if (gen !== this.#generation || this.#closing) return;
    const attempt: Attempt = {
      gen,
      phase: "opening",
      auth: chosen.auth,
      usedStoredDeviceToken: chosen.usedStoredDeviceToken,
    };
    this.#attempt = attempt;
    this.#connectionAttempts++;
    const abort: OpenCancel = {};
    this.#openCancel = abort;
    if (this.#log.enabled) this.#log.debug("connecting", { url: this.#safeUrl, attempt: this.#connectionAttempts });
    this.#hook("connecting", { attempt: this.#connectionAttempts });
    const connectMs = this.#connectTimeoutMs;
    this.#armDeadline(attempt, connectMs, {
      code: "CONNECT_TIMEOUT",
      reason: `TCP/TLS/upgrade did not finish within ${connectMs} ms`,
    });
    try {
      const opening = openSocket(
        {
          url: this.#url,
          origin: this.#opts.origin,
          headers: this.#opts.headers,
          tls: this.#opts.tls,
          maxInboundPayload: this.#maxInbound(),
        },
        {
          onOpen: (ws) => this.#onOpen(attempt, ws),
          onMessage: (data) => this.#onMessage(gen, data),
          onClose: (code, reason) => this.#onSocketClose(gen, code, reason),
          onError: (err) => this.#onSocketError(gen, err),
        },
        abort,
      );
      // The socket is connecting now: the params are built in that wait, off the handshake's critical path.
      attempt.params = this.#baseParams(attempt.auth);
      await opening;
    } catch (err) {
      if (gen !== this.#generation || this.#closing) return;
      this.#fail(err instanceof GatewayError ? err : this.#wrap(err));
    } finally {
      if (this.#openCancel === abort) this.#openCancel = undefined;
    }
  }

  /**
   * Runs the identity loader once (until it succeeds); false when the attempt ended. A loader that
   * does not settle within connectTimeoutMs fails the attempt (retried like the others); the next
   * attempt waits on the same call instead of starting another.
   */
  async #loadIdentity(gen: number): Promise<boolean> {
    const loader = this.#opts.identity;
    if (this.#identity || typeof loader !== "function") return true;
    let loading = this.#identityLoading;
    if (!loading) {
      const call = Promise.resolve().then(loader);
      this.#identityLoading = loading = call;
      const settled = () => {
        if (this.#identityLoading === call) this.#identityLoading = undefined;
      };
      call.then(settled, settled);
    }
    const outcome = await settleWithin(loading, this.#connectTimeoutMs);
    if (gen !== this.#generation || this.#closing) return false;
    if (outcome.status === "fulfilled") {
      this.#useIdentity(outcome.value);
      return true;
    }
    if (outcome.status === "timeout") {
      this.#fail(
        new GatewayError({
          code: "CONNECT_TIMEOUT",
          layer: "config",
          subject: "device identity",
          reason: `the identity loader did not settle within ${outcome.ms} ms`,
          hint:
            "Check the disk or mount that holds the identity folder (a hung network or USB mount?), " +
            "or the loader itself: the client retries and waits for the same call.",
        }),
      );
      return false;
    }
    const err = outcome.reason;
    this.#fail(
      err instanceof GatewayError
        ? err
        : new GatewayError({
            code: "INVALID_OPTIONS",
            subject: "device identity",
            reason: `the identity loader failed: ${errorText(err)}`,
            hint: "Check the identity folder's path and permissions (it must be writable by this user).",
            cause: err,
          }),
    );
    return false;
  }

  #useIdentity(identity: DeviceIdentity): void {
    this.#identity = identity;
    const o = this.#opts;
    if (o.deviceTokenStore === false) this.#store = undefined;
    else if (o.deviceTokenStore) this.#store = o.deviceTokenStore;
    else if (identity.filePath) this.#store = FileDeviceTokenStore.nextTo(identity.filePath);
  }

  #onOpen(attempt: Attempt, ws: WebSocket): void {
    if (attempt.gen !== this.#generation || this.#closing) {
      ws.terminate();
      return;
    }
    this.#ws = ws;
    attempt.ws = ws;
    attempt.phase = "challenge";
    this.#events.resetSeq();
    this.#watchdog.seen();
    this.#setState("handshaking");
    this.#hook("upgraded", undefined);
    const ms = this.#opts.challengeTimeoutMs ?? 10_000;
    this.#armDeadline(attempt, ms, {
      code: "CHALLENGE_TIMEOUT",
      reason: `the WebSocket opened but no connect.challenge arrived within ${ms} ms`,
    });
  }

  #baseParams(auth: ConnectAuth): Record<string, unknown> {
    return baseConnectParams({
      opts: this.#opts,
      role: this.#role,
      scopes: this.#scopes,
      auth,
      identity: this.#identity,
    });
  }

  #sendConnect(attempt: Attempt, payload: unknown): void {
    const challenge = parseChallenge(payload);
    if (!challenge) {
      this.#fail(
        new GatewayError({
          code: "INVALID_FRAME",
          subject: this.#connectSubject(),
          reason: "connect.challenge lacks a nonce or ts",
        }),
      );
      return;
    }
    attempt.phase = "connect";
    // From the challenge on, requestTimeoutMs bounds the signature and the gateway's answer.
    const ms = Math.max(this.#requestTimeoutMs, 1);
    this.#armDeadline(attempt, ms, {
      code: "REQUEST_TIMEOUT",
      layer: "connect",
      reason: `no answer to connect within ${ms} ms of the challenge`,
      method: "connect",
      retryable: true,
    });
    this.#hook("challenge", challenge);
    const base = attempt.params ?? this.#baseParams(attempt.auth);
    const identity = this.#identity;
    // Device-less: nothing to sign, the frame goes out in this tick.
    if (!identity) {
      this.#writeConnect(attempt, base, undefined);
      return;
    }
    const input = {
      opts: this.#opts,
      role: this.#role,
      scopes: this.#scopes,
      auth: attempt.auth,
      identity,
      challenge,
    };
    buildConnectParams(input, base).then(
      (params) => {
        if (attempt.gen === this.#generation) this.#writeConnect(attempt, params, challenge.ts);
      },
      (err) => {
        if (attempt.gen !== this.#generation) return;
        this.#fail(
          new GatewayError({
            code: "INVALID_OPTIONS",
            subject: this.#connectSubject(),
            reason: "identity.sign() threw",
            cause: err,
          }),
        );
      },
    );
  }

  #writeConnect(attempt: Attempt, params: Record<string, unknown>, signedAt: number | undefined): void {
    const id = `c${this.#nextId++}`;
    attempt.connectId = id;
    const frame = { type: "req", id, method: "connect", params };
    if (this.#log.enabled) this.#log.debug("connect sent", { frame: redact(frame) });
    this.#hook("connectSent", signedAt === undefined ? {} : { signedAt });
    try {
      attempt.ws!.send(JSON.stringify(frame));
    } catch (err) {
      this.#fail(this.#wrap(err));
    }
  }

  #onConnectResponse(attempt: Attempt, frame: ResponseFrame): void {
    this.#clearTimer("handshake");
    if (!frame.ok) {
      const err = fromGatewayError(frame.error ?? { code: "UNKNOWN", message: "connect failed without an error" }, {
        phase: "connect",
        subject: this.#connectSubject(),
        method: "connect",
        credentialsSent: Object.keys(attempt.auth).length > 0,
      });
      this.#log.debug("connect refused", { code: err.code, gatewayCode: err.gatewayCode, detailCode: err.detailCode });
      if (err.code === "AUTH_DEVICE_TOKEN_MISMATCH" && attempt.usedStoredDeviceToken) {
        // The stored token was revoked or rotated: forget it and retry at once with the shared one.
        this.#skipStoredDeviceToken = true;
        const store = this.#store!;
        const key = this.#tokenKey()!;
        this.#persist("forget the revoked device token", () => store.delete(key));
        if (this.#opts.token || this.#opts.password) {
          this.#dropSocket();
          void this.#runAttempt();
          return;
        }
      }
      this.#fail(err);
      return;
    }
    const hello = parseHello(frame.payload, () => this.#connectSubject());
    if (hello instanceof GatewayError) {
      this.#fail(hello);
      return;
    }
    attempt.phase = "done";
    this.#hello = hello;
    this.#failures = 0;
    this.#startingRetries = 0;
    this.#lastError = undefined;
    this.#persistDeviceToken(hello);
    this.#startTickWatchdog(hello.policy.tickIntervalMs);
    this.#setState("connected");
    if (this.#log.enabled)
      this.#log.debug("connected", {
        protocol: hello.protocol,
        server: hello.server.version,
        authMethod: hello.auth.method,
        scopes: hello.auth.scopes,
        maxPayload: hello.policy.maxPayload,
        tickIntervalMs: hello.policy.tickIntervalMs,
      });
    this.#hook("connected", hello);
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.resolve(hello);
  }

  #persistDeviceToken(hello: HelloOk): void {
    const record = deviceTokenRecord(hello);
    const store = this.#store;
    const key = this.#tokenKey();
    if (!record || !store || !key) return;
    this.#skipStoredDeviceToken = false;
    this.#persist("store the device token", () => store.set(key, record));
  }

  /**
   * Queues a write to the device token store, each bounded by connectTimeoutMs: close() waits for
   * the queue, so a store that never answers must not hold it (or the writes after it) forever.
   */
  #persist(what: string, write: () => Promise<void>): void {
    this.#persisting = this.#persisting
      .then(() => settleWithin(Promise.resolve().then(write), this.#connectTimeoutMs))
      .then((outcome) => {
        if (outcome.status !== "fulfilled")
          this.#log.emit("warn", `could not ${what}`, { error: errorText(outcome.reason) });
      });
  }

  #tokenKey(): DeviceTokenKey | undefined {
    return this.#identity ? { url: this.url, deviceId: this.#identity.deviceId, role: this.#role } : undefined;
  }

  // ── inbound frames ───────────────────────────────────────────────────────

  #onMessage(gen: number, data: WebSocket.RawData): void {
    if (gen !== this.#generation) return;
    this.#watchdog.seen();
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
        if (attempt && attempt.phase === "challenge") this.#sendConnect(attempt, frame.payload);
        return;
      }
      this.#events.dispatch(frame);
      return;
    }
    this.#log.debug("ignored server request", { method: frame.method });
  }

  #onResponse(frame: ResponseFrame): void {
    const method = this.#pending.method(frame.id);
    if (method === undefined) {
      this.#log.debug("response for an unknown or expired request", { id: frame.id });
      return;
    }
    if (frame.ok) {
      this.#pending.settle(frame.id, undefined, frame.payload);
      return;
    }
    const err = fromGatewayError(frame.error ?? { code: "UNKNOWN", message: "request failed without an error" }, {
      phase: "rpc",
      subject: `request ${method}`,
      method,
    });
    this.#pending.settle(frame.id, err);
  }

  #protocolViolation(what: string): void {
    const err = new GatewayError({
      code: "INVALID_FRAME",
      subject: `connection to ${this.#safeUrl}`,
      reason: `the server sent ${what}`,
    });
    this.#fail(err, 1002);
  }

  #onSocketError(gen: number, err: Error): void {
    if (gen !== this.#generation) return;
    const code = (err as NodeJS.ErrnoException).code;
    this.#log.debug("socket error", { error: err.message, code });
    if (code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
      this.#fail(
        new GatewayError({
          code: "CONNECTION_CLOSED",
          subject: `connection to ${this.#safeUrl}`,
          reason: `the server sent a frame larger than maxInboundPayload (${this.#maxInbound()} bytes)`,
          closeCode: 1009,
          hint: "Raise the maxInboundPayload option, or ask for less data per request (e.g. a limit parameter).",
          retryable: true,
        }),
      );
    }
  }

  #onSocketClose(gen: number, code: number, reason: string): void {
    if (gen !== this.#generation) return;
    this.#log.debug("socket closed", { code, reason });
    this.#fail(closeError(code, reason, { handshaking: this.#state !== "connected", url: this.#safeUrl }));
  }

  // ── failure, reconnect, watchdog ─────────────────────────────────────────

  /** Ends the current socket (if any) and lets the supervisor decide what happens next. */
  #fail(err: GatewayError, closeCode = 1000): void {
    if (this.#closing) return;
    const wasConnected = this.#state === "connected";
    this.#dropSocket(closeCode, err.code === "TICK_TIMEOUT" ? "tick timeout" : undefined);
    this.#lastError = err;
    this.#pending.rejectAll(
      (method) =>
        new GatewayError({
          code: "CONNECTION_CLOSED",
          subject: `request ${method}`,
          reason: `the connection ended before the response (${err.code})`,
          method,
          closeCode: err.closeCode,
          closeReason: err.closeReason,
          cause: err,
        }),
    );
    this.#log.emit(wasConnected ? "warn" : "debug", err.message, { code: err.code });

    const step = nextStep(
      err,
      { failures: this.#failures, startingRetries: this.#startingRetries, waiting: this.#waiters.length > 0 },
      this.#policy,
    );
    if (!step.retry) {
      this.#setState(step.state, err);
      this.#rejectWaiters(err);
      return;
    }
    // connect() reports the first real failure; the 1013 start-up window is waited through.
    if (step.startingWindow) this.#startingRetries++;
    else this.#rejectWaiters(err);
    if (step.countsAsFailure) this.#failures++;
    this.#setState(step.state, err);
    this.#log.debug("reconnect scheduled", { delayMs: step.delayMs, code: err.code });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#runAttempt();
    }, step.delayMs);
  }

  #dropSocket(code = 1000, reason?: string): void {
    this.#clearTimer("handshake");
    this.#clearTimer("tick");
    this.#openCancel?.cancel?.();
    const ws = this.#ws;
    this.#ws = undefined;
    this.#attempt = undefined;
    this.#generation++;
    if (ws) void closeSocket(ws, code, reason);
  }

  #startTickWatchdog(tickIntervalMs: number): void {
    this.#watchdog.start(tickIntervalMs, (silentFor) =>
      this.#fail(
        new GatewayError({
          code: "TICK_TIMEOUT",
          subject: `connection to ${this.#safeUrl}`,
          reason: `no frame for ${silentFor} ms (tick interval ${tickIntervalMs} ms)`,
          closeCode: 4000,
        }),
        4000,
      ),
    );
  }

  // ── helpers ──────────────────────────────────────────────────────────────

  #maxInbound(): number {
    return this.#opts.maxInboundPayload ?? 64 * 1024 * 1024;
  }

  #rejectWaiters(err: GatewayError): void {
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.reject(err);
  }

  #clearTimer(which: "reconnect" | "handshake" | "tick"): void {
    if (which === "reconnect" && this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
    } else if (which === "handshake") {
      this.#deadline.clear();
    } else if (which === "tick") {
      this.#watchdog.stop();
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
    if (this.#stateHandlers.size === 0) return;
    const change: StateChange = { state, previous, at: Date.now() };
    if (error) change.error = error;
    for (const h of this.#stateHandlers) this.#safe(() => h(change));
  }

  #hook<K extends keyof LifecycleHooks>(name: K, arg: Parameters<NonNullable<LifecycleHooks[K]>>[0]): void {
    const hook = this.#hooks[name] as ((a: typeof arg) => void) | undefined;
    if (hook) this.#safe(() => hook.call(this.#hooks, arg));
  }

  /** The current handshake phase's deadline: past it, this attempt fails with `error`. */
  #armDeadline(attempt: Attempt, ms: number, error: Omit<GatewayErrorInit, "subject">): void {
    this.#deadline.set(ms, () => {
      if (attempt.gen === this.#generation) this.#fail(new GatewayError({ ...error, subject: this.#connectSubject() }));
    });
  }

  /** What a handshake error is about; only failures build it. */
  #connectSubject(): string {
    return `connect to ${this.#safeUrl}`;
  }

  #clientClosed(subject: string): GatewayError {
    return new GatewayError({ code: "CLIENT_CLOSED", subject, reason: "the client was closed" });
  }

  #wrap(err: unknown): GatewayError {
    return new GatewayError({
      code: "CONNECTION_CLOSED",
      subject: `connection to ${this.#safeUrl}`,
      reason: errorText(err),
      cause: err,
      retryable: true,
    });
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.emit("error", "a handler threw", { error: errorText(err) });
    }
  }
}
