import { sanitizeForTerminal } from "@missionctl/gateway-client";
import type { DiffReport } from "../report.js";
import { describeChange, SYMBOL, summaryLine } from "./format.js";

export interface HumanOptions {
  color?: boolean;
  /** Also list ignored and normalized changes, and each ignore rule's count. */
  verbose?: boolean;
}

const codes = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
  cyan: [36, 39],
} as const;

export function renderHuman(report: DiffReport, options: HumanOptions = {}): string {
  // Paths, labels and gateway messages come from the inputs: made inert before our own colours go on.
  const paint = (c: keyof typeof codes, text: string) => {
    const s = sanitizeForTerminal(text);
    return options.color ? `\u001b[${codes[c][0]}m${s}\u001b[${codes[c][1]}m` : s;
  };
  const lines: string[] = [];
  lines.push(
    paint("bold", `config-diff: ${report.sources.source.label} (source) ⇄ ${report.sources.runtime.label} (runtime)`),
  );

  if (report.live) {
    const l = report.live;
    if (!l.valid || !l.applied) {
      lines.push(paint("red", `✖ ${l.message ?? "the gateway is not running this file"}`));
      for (const i of l.issues) lines.push(paint("red", `    ${i.path || "(root)"}: ${i.message}`));
    } else lines.push(paint("dim", "live: the gateway runs this file's revision (valid, applied)"));
  }

  const visible = report.changes.filter(
    (c) => options.verbose || c.disposition === "drift" || c.disposition === "unverifiable",
  );
  if (visible.length === 0 && report.changes.length === 0) lines.push(paint("green", "No differences."));
  for (const c of visible) {
    const tag =
      c.disposition === "drift"
        ? ""
        : c.disposition === "ignored"
          ? ` [ignored: ${c.rule}]`
          : c.disposition === "normalized"
            ? ` [normalized: ${c.rule}]`
            : " [unverifiable]";
    const text = `${SYMBOL[c.kind]} ${c.path || "(root)"}: ${describeChange(c)}${tag}`;
    const colour =
      c.disposition === "drift"
        ? c.kind === "added"
          ? "green"
          : c.kind === "removed"
            ? "red"
            : "yellow"
        : c.disposition === "unverifiable"
          ? "yellow"
          : "dim";
    lines.push(paint(colour, text));
    if (c.note && (c.disposition === "unverifiable" || options.verbose)) lines.push(paint("dim", `    ${c.note}`));
  }

  if (report.lint) {
    if (report.lint.length === 0) lines.push(paint("dim", "lint: no rejected or inert keys"));
    for (const f of report.lint) {
      lines.push(
        paint(
          f.severity === "error" ? "red" : "yellow",
          `${f.severity === "error" ? "✖" : "⚠"} lint (${f.side}) ${f.message}`,
        ),
      );
      lines.push(paint("dim", `    fix: ${f.fix}`));
    }
  }

  if (options.verbose) {
    for (const r of report.rules)
      lines.push(paint("dim", `ignore rule ${r.pattern} (${r.origin}) suppressed ${r.suppressed}`));
  }
  const hidden = report.changes.length - visible.length;
  const tail = hidden > 0 ? ` (${hidden} hidden, --verbose shows them)` : "";
  lines.push(
    paint(
      report.status === "drift" ? "red" : "green",
      `${report.status === "drift" ? "Drift" : "No drift"}: ${summaryLine(report, Boolean(report.lint))}${tail}`,
    ),
  );
  return `${lines.join("\n")}\n`;
}
