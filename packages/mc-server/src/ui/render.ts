/**
 * The dashboard's HTML fragments. One factory, used twice: on the server for the first paint,
 * and shipped as source inside the page (`makeRenderers.toString()`) so live updates render
 * the same markup. It must therefore stay self-contained plain JavaScript: no imports, no
 * references outside its own body.
 */
export function makeRenderers() {
  const STATUSES = ["inbox", "assigned", "in_progress", "review", "done", "failed", "cancelled"];
  const STATUS_LABEL: Record<string, string> = {
    inbox: "Inbox",
    assigned: "Assigned",
    in_progress: "In progress",
    review: "Review",
    done: "Done",
    failed: "Failed",
    cancelled: "Cancelled",
  };
  const STATE_LABEL: Record<string, string> = {
    connected: "Connected",
    connecting: "Connecting…",
    pairing_required: "Pairing required",
    error: "Not connected",
    not_configured: "Not configured",
  };

  function esc(v: unknown): string {
    return String(v ?? "").replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
    );
  }

  function time(iso: unknown): string {
    if (!iso) return "";
    const d = new Date(String(iso));
    if (Number.isNaN(d.getTime())) return esc(iso);
    return `<time datetime="${esc(d.toISOString())}">${esc(d.toISOString().replace("T", " ").slice(0, 19))} UTC</time>`;
  }

  function badge(status: any): string {
    const state = status?.state ?? "connecting";
    return `<span class="badge badge-${esc(state)}" data-testid="gateway-state">${esc(STATE_LABEL[state] ?? state)}</span>`;
  }

  function gatewayPanel(s: any): string {
    const rows: string[] = [];
    const row = (k: string, v: string) => rows.push(`<dt>${esc(k)}</dt><dd>${v}</dd>`);
    row("State", badge(s));
    row("Gateway", s.gatewayUrl ? `<code>${esc(s.gatewayUrl)}</code>` : "—");
    if (s.serverVersion) row("Server", `${esc(s.serverVersion)} · protocol ${esc(s.protocol)}`);
    row(
      "Scopes",
      s.scopes?.length ? esc(s.scopes.join(", ")) : `requested: ${esc((s.requestedScopes || []).join(", "))}`,
    );
    row("Client", `<code>${esc(s.client?.id)}</code> / <code>${esc(s.client?.mode)}</code>`);
    if (s.deviceId) row("Device", `<code title="${esc(s.deviceId)}">${esc(String(s.deviceId).slice(0, 16))}…</code>`);
    row("Since", time(s.since));
    let problem = "";
    if (s.state !== "connected" && s.lastError) {
      problem += `<div class="problem" role="alert"><p class="problem-title"><strong>${esc(s.lastError.code)}</strong>${
        s.lastError.detailCode ? ` <span class="muted">(${esc(s.lastError.detailCode)})</span>` : ""
      }</p><p class="problem-message">${esc(s.lastError.message)}</p><p class="fix"><strong>Fix:</strong> ${esc(s.lastError.hint)}</p></div>`;
    }
    if (s.state === "pairing_required" && s.pairing) {
      problem += `<div class="pairing" data-testid="pairing"><h3>Waiting for approval</h3>
        <p>This server's device asked the gateway to be paired. Request id: <code data-testid="pairing-request-id">${esc(s.pairing.requestId)}</code>${
          s.pairing.remoteIp ? ` (seen from ${esc(s.pairing.remoteIp)})` : ""
        }</p>
        <p>Approve it on the gateway host:</p>
        <pre><code>${esc(s.pairing.approveCommand)}</code></pre>
        ${
          s.canApprovePairing
            ? `<button type="button" class="primary" data-action="approve" data-request-id="${esc(s.pairing.requestId)}" data-key="approve">Approve this device</button>`
            : `<p class="muted">To approve from here, add <code>operator.pairing</code> to <code>MC_GATEWAY_SCOPES</code>.</p>`
        }</div>`;
    }
    const actions =
      s.state === "connected"
        ? ""
        : `<div class="actions"><button type="button" data-action="diagnose" data-key="diagnose">Run diagnosis</button> <button type="button" data-action="reconnect" data-key="reconnect">Reconnect now</button></div>`;
    return `<dl class="facts">${rows.join("")}</dl>${problem}${actions}<div id="diagnosis" aria-live="polite"></div>`;
  }

  function diagnosis(report: any): string {
    if (!report) return "";
    const steps = (report.steps || [])
      .map(
        (st: any) =>
          `<li class="${st.ok ? "ok" : "bad"}"><span aria-hidden="true">${st.ok ? "✓" : "✗"}</span> <strong>${esc(st.step)}</strong> <span class="muted">${esc(st.ms)} ms</span> — ${esc(st.detail)}${
            st.warning ? `<br><span class="warn">⚠ ${esc(st.warning)}</span>` : ""
          }${st.hint && !st.ok ? `<br><span class="fix"><strong>Fix:</strong> ${esc(st.hint)}</span>` : ""}<span class="sr-only">${st.ok ? " passed" : " failed"}</span></li>`,
      )
      .join("");
    const skipped = report.skipped?.length
      ? `<p class="muted">Not checked after the failure: ${esc(report.skipped.join(", "))}</p>`
      : "";
    return `<h3>Diagnosis ${report.ok ? "— all layers OK" : `— failed at ${esc(report.failedStep ?? "")}`}</h3><ol class="steps">${steps}</ol>${skipped}`;
  }

  function agents(list: any[]): string {
    if (!list?.length)
      return `<p class="muted">No agents yet. They are read from the gateway when it connects (or press Sync).</p>`;
    return `<ul class="plain">${list
      .map(
        (a) =>
          `<li>${a.emoji ? `<span aria-hidden="true">${esc(a.emoji)}</span> ` : ""}<strong>${esc(a.name || a.id)}</strong> <code>${esc(a.id)}</code></li>`,
      )
      .join("")}</ul>`;
  }

  function sessions(data: any): string {
    const list = data?.sessions || [];
    const note =
      data && data.source === "cache"
        ? `<p class="muted">Last known list (gateway ${esc(data.gatewayState)}).</p>`
        : "";
    if (!list.length) return `${note}<p class="muted">No sessions.</p>`;
    return `${note}<ul class="plain sessions">${list
      .slice(0, 50)
      .map(
        (s: any) =>
          `<li><code>${esc(s.key)}</code>${s.displayName || s.label ? ` <span class="muted">${esc(s.displayName || s.label)}</span>` : ""}</li>`,
      )
      .join("")}</ul>`;
  }

  function agentOptions(list: any[], selected: unknown): string {
    return `<option value="">— none —</option>${(list || [])
      .map(
        (a) =>
          `<option value="${esc(a.id)}"${a.id === selected ? " selected" : ""}>${esc(a.name || a.id)} (${esc(a.id)})</option>`,
      )
      .join("")}`;
  }

  function card(t: any, agentList: any[], live: any): string {
    const canDispatch =
      t.assignedAgentId && (t.status === "assigned" || t.status === "review" || t.status === "failed");
    const id = esc(t.id);
    const liveText = live?.text
      ? `<p class="live" aria-live="polite"><span class="muted">Agent:</span> ${esc(live.text)}</p>`
      : "";
    return `<li class="card prio-${esc(t.priority)}" id="task-${id}" data-task-id="${id}" data-status="${esc(t.status)}">
      <h4 class="card-title">${esc(t.title)}</h4>
      ${t.description ? `<p class="desc">${esc(t.description).slice(0, 400)}</p>` : ""}
      <p class="meta"><span class="pill">${esc(t.priority)}</span> ${t.assignedAgentId ? `→ <code>${esc(t.assignedAgentId)}</code>` : `<span class="muted">unassigned</span>`}${
        t.attempt ? ` <span class="muted">· dispatch #${esc(t.attempt)}</span>` : ""
      }</p>
      ${liveText}
      <div class="card-actions">
        ${
          t.status === "inbox" || t.status === "assigned"
            ? `<label class="sr-only" for="assign-${id}">Agent for ${esc(t.title)}</label><select id="assign-${id}" data-action="assign" data-key="assign-${id}">${agentOptions(agentList, t.assignedAgentId)}</select>`
            : ""
        }
        ${t.status === "review" ? `<button type="button" class="primary" data-action="done" data-key="done-${id}" aria-label="Mark ${esc(t.title)} done">Done</button>` : ""}
        ${
          canDispatch
            ? t.status === "assigned"
              ? `<button type="button" class="primary" data-action="dispatch" data-key="dispatch-${id}" aria-label="Dispatch ${esc(t.title)}">Dispatch</button>`
              : `<button type="button" data-action="dispatch" data-key="dispatch-${id}" aria-label="Dispatch ${esc(t.title)} again">${t.status === "failed" ? "Retry" : "Send again"}</button>`
            : ""
        }
        <button type="button" data-action="events" data-key="events-${id}" aria-expanded="false" aria-controls="events-${id}">Events</button>
        <button type="button" class="danger" data-action="delete" data-key="delete-${id}" aria-label="Delete ${esc(t.title)}">Delete</button>
      </div>
      <div class="events" id="events-${id}" hidden></div>
    </li>`;
  }

  function board(tasks: any[], agentList: any[], live: any): string {
    const by: Record<string, any[]> = {};
    for (const s of STATUSES) by[s] = [];
    for (const t of tasks || []) (by[t.status] || (by[t.status] = [])).push(t);
    return STATUSES.map((s) => {
      const items = by[s] || [];
      return `<section class="column" aria-labelledby="col-${s}" data-column="${s}">
        <h3 id="col-${s}">${esc(STATUS_LABEL[s])} <span class="count">${items.length}</span></h3>
        <ul class="cards" aria-label="${esc(STATUS_LABEL[s])} tasks">${items.map((t) => card(t, agentList, live?.[t.id])).join("")}</ul>
      </section>`;
    }).join("");
  }

  function events(list: any[], outbox: any[]): string {
    const ev = (list || [])
      .map((e: any) => {
        const p = e.payload || {};
        const detail = p.text
          ? `: ${esc(String(p.text).slice(0, 500))}`
          : p.error
            ? `: ${esc(p.error)}`
            : p.to
              ? ` → ${esc(p.to)}`
              : "";
        return `<li>${time(e.createdAt)} <strong>${esc(e.type)}</strong> <span class="muted">${esc(e.actor)}</span>${detail}</li>`;
      })
      .join("");
    const ob = (outbox || [])
      .map(
        (o: any) =>
          `<li><code>${esc(o.idempotencyKey)}</code> ${esc(o.state)} · ${esc(o.attempts)} attempt(s)${o.lastError ? ` · <span class="warn">${esc(o.lastError)}</span>` : ""}</li>`,
      )
      .join("");
    return `<ol class="event-list">${ev || "<li class='muted'>No events.</li>"}</ol>${ob ? `<p class="muted">Deliveries</p><ul class="plain">${ob}</ul>` : ""}`;
  }

  return {
    esc,
    time,
    badge,
    gatewayPanel,
    diagnosis,
    agents,
    sessions,
    agentOptions,
    card,
    board,
    events,
    STATUSES,
    STATE_LABEL,
  };
}
