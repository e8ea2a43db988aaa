import { diagnose } from "../doctor/diagnose.js";
import { renderFooter, renderStep } from "../doctor/render.js";
import { DOCTOR_STEPS } from "../doctor/types.js";
import { redactUrl } from "../redact.js";
import { stepForCli } from "./hints.js";
import { type CliIo, EXIT_FAILURE, EXIT_OK, UsageError } from "./io.js";
import { CONNECTION_HELP, identityFor, parseCommand, requireUrl, resolveSettings } from "./settings.js";

export const DOCTOR_HELP = `Usage: missionctl-gateway doctor [url] [options]

Walks the path to the gateway layer by layer — ${DOCTOR_STEPS.join(", ")} —
times each one and stops at the first failure with its fix. Uses device.json from the identity
folder when there is one (as Mission Control would), device-less otherwise.

Options:
  --rpc <method>           the read RPC of the last layer (default health)
${CONNECTION_HELP}

Exit status: 0 every layer passed, 1 a layer failed, 2 usage error.`;

export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("doctor", argv, { rpc: { type: "string" } });
  if (values.help) {
    io.stdout(`${DOCTOR_HELP}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 1)
    throw new UsageError(`expected at most one URL, got ${positionals.length} arguments`, "doctor");
  const s = resolveSettings("doctor", values, io, positionals[0]);
  const url = requireUrl(s, "doctor");
  const identity = await identityFor(s);
  if (!s.json)
    io.stdout(`doctor ${redactUrl(url)} (${identity ? `device ${identity.deviceId.slice(0, 12)}…` : "device-less"})\n`);
  const report = await diagnose({
    url,
    token: s.token,
    password: s.password,
    identity,
    origin: s.origin,
    scopes: s.scopes,
    clientId: s.clientId,
    clientMode: s.clientMode,
    displayName: s.displayName,
    tls: s.tls,
    allowInsecureWs: s.allowInsecureWs,
    timeoutMs: s.timeoutMs,
    rpcMethod: typeof values.rpc === "string" ? values.rpc : undefined,
    onStep: s.json ? undefined : (step) => io.stdout(`${renderStep(stepForCli(step))}\n`),
  });
  const cliReport = { ...report, steps: report.steps.map(stepForCli) };
  io.stdout(s.json ? `${JSON.stringify(cliReport, null, 2)}\n` : `${renderFooter(cliReport)}\n`);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}
