import type { ApprovalView } from "../view-model.js";

const DECISION_LABEL: Record<string, string> = {
  "allow-once": "Approve once",
  "allow-always": "Always allow",
  deny: "Deny",
};

export interface ApprovalListProps {
  approvals: ApprovalView[];
  canResolve: boolean;
  /** Why this server cannot answer, and how to grant the scope (shown when canResolve is false). */
  hint: string | null;
}

/** Approvals a run waits for: what is asked, and Approve / Deny when this server may answer. */
export function ApprovalList({ approvals, canResolve, hint }: ApprovalListProps) {
  if (!approvals.length) return null;
  return (
    <ul class="plain approvals" aria-label="Waiting for approval">
      {approvals.map((a) => {
        const ask = Object.entries(a.ask).filter(([, v]) => v);
        return (
          <li class="approval" id={`approval-${a.id}`} data-approval-id={a.id} data-kind={a.kind}>
            <p>
              <strong>{a.kind === "exec" ? "Run a command?" : "Plugin asks:"}</strong> <code>{a.summary}</code>
            </p>
            {ask.length ? (
              <dl class="facts">
                {ask.map(([k, v]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>
                      <code>{v}</code>
                    </dd>
                  </>
                ))}
              </dl>
            ) : null}
            {canResolve && a.details ? (
              <div class="card-actions">
                {a.allowedDecisions.map((d) => (
                  <button
                    type="button"
                    class={d === "deny" ? "danger" : d === "allow-once" ? "primary" : ""}
                    data-action="resolve-approval"
                    data-approval-id={a.id}
                    data-approval-kind={a.kind}
                    data-decision={d}
                    data-key={`approval-${a.id}-${d}`}
                  >
                    {DECISION_LABEL[d] ?? d}
                  </button>
                ))}
              </div>
            ) : (
              <p class="muted" data-testid="approval-hint">
                {a.details ? hint : "Answered elsewhere (the Control UI); details need operator.approvals."}{" "}
                {a.details ? null : hint}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
