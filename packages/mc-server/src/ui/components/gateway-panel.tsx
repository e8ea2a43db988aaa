import type { DiagnosisView, GatewayStatus } from "../view-model.js";
import { STATE_LABEL } from "./labels.js";
import { Time } from "./time.js";

export function Badge({ status }: { status: GatewayStatus }) {
  const state = status.state;
  return (
    <span class={`badge badge-${state}`} data-testid="gateway-state">
      {STATE_LABEL[state] ?? state}
    </span>
  );
}

function Problem({ status }: { status: GatewayStatus }) {
  const e = status.lastError;
  if (status.state === "connected" || !e) return null;
  return (
    <div class="problem" role="alert">
      <p class="problem-title">
        <strong>{e.code}</strong>
        {e.detailCode ? <span class="muted"> ({e.detailCode})</span> : null}
      </p>
      <p class="problem-message">{e.message}</p>
      <p class="fix">
        <strong>Fix:</strong> {e.hint}
      </p>
    </div>
  );
}

function Pairing({ status }: { status: GatewayStatus }) {
  const p = status.pairing;
  if (status.state !== "pairing_required" || !p) return null;
  return (
    <div class="pairing" data-testid="pairing">
      <h3>Waiting for approval</h3>
      <p>
        This server's device asked the gateway to be paired. Request id:{" "}
        <code data-testid="pairing-request-id">{p.requestId}</code>
        {p.remoteIp ? ` (seen from ${p.remoteIp})` : null}
      </p>
      <p>Approve it on the gateway host:</p>
      <pre>
        <code>{p.approveCommand}</code>
      </pre>
      {status.canApprovePairing ? (
        <button type="button" class="primary" data-action="approve" data-request-id={p.requestId} data-key="approve">
          Approve this device
        </button>
      ) : (
        <p class="muted">
          To approve from here, add <code>operator.pairing</code> to <code>MC_GATEWAY_SCOPES</code>.
        </p>
      )}
    </div>
  );
}

/** The gateway panel: where the connection stands, why it is down, and what fixes it. */
export function GatewayPanel({
  status: s,
  diagnosis,
}: {
  status: GatewayStatus;
  diagnosis?: DiagnosisView | string | undefined;
}) {
  return (
    <>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <Badge status={s} />
        </dd>
        <dt>Gateway</dt>
        <dd>{s.gatewayUrl ? <code>{s.gatewayUrl}</code> : "—"}</dd>
        {s.serverVersion ? (
          <>
            <dt>Server</dt>
            <dd>
              {s.serverVersion} · protocol {s.protocol}
            </dd>
          </>
        ) : null}
        <dt>Scopes</dt>
        <dd>{s.scopes.length ? s.scopes.join(", ") : `requested: ${s.requestedScopes.join(", ")}`}</dd>
        <dt>Client</dt>
        <dd>
          <code>{s.client.id}</code> / <code>{s.client.mode}</code>
        </dd>
        {s.deviceId ? (
          <>
            <dt>Device</dt>
            <dd>
              <code title={s.deviceId}>{s.deviceId.slice(0, 16)}…</code>
            </dd>
          </>
        ) : null}
        <dt>Since</dt>
        <dd>
          <Time iso={s.since} />
        </dd>
      </dl>
      <Problem status={s} />
      <Pairing status={s} />
      {s.state === "connected" ? null : (
        <div class="actions">
          <button type="button" data-action="diagnose" data-key="diagnose">
            Run diagnosis
          </button>{" "}
          <button type="button" data-action="reconnect" data-key="reconnect">
            Reconnect now
          </button>
        </div>
      )}
      <div id="diagnosis" aria-live="polite">
        {typeof diagnosis === "string" ? diagnosis : diagnosis ? <Diagnosis report={diagnosis} /> : null}
      </div>
    </>
  );
}

/** The doctor's report, one line per layer. */
export function Diagnosis({ report }: { report: DiagnosisView }) {
  return (
    <>
      <h3>Diagnosis {report.ok ? "— all layers OK" : `— failed at ${report.failedStep ?? ""}`}</h3>
      <ol class="steps">
        {report.steps.map((st) => (
          <li class={st.ok ? "ok" : "bad"}>
            <span aria-hidden="true">{st.ok ? "✓" : "✗"}</span> <strong>{st.step}</strong>{" "}
            <span class="muted">{st.ms} ms</span> — {st.detail}
            {st.warning ? (
              <>
                <br />
                <span class="warn">⚠ {st.warning}</span>
              </>
            ) : null}
            {st.hint && !st.ok ? (
              <>
                <br />
                <span class="fix">
                  <strong>Fix:</strong> {st.hint}
                </span>
              </>
            ) : null}
            <span class="sr-only">{st.ok ? " passed" : " failed"}</span>
          </li>
        ))}
      </ol>
      {report.skipped?.length ? <p class="muted">Not checked after the failure: {report.skipped.join(", ")}</p> : null}
    </>
  );
}
