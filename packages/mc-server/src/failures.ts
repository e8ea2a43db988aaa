import { isGatewayInterruption } from "@missionctl/gateway-client";

/** What kind of failure a run or a delivery ended with; the dashboard picks its wording and actions from it. */
export type FailureKind =
  | "no_model"
  | "provider_auth"
  | "provider_rejected"
  | "provider_unavailable"
  | "approval_denied"
  | "approval_unavailable"
  | "approval_timeout"
  | "aborted"
  | "gateway_restarted"
  | "timeout"
  | "unknown";

/** A failure a person can act on: the gateway's reason, and the fix in one line. */
export interface Failure {
  kind: FailureKind;
  /** The gateway's own words, without its decoration ("⚠️ Agent failed before reply: …", "To view logs…"). */
  reason: string;
  fix: string;
}

export interface FailureContext {
  /** mc-server runs the gateway itself (MC_LOCAL_GATEWAY): the fix can name its settings. */
  localGateway?: boolean;
  /** The connection holds operator.approvals (it can answer approvals). */
  canApprove?: boolean;
  /** Who stopped the run, when it was aborted and we know. */
  abortedBy?: string | null;
}

/** The gateway's reason without the wrapper it adds for chat channels. */
export function cleanReason(message: string): string {
  return message
    .replace(/^\s*⚠️\s*/u, "")
    .replace(/^Agent failed before reply:\s*/i, "")
    .replace(/^dispatch refused by the gateway:\s*/i, "")
    .replace(/\n+To view logs, run .*$/is, "")
    .trim();
}

const NO_MODEL = new RegExp(
  [
    "no route-compatible authentication source",
    "no api key (found|configured)",
    "missing api key",
    "no model (is )?configured",
    "model is not configured",
    "no (model )?provider (is )?configured",
    "unknown model",
    "api key.*(not set|missing)",
  ].join("|"),
  "i",
);
const PROVIDER_AUTH =
  /\b(401|403)\b|invalid (x-)?api[ -]key|incorrect api key|authentication (failed|error)|unauthorized/i;
const PROVIDER_REJECTED = /rejected the request|request format rejected|HTTP 400|invalid_request_error|bad request/i;
const PROVIDER_DOWN =
  /HTTP 5\d\d|temporarily unavailable|overloaded|rate[ -]limit|\b429\b|provider internal error|fetch failed|ECONNREFUSED/i;
const APPROVAL_DENIED = /user-denied|approval (was )?denied|denied by (the )?(operator|user)/i;
const APPROVAL_UNAVAILABLE = /cannot wait for interactive exec approval|no-approval-route|approval unavailable/i;
const APPROVAL_TIMEOUT = /approval-timeout|approval timed out/i;
const TIMEOUT = /timed out|timeout/i;

function localModelFix(): string {
  return (
    "give the local gateway a model: set OPENAI_API_KEY or ANTHROPIC_API_KEY (or MC_MODEL_BASE_URL and MC_MODEL for a local " +
    "OpenAI-compatible server such as Ollama) and start again with npm start, or use “Give the agent a model” on the dashboard"
  );
}

function remoteModelFix(provider: string | undefined): string {
  const which = provider ? ` for ${provider}` : "";
  return (
    `the gateway has no working model${which}: on the gateway host run \`openclaw onboard\`, or set ` +
    "agents.defaults.model.primary and the provider's API key (e.g. OPENAI_API_KEY) in the gateway's environment, " +
    "then dispatch again"
  );
}

/**
 * Turns a run's or a delivery's error into the reason and the one-line fix the dashboard shows.
 * `message` is what the gateway said (chat `errorMessage`, a session's `lastRunError`, a dispatch error).
 */
export function explainFailure(message: string | null | undefined, ctx: FailureContext = {}): Failure {
  const reason = cleanReason(message ?? "") || "the run failed without a message";
  if (ctx.abortedBy !== undefined || /^aborted\b/i.test(reason)) {
    const by = ctx.abortedBy ?? null;
    return {
      kind: "aborted",
      reason: by ? `aborted by ${by}` : reason,
      fix: "the run was stopped before it finished; send the message again (or dispatch the task again) to retry",
    };
  }
  if (NO_MODEL.test(reason)) {
    const provider = /configured for ([\w.-]+)/i.exec(reason)?.[1];
    return { kind: "no_model", reason, fix: ctx.localGateway ? localModelFix() : remoteModelFix(provider) };
  }
  if (APPROVAL_UNAVAILABLE.test(reason)) {
    return {
      kind: "approval_unavailable",
      reason,
      fix: ctx.canApprove
        ? "the command needed an approval and nobody could answer it in time; dispatch again and answer the approval on the dashboard"
        : "the command needed an approval and no one could answer it: add operator.approvals to MC_GATEWAY_SCOPES so Mission " +
          "Control can answer approvals (approve the device's scope upgrade on the gateway), or allow the command in the " +
          "gateway's exec policy",
    };
  }
  if (APPROVAL_DENIED.test(reason)) {
    return {
      kind: "approval_denied",
      reason,
      fix: "an operator denied the command; dispatch again and approve it, or change the task so it does not need that command",
    };
  }
  if (APPROVAL_TIMEOUT.test(reason)) {
    return {
      kind: "approval_timeout",
      reason,
      fix: "the approval expired before anyone answered; dispatch again and answer it on the dashboard",
    };
  }
  if (isGatewayInterruption(reason)) {
    return {
      kind: "gateway_restarted",
      reason,
      fix: "the gateway restarted during the run; Mission Control delivers a dispatch again by itself — otherwise send it again",
    };
  }
  if (PROVIDER_AUTH.test(reason)) {
    return {
      kind: "provider_auth",
      reason,
      fix: "the model provider refused the credentials: check the API key the gateway uses for this provider",
    };
  }
  if (PROVIDER_REJECTED.test(reason)) {
    return {
      kind: "provider_rejected",
      reason,
      fix:
        "the model provider refused the request: check the model id and the provider's settings (an OpenAI-compatible server " +
        "must support tool calls)",
    };
  }
  if (PROVIDER_DOWN.test(reason)) {
    return {
      kind: "provider_unavailable",
      reason,
      fix: "the model provider was unreachable or overloaded; check it is up, then dispatch again",
    };
  }
  if (TIMEOUT.test(reason)) {
    return {
      kind: "timeout",
      reason,
      fix: "the run took too long; dispatch again, or give the task less to do at once",
    };
  }
  return {
    kind: "unknown",
    reason,
    fix:
      "open the session to read the transcript and the gateway's logs (`openclaw logs --follow` on the gateway host), then " +
      "dispatch again",
  };
}
