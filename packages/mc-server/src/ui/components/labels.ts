import type { TaskStatus } from "@missionctl/mc-store/lifecycle";
import type { GatewayStatus } from "../view-model.js";

export const STATUS_LABEL: Record<TaskStatus, string> = {
  inbox: "Inbox",
  assigned: "Assigned",
  in_progress: "In progress",
  review: "Review",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const STATE_LABEL: Record<GatewayStatus["state"], string> = {
  connected: "Connected",
  connecting: "Connecting…",
  pairing_required: "Pairing required",
  error: "Not connected",
  not_configured: "Not configured",
};

/** The session page's address (survives a reload). */
export const sessionHref = (key: string): string => `/sessions/${encodeURIComponent(key)}`;

/** Token counts as one short line ("1,234 in · 56 out"), or null when the gateway sent none. */
export function tokenLine(t: { input: number | null; output: number | null; total: number | null }): string | null {
  const parts: string[] = [];
  if (t.input !== null) parts.push(`${t.input.toLocaleString("en")} in`);
  if (t.output !== null) parts.push(`${t.output.toLocaleString("en")} out`);
  if (!parts.length && t.total !== null) parts.push(`${t.total.toLocaleString("en")} tokens`);
  return parts.length ? parts.join(" · ") : null;
}
