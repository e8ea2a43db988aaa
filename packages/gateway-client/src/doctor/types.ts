import type { DeviceIdentity } from "../identity.js";
import type { TlsOptions } from "../types.js";

export const DOCTOR_STEPS = ["url", "dns", "tcp", "tls", "upgrade", "challenge", "connect", "rpc"] as const;
export type DoctorStepName = (typeof DOCTOR_STEPS)[number];

/** One layer of the path client → gateway, timed. */
export interface DiagnoseStep {
  step: DoctorStepName;
  ok: boolean;
  /** Wall-clock time spent on this layer, in milliseconds (rounded to 0.1). */
  ms: number;
  /** What was observed, in one line: addresses, status line, certificate, server version… */
  detail: string;
  /** The fix, in one sentence, when the layer failed (or when a warning needs action). */
  hint?: string;
  /** Our stable GatewayError code when the layer failed. */
  code?: string;
  /** Something that works today but will bite (clock skew, a certificate close to expiry, …). */
  warning?: string;
  /** Extra facts for machines (`--json`): status, headers, addresses, requestId, … Never a secret. */
  data?: Record<string, unknown>;
}

export interface DiagnoseReport {
  ok: boolean;
  url: string;
  /**
   * The layers that ran, in order. The walk stops at the first failure: the layers after it are
   * not in `steps` but listed in `skipped`, because their result would say nothing new.
   */
  steps: DiagnoseStep[];
  failedStep?: DoctorStepName;
  skipped: DoctorStepName[];
  server?: {
    version?: string;
    protocol?: number;
    scopes?: string[];
    role?: string;
    authMethod?: string;
    connId?: string;
  };
  totalMs: number;
}

export interface DiagnoseOptions {
  url: string;
  token?: string;
  password?: string;
  /** A device identity; without one the doctor connects device-less. */
  identity?: DeviceIdentity | null;
  origin?: string;
  scopes?: string[];
  clientId?: string;
  clientMode?: string;
  displayName?: string;
  role?: "operator" | "node";
  minProtocol?: number;
  maxProtocol?: number;
  tls?: TlsOptions;
  /** Allow ws:// to a public host (the token then crosses the network unencrypted). */
  allowInsecureWs?: boolean;
  /** Per-layer timeout in ms (default 5000; the challenge waits up to 10 000). */
  timeoutMs?: number;
  challengeTimeoutMs?: number;
  /** The read RPC of layer 8 (default `health`). */
  rpcMethod?: string;
  /** Called after each layer, e.g. to print progress. */
  onStep?: (step: DiagnoseStep) => void;
}
