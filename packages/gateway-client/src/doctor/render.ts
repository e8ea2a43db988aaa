import { sanitizeForTerminal } from "../terminal-text.js";
import { type DiagnoseReport, type DiagnoseStep, DOCTOR_STEPS } from "./types.js";

/** Details and hints quote the gateway and the proxy: print them inert and on one line. */
const field = (s: string) => sanitizeForTerminal(s);

const WIDTH = Math.max(...DOCTOR_STEPS.map((s) => s.length));
const INDENT = " ".repeat(WIDTH + 13);

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`.padStart(8);
}

/** One layer as the doctor prints it: `✓ tcp            0.4 ms  connected to 127.0.0.1:18789`. */
export function renderStep(s: DiagnoseStep): string {
  const notApplicable = s.data?.notApplicable === true;
  const mark = notApplicable ? "·" : s.ok ? "✓" : "✗";
  const lines = [`${mark} ${s.step.padEnd(WIDTH)} ${notApplicable ? "       –" : ms(s.ms)}  ${field(s.detail)}`];
  if (s.warning) lines.push(`${INDENT}! ${field(s.warning)}`);
  if (s.hint && (!s.ok || s.warning)) lines.push(`${INDENT}fix: ${field(s.hint)}`);
  return lines.join("\n");
}

/** What follows the layers: the ones that did not run, what the gateway granted, the verdict. */
export function renderFooter(r: DiagnoseReport): string {
  const lines: string[] = [];
  for (const s of r.skipped) lines.push(`- ${s.padEnd(WIDTH)}        –  skipped (${r.failedStep} failed)`);
  if (r.server) {
    lines.push(
      field(
        `gateway ${r.server.version ?? "?"}, protocol ${r.server.protocol ?? "?"}, role ${r.server.role ?? "?"}, ` +
          `auth ${r.server.authMethod ?? "?"}, scopes ${r.server.scopes?.join(",") || "(none)"}`,
      ),
    );
  }
  lines.push(
    r.ok
      ? `all layers ok in ${Math.round(r.totalMs)} ms`
      : `failed at ${r.failedStep} after ${Math.round(r.totalMs)} ms`,
  );
  return lines.join("\n");
}

/** The whole human report: one line per layer, ✓ or ✗, the fix under the first failure. */
export function renderReport(r: DiagnoseReport): string {
  return [`doctor ${field(r.url)}`, ...r.steps.map(renderStep), renderFooter(r)].join("\n");
}
