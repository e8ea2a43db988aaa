import * as z from "zod";
import { GatewayError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { checkDns } from "./dns.js";
import { checkHandshake } from "./handshake.js";
import { checkRpc } from "./rpc.js";
import { passed } from "./step.js";
import { checkTcp } from "./tcp.js";
import { checkTls } from "./tls.js";
import { type DiagnoseOptions, type DiagnoseReport, type DiagnoseStep, DOCTOR_STEPS } from "./types.js";
import { checkUrl } from "./url.js";

const optionsSchema = z
  .object({
    url: z.string().min(1, "url is required"),
    token: z.string().optional(),
    password: z.string().optional(),
    origin: z.string().url().optional(),
    scopes: z.array(z.string().min(1)).optional(),
    timeoutMs: z.number().int().positive().optional(),
    challengeTimeoutMs: z.number().int().positive().optional(),
    rpcMethod: z.string().min(1).optional(),
    minProtocol: z.number().int().positive().optional(),
    maxProtocol: z.number().int().positive().optional(),
  })
  .passthrough();

const DEFAULT_TIMEOUT_MS = 5_000;
const _DEFAULT_CHALLENGE_TIMEOUT_MS = 10_000;

/**
 * Walks the path to the gateway layer by layer (URL, DNS, TCP, TLS, HTTP upgrade, challenge,
 * connect, one read RPC), timing each, and stops at the first failure with its fix. Never
 * throws for a connection problem: that is what the report is for. Never contains a secret.
 */
export async function diagnose(options: DiagnoseOptions): Promise<DiagnoseReport> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      subject: "diagnose options",
      reason: `${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`,
    });
  }
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const steps: DiagnoseStep[] = [];
  const add = (step: DiagnoseStep): boolean => {
    steps.push(step);
    options.onStep?.(step);
    return step.ok;
  };
  const report = (server?: DiagnoseReport["server"]): DiagnoseReport => {
    const failedStep = steps.find((s) => !s.ok)?.step;
    const ran = new Set(steps.map((s) => s.step));
    const out: DiagnoseReport = {
      ok: failedStep === undefined,
      url: redactUrl(options.url),
      steps,
      skipped: failedStep ? DOCTOR_STEPS.filter((s) => !ran.has(s)) : [],
      totalMs: Math.round((performance.now() - t0) * 10) / 10,
    };
    if (failedStep) out.failedStep = failedStep;
    if (server) out.server = server;
    return out;
  };

  const { step: urlStep, target } = checkUrl(options.url, { allowInsecureWs: options.allowInsecureWs });
  if (!add(urlStep) || !target) return report();

  const dns = await checkDns(target.host, timeoutMs);
  if (!add(dns.step) || !dns.addresses) return report();

  if (!add(await checkTcp(dns.addresses, target.port, timeoutMs))) return report();

  if (target.secure) {
    if (!add(await checkTls(target.host, target.port, options.tls, timeoutMs))) return report();
  } else {
    add(passed("tls", 0, "not used: ws:// carries no TLS on this hop", { data: { notApplicable: true } }));
  }

  const handshake = await checkHandshake(options);
  for (const step of handshake.steps) if (!add(step)) return report();
  const client = handshake.client;
  if (!client || !handshake.hello) return report();
  const hello = handshake.hello;
  const server: DiagnoseReport["server"] = {
    version: hello.server?.version,
    protocol: hello.protocol,
    scopes: hello.auth?.scopes ?? [],
    role: hello.auth?.role,
    authMethod: hello.auth?.method,
    connId: hello.server?.connId,
  };
  try {
    add(await checkRpc(client, options.rpcMethod ?? "health", timeoutMs));
  } finally {
    await client.close().catch(() => undefined);
  }
  return report(server);
}
