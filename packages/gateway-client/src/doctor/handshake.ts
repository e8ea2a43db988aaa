import type { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { HelloOk, LogRecord, StateChange } from "../types.js";
import { asGatewayError, describeFailure, doctorClient, errorData } from "./connect.js";
import { failed, passed } from "./step.js";
import type { DiagnoseOptions, DiagnoseStep } from "./types.js";
import { describeUpgradeResponse, upgradeResponseOf } from "./upgrade.js";

/** Past this skew a clock deserves attention; the gateway rejects signatures over 120 s off its clock. */
export const SKEW_WARN_MS = 60_000;
export const SIGNATURE_MAX_SKEW_MS = 120_000;

/** When each phase of the client's own handshake happened (performance.now() / Date.now()). */
interface Marks {
  connecting?: number;
  open?: number;
  challenge?: number;
  /** The challenge's `ts` (gateway clock), known when the connect frame carries a device signature. */
  challengeTs?: number;
  challengeWall?: number;
  done?: number;
}

const r1 = (ms: number) => Math.round(ms * 10) / 10;

function describeSkew(skewMs: number): string {
  const s = (Math.abs(skewMs) / 1000).toFixed(1);
  return skewMs >= 0 ? `gateway clock ${s} s ahead of ours` : `gateway clock ${s} s behind ours`;
}

function skewStep(ms: number, skewMs: number | undefined, source: string): DiagnoseStep {
  if (skewMs === undefined) return passed("challenge", ms, "connect.challenge received and answered (clock skew not measurable)");
  const extra: Partial<DiagnoseStep> = { data: { skewMs, skewSource: source } };
  if (Math.abs(skewMs) > SKEW_WARN_MS) {
    const past = Math.abs(skewMs) > SIGNATURE_MAX_SKEW_MS;
    extra.warning = `${describeSkew(skewMs)}: ${
      past
        ? "signatures dated with this machine's clock are rejected (limit 120 s); this client signs with the challenge's ts and still connects"
        : "close to the 120 s limit past which signatures dated with the local clock are rejected"
    }`;
    extra.hint = "Sync the clocks of this machine and the gateway host (NTP: `timedatectl set-ntp true` or chrony).";
  }
  return passed("challenge", ms, `connect.challenge received, ${describeSkew(skewMs)}`, extra);
}

/** The gateway's clock at hello time: its own presence entry is stamped when the snapshot is built. */
function helloClock(hello: HelloOk): number | undefined {
  const presence = (hello.snapshot as { presence?: Array<{ reason?: string; mode?: string; ts?: unknown }> } | undefined)?.presence;
  const self = presence?.find((p) => p.reason === "self" || p.mode === "gateway");
  return typeof self?.ts === "number" ? self.ts : undefined;
}

export interface HandshakeResult {
  steps: DiagnoseStep[];
  client?: GatewayClient;
  hello?: HelloOk;
}

/**
 * Layers 5–7 observed on the client's own connection — the one the application would open — so
 * the doctor costs no extra WebSocket: the upgrade ends when the client's state turns
 * "handshaking", the challenge is answered when it logs "connect sent", the connect ends with
 * hello-ok or the gateway's error. A failure is attributed to the layer the client had reached.
 */
export async function checkHandshake(opts: DiagnoseOptions): Promise<HandshakeResult> {
  const marks: Marks = {};
  const logger = (rec: LogRecord) => {
    const now = performance.now();
    if (rec.msg === "connecting") {
      marks.connecting = now;
      marks.open = marks.challenge = undefined;
    } else if (rec.msg === "connect sent") {
      marks.challenge = now;
      marks.challengeWall = Date.now();
      const signedAt = (rec.frame as { params?: { device?: { signedAt?: unknown } } } | undefined)?.params?.device?.signedAt;
      marks.challengeTs = typeof signedAt === "number" ? signedAt : undefined;
    }
  };
  let client: GatewayClient;
  const t0 = performance.now();
  try {
    client = doctorClient(opts, logger);
  } catch (e) {
    // Options the client refuses (an unknown client id, …): nothing was sent.
    return { steps: [failed("connect", 0, asGatewayError(e))] };
  }
  const offState = client.onState((c: StateChange) => {
    if (c.state === "handshaking") marks.open = performance.now();
  });
  let hello: HelloOk | undefined;
  let error: GatewayError | undefined;
  try {
    hello = await client.connect();
  } catch (e) {
    error = asGatewayError(e);
  } finally {
    marks.done = performance.now();
    offState();
  }
  const start = marks.connecting ?? t0;
  const steps: DiagnoseStep[] = [];

  // Layer 5: the 101.
  if (marks.open === undefined) {
    const err = error ?? new GatewayError({ code: "CONNECTION_CLOSED", layer: "upgrade", subject: "WebSocket upgrade", reason: "no socket" });
    const response = upgradeResponseOf(err.details);
    const extra: Partial<DiagnoseStep> = { data: errorData(err) };
    if (response) {
      extra.detail = describeUpgradeResponse(response);
      extra.data = { ...extra.data, status: response.status, headers: response.headers, body: response.body?.slice(0, 200) };
    }
    steps.push(failed("upgrade", r1(marks.done - start), err, extra));
    await client.close().catch(() => undefined);
    return { steps };
  }
  steps.push(passed("upgrade", r1(marks.open - start), "HTTP/1.1 101 Switching Protocols"));

  // Layer 6: the challenge, and the gateway's clock against ours.
  if (marks.challenge === undefined) {
    const err = error ?? new GatewayError({ code: "CHALLENGE_TIMEOUT", subject: "connect.challenge", reason: "no challenge" });
    steps.push(failed("challenge", r1(marks.done - marks.open), err, { data: errorData(err) }));
    await client.close().catch(() => undefined);
    return { steps };
  }
  const challengeMs = r1(marks.challenge - marks.open);
  let skew: { ms: number; source: string } | undefined;
  if (marks.challengeTs !== undefined && marks.challengeWall !== undefined) skew = { ms: marks.challengeTs - marks.challengeWall, source: "challenge.ts" };
  else if (hello) {
    const gw = helloClock(hello);
    if (gw !== undefined) skew = { ms: gw - Date.now(), source: "hello-ok snapshot" };
  }
  steps.push(skewStep(challengeMs, skew?.ms, skew?.source ?? ""));

  // Layer 7: the connect result.
  const connectMs = r1(marks.done - marks.challenge);
  if (!hello) {
    const err = error!;
    steps.push(failed("connect", connectMs, err, { detail: describeFailure(err), data: errorData(err) }));
    await client.close().catch(() => undefined);
    return { steps };
  }
  const scopes = hello.auth?.scopes ?? [];
  const who = opts.identity ? `device ${opts.identity.deviceId.slice(0, 12)}…` : "device-less";
  const detail = `hello-ok: protocol ${hello.protocol}, gateway ${hello.server?.version ?? "?"}, auth ${hello.auth?.method ?? "?"}, role ${
    hello.auth?.role ?? "?"
  }, scopes ${scopes.join(",") || "(none)"}, ${who}`;
  const extra: Partial<DiagnoseStep> = {
    data: { protocol: hello.protocol, serverVersion: hello.server?.version, authMethod: hello.auth?.method, role: hello.auth?.role, scopes },
  };
  const wanted = opts.scopes ?? ["operator.read", "operator.write"];
  const missing = wanted.filter((s) => !scopes.includes(s) && !scopes.includes("operator.admin"));
  if (missing.length) {
    extra.warning = `the gateway granted fewer scopes than requested (missing ${missing.join(",")})`;
    extra.hint = opts.identity
      ? "Approve the device for these scopes (`openclaw devices approve <requestId>` after a scope-upgrade request)."
      : "Device-less connections get no scopes unless they come straight from loopback: connect with a device identity (--identity-dir) and pair it.";
  }
  steps.push(passed("connect", connectMs, detail, extra));
  return { steps, client, hello };
}
