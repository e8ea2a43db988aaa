import type { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { HelloOk, LogRecord, StateChange } from "../types.js";
import { challengeFailedStep, challengeStep, helloClock } from "./challenge.js";
import { connectFailedStep, connectStep, doctorClient } from "./connect.js";
import { asGatewayError, failed } from "./step.js";
import type { DiagnoseOptions, DiagnoseStep } from "./types.js";
import { upgradeFailedStep, upgradeStep } from "./upgrade.js";

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
      const signedAt = (rec.frame as { params?: { device?: { signedAt?: unknown } } } | undefined)?.params?.device
        ?.signedAt;
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
    const err =
      error ??
      new GatewayError({
        code: "CONNECTION_CLOSED",
        layer: "upgrade",
        subject: "WebSocket upgrade",
        reason: "no socket",
      });
    steps.push(upgradeFailedStep(r1(marks.done - start), err));
    await client.close().catch(() => undefined);
    return { steps };
  }
  steps.push(upgradeStep(r1(marks.open - start)));

  // Layer 6: the challenge, and the gateway's clock against ours.
  if (marks.challenge === undefined) {
    const err =
      error ?? new GatewayError({ code: "CHALLENGE_TIMEOUT", subject: "connect.challenge", reason: "no challenge" });
    steps.push(challengeFailedStep(r1(marks.done - marks.open), err));
    await client.close().catch(() => undefined);
    return { steps };
  }
  const challengeMs = r1(marks.challenge - marks.open);
  let skew: { ms: number; source: string } | undefined;
  if (marks.challengeTs !== undefined && marks.challengeWall !== undefined)
    skew = { ms: marks.challengeTs - marks.challengeWall, source: "challenge.ts" };
  else if (hello) {
    const gw = helloClock(hello);
    if (gw !== undefined) skew = { ms: gw - Date.now(), source: "hello-ok snapshot" };
  }
  steps.push(challengeStep(challengeMs, skew));

  // Layer 7: the connect result.
  const connectMs = r1(marks.done - marks.challenge);
  if (!hello) {
    steps.push(connectFailedStep(connectMs, error!));
    await client.close().catch(() => undefined);
    return { steps };
  }
  steps.push(connectStep(connectMs, hello, opts));
  return { steps, client, hello };
}
