import type { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { LifecycleHooks } from "../options.js";
import type { HelloOk } from "../types.js";
import { challengeFailedStep, challengeStep, helloClock } from "./challenge.js";
import { connectFailedStep, connectStep, doctorClient } from "./connect.js";
import { asGatewayError, failed } from "./step.js";
import type { DiagnoseOptions, DiagnoseStep } from "./types.js";
import { upgradeFailedStep, upgradeStep } from "./upgrade.js";

/** When each phase of the client's own handshake happened (performance.now()). */
interface Marks {
  connecting?: number;
  open?: number;
  challenge?: number;
  /** The gateway's clock minus ours when the challenge arrived (its `ts` against Date.now()). */
  skewMs?: number;
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
 * the doctor costs no extra WebSocket. The client's lifecycle hooks time them: the upgrade ends
 * when the socket opens, the challenge layer when the (signed) connect goes out, the connect
 * with hello-ok or the gateway's error. A failure is attributed to the layer the client had reached.
 */
export async function checkHandshake(opts: DiagnoseOptions): Promise<HandshakeResult> {
  const marks: Marks = {};
  const lifecycle: LifecycleHooks = {
    connecting: () => {
      marks.connecting = performance.now();
      marks.open = marks.challenge = marks.skewMs = undefined;
    },
    upgraded: () => {
      marks.open = performance.now();
    },
    challenge: (c) => {
      marks.skewMs = c.ts - Date.now();
    },
    connectSent: () => {
      marks.challenge = performance.now();
    },
  };
  let client: GatewayClient;
  const t0 = performance.now();
  try {
    client = doctorClient(opts, lifecycle);
  } catch (e) {
    // Options the client refuses (an unknown client id, …): nothing was sent.
    return { steps: [failed("connect", 0, asGatewayError(e))] };
  }
  let hello: HelloOk | undefined;
  let error: GatewayError | undefined;
  try {
    hello = await client.connect();
  } catch (e) {
    error = asGatewayError(e);
  } finally {
    marks.done = performance.now();
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
  if (marks.skewMs !== undefined) skew = { ms: marks.skewMs, source: "challenge.ts" };
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
