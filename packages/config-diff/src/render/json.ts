import type { DiffReport } from "../report.js";

/** The versioned machine report (`formatVersion`); it holds masked values only. */
export function renderJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
