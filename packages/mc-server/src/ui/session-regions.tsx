import type { Child } from "hono/jsx";
import { ComposerStatus, SessionApprovals, SessionHeader, Transcript } from "./components/session-view.js";
import type { SessionPageState } from "./view-model.js";

/** The session page's live regions (as regions.tsx for the dashboard): element id → component. */
export const SESSION_REGIONS = {
  header: { id: "session-header", view: (s: SessionPageState): Child => <SessionHeader state={s} /> },
  approvals: { id: "session-approvals", view: (s: SessionPageState): Child => <SessionApprovals state={s} /> },
  transcript: { id: "transcript", view: (s: SessionPageState): Child => <Transcript state={s} /> },
  composerStatus: { id: "composer-status", view: (s: SessionPageState): Child => <ComposerStatus state={s} /> },
};

export type SessionRegionName = keyof typeof SESSION_REGIONS;

export function SessionFill({ region, state }: { region: SessionRegionName; state: SessionPageState }) {
  return <>{SESSION_REGIONS[region].view(state)}</>;
}
