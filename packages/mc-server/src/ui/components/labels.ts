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
