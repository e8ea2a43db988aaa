import { sanitizeForTerminal } from "@missionctl/gateway-client";
import type { DiffReport } from "../report.js";
import { describeChange, summaryLine } from "./format.js";

// GitHub workflow-command escaping (docs: "workflow commands for GitHub Actions").
// Annotations and the summary land in CI logs, which render ANSI: no control character passes.
const escData = (s: string) => sanitizeForTerminal(s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
const escProp = (s: string) => escData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
const mdCell = (s: string) => sanitizeForTerminal(s.replace(/\|/g, "\\|").replace(/\n/g, " "));

export interface GithubOutput {
  /** `::error` / `::warning` lines for stdout. */
  annotations: string;
  /** Markdown for $GITHUB_STEP_SUMMARY. */
  summary: string;
}

export function renderGithub(report: DiffReport): GithubOutput {
  const src = report.sources.source;
  const fileProp = src.kind === "file" ? `file=${escProp(src.label)},` : "";
  const lines: string[] = [];
  const cmd = (level: "error" | "warning" | "notice", title: string, msg: string, withFile = true) =>
    lines.push(`::${level} ${withFile ? fileProp : ""}title=${escProp(title)}::${escData(msg)}`);

  if (report.live && (!report.live.valid || !report.live.applied)) {
    const issues = report.live.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
    cmd(
      "error",
      "config-diff: gateway not running this file",
      `${report.live.message ?? "the gateway runs another config"}${issues ? ` (${issues})` : ""}`,
      false,
    );
  }
  for (const c of report.changes) {
    if (c.disposition === "drift") cmd("error", `config drift: ${c.path}`, `${c.path}: ${describeChange(c)}`);
    else if (c.disposition === "unverifiable")
      cmd(
        c.severity === "error" ? "error" : "warning",
        `config unverifiable: ${c.path}`,
        `${c.path}: ${describeChange(c)}${c.note ? ` — ${c.note}` : ""}`,
      );
  }
  for (const f of report.lint ?? [])
    cmd(
      f.severity === "error" ? "error" : "warning",
      `config lint: ${f.path}`,
      `${f.message} — fix: ${f.fix}`,
      f.side === "source",
    );

  const md: string[] = [];
  md.push(`## config-diff: ${report.status === "drift" ? "drift found" : "no drift"}`);
  md.push("");
  const sides = `\`${mdCell(src.label)}\` (source) ⇄ \`${mdCell(report.sources.runtime.label)}\` (runtime)`;
  md.push(`${sides} — ${summaryLine(report, Boolean(report.lint))}`);
  if (report.live && (!report.live.valid || !report.live.applied)) {
    md.push("");
    md.push(`> **${mdCell(report.live.message ?? "the gateway runs another config")}**`);
    for (const i of report.live.issues) md.push(`> - \`${mdCell(i.path || "(root)")}\`: ${mdCell(i.message)}`);
  }
  const shown = report.changes.filter((c) => c.disposition !== "ignored");
  if (shown.length) {
    md.push("");
    md.push("| | Path | Change | Disposition |");
    md.push("|---|---|---|---|");
    for (const c of shown) {
      const disposition = `${c.disposition}${c.rule ? ` (${mdCell(c.rule)})` : ""}`;
      md.push(`| ${c.kind} | \`${mdCell(c.path || "(root)")}\` | ${mdCell(describeChange(c))} | ${disposition} |`);
    }
  }
  if (report.lint?.length) {
    md.push("");
    md.push("| Lint | Side | Key | Problem | Fix |");
    md.push("|---|---|---|---|---|");
    for (const f of report.lint)
      md.push(`| ${f.severity} | ${f.side} | \`${mdCell(f.path)}\` | ${mdCell(f.message)} | ${mdCell(f.fix)} |`);
  }
  const suppressed = report.rules.filter((r) => r.suppressed > 0);
  if (suppressed.length) {
    md.push("");
    md.push(`Ignored by rule: ${suppressed.map((r) => `\`${mdCell(r.pattern)}\` ${r.suppressed}`).join(", ")}`);
  }
  return { annotations: lines.length ? `${lines.join("\n")}\n` : "", summary: `${md.join("\n")}\n` };
}
