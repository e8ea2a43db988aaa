import type { Change } from "../report.js";
import { MASK } from "../secrets.js";

/** A compact one-line value; masked values are already `***` in the report. */
export function formatValue(v: unknown, max = 120): string {
  if (v === undefined) return "(absent)";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function side(c: Change, which: "before" | "after"): string {
  const v = c[which];
  const shape = which === "before" ? c.beforeShape : c.afterShape;
  if (c.sensitive && v === MASK) return `*** (${which}${shape ? `, ${shape}` : ""})`;
  return formatValue(v);
}

/** `old → new` for one change, masking-aware: `*** (before) → *** (after)`. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case "added":
      return `${side(c, "after")} only in the runtime`;
    case "removed":
      return `${side(c, "before")} missing from the runtime`;
    case "order-changed":
      return "same elements in another order";
    case "type-changed":
      return `${side(c, "before")} → ${side(c, "after")} (type changed)`;
    default:
      return `${side(c, "before")} → ${side(c, "after")}`;
  }
}

export const SYMBOL: Record<Change["kind"], string> = {
  added: "+",
  removed: "-",
  changed: "~",
  "type-changed": "~",
  "order-changed": "↕",
};

export function summaryLine(
  r: {
    summary: {
      drift: number;
      ignored: number;
      normalized: number;
      unverifiable: number;
      lintErrors: number;
      lintWarnings: number;
    };
  },
  lint: boolean,
): string {
  const s = r.summary;
  const parts = [
    `${s.drift} drifted`,
    `${s.ignored} ignored`,
    `${s.normalized} normalized`,
    `${s.unverifiable} unverifiable`,
  ];
  if (lint)
    parts.push(
      `${s.lintErrors} lint error${s.lintErrors === 1 ? "" : "s"}`,
      `${s.lintWarnings} lint warning${s.lintWarnings === 1 ? "" : "s"}`,
    );
  return parts.join(", ");
}
