import { CLIENT_SCRIPT } from "./client.js";
import { makeRenderers } from "./render.js";
import { STYLES } from "./styles.js";

const R = makeRenderers();
const RENDERERS_SOURCE = `var R = (${makeRenderers.toString()})();`;

/** JSON inside <script type="application/json">: only "<" can end the element early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export interface PageData {
  status: any;
  agents: any[];
  tasks: any[];
  sessions: any;
  version: string;
  authRequired: boolean;
}

function shell(title: string, nonce: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${R.esc(title)}</title>
<style nonce="${nonce}">${STYLES}</style>
</head>
<body>
${body}
</body>
</html>`;
}

export function renderPage(data: PageData, nonce: string): string {
  const s = data.status;
  const body = `<a class="skip" href="#tasks-heading">Skip to the task board</a>
<header class="top">
  <h1>Mission Control</h1>
  <span id="top-badge" aria-live="polite">${R.badge(s)}</span>
  <span class="spacer"></span>
  <span class="muted">stream: <span id="stream-state">connecting…</span></span>
  ${data.authRequired ? `<button type="button" data-action="logout">Log out</button>` : ""}
</header>
<main>
  <div>
    <section class="panel" aria-labelledby="gateway-heading">
      <h2 id="gateway-heading">Gateway</h2>
      <div id="gateway-body">${R.gatewayPanel(s)}</div>
    </section>
    <section class="panel" aria-labelledby="agents-heading">
      <h2 id="agents-heading">Agents <span class="spacer"></span><button type="button" data-action="sync-agents" data-key="sync-agents">Sync</button></h2>
      <div id="agents-body">${R.agents(data.agents)}</div>
    </section>
    <section class="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions <span class="spacer"></span><button type="button" data-action="refresh-sessions">Refresh</button></h2>
      <div id="sessions-body">${R.sessions(data.sessions)}</div>
    </section>
  </div>
  <section class="panel" aria-labelledby="tasks-heading">
    <h2 id="tasks-heading">Tasks</h2>
    <form id="create-form" class="create" aria-label="Create a task">
      <div class="field"><label for="new-title">Title</label><input id="new-title" name="title" required maxlength="200" autocomplete="off" placeholder="What should the agent do?"></div>
      <div class="field"><label for="new-priority">Priority</label><select id="new-priority" name="priority"><option value="low">low</option><option value="normal" selected>normal</option><option value="high">high</option><option value="urgent">urgent</option></select></div>
      <div class="field"><label for="new-agent">Agent</label><select name="agent" id="new-agent">${R.agentOptions(data.agents, data.agents.length === 1 ? data.agents[0].id : "")}</select></div>
      <button type="submit" class="primary">Create task</button>
      <div class="field wide"><label for="new-description">Description</label><textarea id="new-description" name="description" rows="2" maxlength="20000" placeholder="Details, acceptance criteria (optional)"></textarea></div>
    </form>
    <div id="board" class="board">${R.board(data.tasks, data.agents, {})}</div>
  </section>
</main>
<div id="toast" role="status" aria-live="polite" hidden></div>
<noscript><p class="panel">The board updates live with JavaScript; without it, reload the page to see changes.</p></noscript>
<script type="application/json" id="initial-state">${jsonForScript({ status: s, agents: data.agents, tasks: data.tasks, sessions: data.sessions })}</script>
<script nonce="${nonce}">${RENDERERS_SOURCE}
${CLIENT_SCRIPT}</script>`;
  return shell("Mission Control", nonce, body);
}

export function renderLogin(nonce: string, error?: string): string {
  const body = `<main class="login"><section class="panel" aria-labelledby="login-heading">
  <h1 id="login-heading">Mission Control</h1>
  <p>This server requires its API token (<code>MC_API_TOKEN</code>).</p>
  <form id="login-form">
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <button type="submit" class="primary">Log in</button>
    <p id="login-error" role="alert" class="warn">${error ? R.esc(error) : ""}</p>
  </form></section></main>
<script nonce="${nonce}">
document.getElementById("login-form").addEventListener("submit", function (ev) {
  ev.preventDefault();
  fetch("/api/session", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ev.target.token.value }) })
    .then(function (res) { return res.json().then(function (d) { if (res.ok) location.reload(); else document.getElementById("login-error").textContent = (d.error && d.error.message) || "Login failed"; }); });
});
</script>`;
  return shell("Mission Control — log in", nonce, body);
}
