import type { Child } from "hono/jsx";
import { Fill } from "./regions.js";
import { jsonForScript, toHtml } from "./render.js";
import { SessionFill } from "./session-regions.js";
import { STYLES } from "./styles.js";
import type { DashboardState, SessionPageState } from "./view-model.js";

export type InitialState = Pick<DashboardState, "status" | "agents" | "tasks" | "sessions" | "approvals" | "model">;

export interface PageData {
  state: InitialState;
  version: string;
  authRequired: boolean;
}

/** The browser bundle (the page's only script): its URL carries the content hash, so it can be cached for good. */
export interface ScriptRef {
  src: string;
}

function Document({
  title,
  nonce,
  script,
  children,
}: {
  title: string;
  nonce: string;
  script: ScriptRef;
  children: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{title}</title>
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLES }} />
        <script src={script.src} defer></script>
      </head>
      <body>{children}</body>
    </html>
  );
}

function Dashboard({ data }: { data: PageData }) {
  const state: DashboardState = { ...data.state, live: {}, openEvents: {} };
  return (
    <>
      <a class="skip" href="#tasks-heading">
        Skip to the task board
      </a>
      <header class="top">
        <h1>Mission Control</h1>
        <span id="top-badge" aria-live="polite">
          <Fill region="badge" state={state} />
        </span>
        <span class="spacer"></span>
        <span class="muted">
          stream: <span id="stream-state">connecting…</span>
        </span>
        {data.authRequired ? (
          <button type="button" data-action="logout">
            Log out
          </button>
        ) : null}
      </header>
      <main>
        <div>
          <section class="panel" aria-labelledby="gateway-heading">
            <h2 id="gateway-heading">Gateway</h2>
            <div id="gateway-body">
              <Fill region="gateway" state={state} />
            </div>
            <div id="model-body">
              <Fill region="model" state={state} />
            </div>
          </section>
          <section class="panel" aria-labelledby="agents-heading">
            <h2 id="agents-heading">
              Agents <span class="spacer"></span>
              <button type="button" data-action="sync-agents" data-key="sync-agents">
                Sync
              </button>
            </h2>
            <div id="agents-body">
              <Fill region="agents" state={state} />
            </div>
          </section>
          <section class="panel" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">
              Sessions <span class="spacer"></span>
              <button type="button" data-action="refresh-sessions">
                Refresh
              </button>
            </h2>
            <div id="sessions-body">
              <Fill region="sessions" state={state} />
            </div>
          </section>
        </div>
        <section class="panel" aria-labelledby="tasks-heading">
          <h2 id="tasks-heading">Tasks</h2>
          <form id="create-form" class="create" aria-label="Create a task">
            <div class="field">
              <label for="new-title">Title</label>
              <input
                id="new-title"
                name="title"
                required
                maxlength={200}
                autocomplete="off"
                placeholder="What should the agent do?"
              />
            </div>
            <div class="field">
              <label for="new-priority">Priority</label>
              <select id="new-priority" name="priority">
                <option value="low">low</option>
                <option value="normal" selected>
                  normal
                </option>
                <option value="high">high</option>
                <option value="urgent">urgent</option>
              </select>
            </div>
            <div class="field">
              <label for="new-agent">Agent</label>
              <select name="agent" id="new-agent">
                <Fill region="agentPicker" state={state} />
              </select>
            </div>
            <button type="submit" class="primary">
              Create task
            </button>
            <div class="field wide">
              <label for="new-description">Description</label>
              <textarea
                id="new-description"
                name="description"
                rows={2}
                maxlength={20000}
                placeholder="Details, acceptance criteria (optional)"
              ></textarea>
            </div>
          </form>
          <div id="board" class="board">
            <Fill region="board" state={state} />
          </div>
        </section>
      </main>
      <div id="toast" role="status" aria-live="polite" hidden></div>
      <noscript>
        <p class="panel">The board updates live with JavaScript; without it, reload the page to see changes.</p>
      </noscript>
      <script
        type="application/json"
        id="initial-state"
        dangerouslySetInnerHTML={{ __html: jsonForScript(data.state) }}
      />
    </>
  );
}

function TopBar({ authRequired, children }: { authRequired: boolean; children?: Child }) {
  return (
    <header class="top">
      <h1>
        <a href="/" class="home">
          Mission Control
        </a>
      </h1>
      {children}
      <span class="spacer"></span>
      <span class="muted">
        stream: <span id="stream-state">connecting…</span>
      </span>
      {authRequired ? (
        <button type="button" data-action="logout">
          Log out
        </button>
      ) : null}
    </header>
  );
}

/** One session: its facts and Stop, its approvals, the live transcript and the composer. */
function SessionPage({ state, authRequired }: { state: SessionPageState; authRequired: boolean }) {
  return (
    <>
      <a class="skip" href="#composer-message">
        Skip to the composer
      </a>
      <TopBar authRequired={authRequired}>
        <a href="/">← Dashboard</a>
      </TopBar>
      <main class="session-page" id="session-page" data-session-key={state.key}>
        <section class="panel" aria-labelledby="session-title">
          <div id="session-header">
            <SessionFill region="header" state={state} />
          </div>
          <div id="session-approvals" aria-live="polite">
            <SessionFill region="approvals" state={state} />
          </div>
        </section>
        <section class="panel" aria-label="Transcript">
          <h2>Transcript</h2>
          <div id="transcript">
            <SessionFill region="transcript" state={state} />
          </div>
          <form id="composer" class="composer" aria-label="Send a message to this session">
            <label for="composer-message">Message</label>
            <textarea
              id="composer-message"
              name="message"
              rows={3}
              maxlength={100000}
              required
              placeholder="Write to the agent"
              aria-describedby="composer-keys"
              aria-keyshortcuts="Enter"
            ></textarea>
            <p id="composer-keys" class="muted small">
              Enter sends · Shift+Enter starts a new line
            </p>
            <div class="card-actions">
              <button type="submit" class="primary" id="composer-send">
                Send
              </button>
              <span id="composer-status" role="status" aria-live="polite">
                <SessionFill region="composerStatus" state={state} />
              </span>
            </div>
          </form>
        </section>
      </main>
      <div id="toast" role="status" aria-live="polite" hidden></div>
      <script type="application/json" id="initial-session" dangerouslySetInnerHTML={{ __html: jsonForScript(state) }} />
    </>
  );
}

function Login({ error }: { error?: string }) {
  return (
    <main class="login">
      <section class="panel" aria-labelledby="login-heading">
        <h1 id="login-heading">Mission Control</h1>
        <p>
          This server requires its API token (<code>MC_API_TOKEN</code>).
        </p>
        <form id="login-form">
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
          <button type="submit" class="primary">
            Log in
          </button>
          <p id="login-error" role="alert" class="warn">
            {error ?? ""}
          </p>
        </form>
      </section>
    </main>
  );
}

const page = (node: Child) => `<!doctype html>\n${toHtml(node)}`;

export function renderPage(data: PageData, nonce: string, script: ScriptRef): string {
  return page(
    <Document title="Mission Control" nonce={nonce} script={script}>
      <Dashboard data={data} />
    </Document>,
  );
}

export function renderSessionPage(
  state: SessionPageState,
  authRequired: boolean,
  nonce: string,
  script: ScriptRef,
): string {
  return page(
    <Document title={`${state.detail.session?.title || state.key} — Mission Control`} nonce={nonce} script={script}>
      <SessionPage state={state} authRequired={authRequired} />
    </Document>,
  );
}

export function renderLogin(nonce: string, script: ScriptRef, error?: string): string {
  return page(
    <Document title="Mission Control — log in" nonce={nonce} script={script}>
      <Login error={error} />
    </Document>,
  );
}
