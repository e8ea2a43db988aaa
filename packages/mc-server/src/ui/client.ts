/**
 * The page's behaviour, as source text (no front-end build). Renderers come from
 * makeRenderers (shared with the server); this script fetches, listens to /api/events and
 * re-renders the part that changed, keeping keyboard focus where it was.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("initial-state").textContent);
  state.live = {};
  var openEvents = {};

  function $(id) { return document.getElementById(id); }
  function toast(msg, isError) {
    var t = $("toast");
    t.textContent = msg; t.hidden = false; t.className = isError ? "error" : "";
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, isError ? 8000 : 3000);
  }
  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { accept: "application/json" } };
    if (body !== undefined) { opts.headers["content-type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (res) {
      if (res.status === 204) return null;
      return res.json().then(function (data) {
        if (res.status === 401) { location.reload(); }
        if (!res.ok && !(path === "/api/openclaw/status")) {
          var e = (data && data.error) || {};
          var err = new Error((e.message || res.statusText) + (e.hint ? " — " + e.hint : ""));
          err.data = data; throw err;
        }
        return data;
      });
    });
  }
  // Re-render a region; put focus back on the control that had it (matched by data-key).
  function patch(el, html) {
    var active = document.activeElement;
    var key = active && el.contains(active) && active.getAttribute("data-key");
    el.innerHTML = html;
    if (key) { var again = el.querySelector('[data-key="' + key + '"]'); if (again) again.focus(); }
  }
  function renderGateway() {
    patch($("gateway-body"), R.gatewayPanel(state.status));
    $("top-badge").innerHTML = R.badge(state.status);
    if (state.diagnosis) $("diagnosis").innerHTML = R.diagnosis(state.diagnosis);
  }
  function renderAgents() {
    patch($("agents-body"), R.agents(state.agents));
    var sel = $("new-agent"); var v = sel.value; sel.innerHTML = R.agentOptions(state.agents, v);
  }
  function renderSessions() { patch($("sessions-body"), R.sessions(state.sessions)); }
  function renderBoard() {
    patch($("board"), R.board(state.tasks, state.agents, state.live));
    Object.keys(openEvents).forEach(function (id) { loadEvents(id); });
  }
  function upsertTask(t) {
    var i = state.tasks.findIndex(function (x) { return x.id === t.id; });
    if (i === -1) state.tasks.unshift(t); else state.tasks[i] = t;
  }
  function loadEvents(id) {
    var box = $("events-" + id); if (!box) return;
    var btn = box.parentNode.querySelector('[data-action="events"]');
    box.hidden = false; if (btn) btn.setAttribute("aria-expanded", "true");
    api("GET", "/api/tasks/" + encodeURIComponent(id) + "/events").then(function (d) {
      var b = $("events-" + id); if (b) b.innerHTML = R.events(d.events, d.outbox);
    }).catch(function () {});
  }
  function refreshAgents() { return api("GET", "/api/agents").then(function (d) { state.agents = d.agents; renderAgents(); renderBoard(); }); }
  function refreshSessions() { return api("GET", "/api/openclaw/sessions").then(function (d) { state.sessions = d; renderSessions(); }).catch(function () {}); }
  function refreshTasks() { return api("GET", "/api/tasks?limit=500").then(function (d) { state.tasks = d.tasks; renderBoard(); }); }

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-action]");
    if (!el || el.tagName === "SELECT") return;
    var action = el.getAttribute("data-action");
    var card = el.closest("[data-task-id]");
    var id = card && card.getAttribute("data-task-id");
    var done = function () { el.disabled = false; };
    if (action === "dispatch") {
      el.disabled = true;
      api("POST", "/api/tasks/" + encodeURIComponent(id) + "/dispatch", {}).then(function (d) {
        upsertTask(d.task); renderBoard(); toast("Dispatched: " + d.delivery);
      }).catch(function (e) { toast(e.message, true); }).then(done);
    } else if (action === "done") {
      api("PATCH", "/api/tasks/" + encodeURIComponent(id), { status: "done" }).then(function (d) { upsertTask(d.task); renderBoard(); })
        .catch(function (e) { toast(e.message, true); });
    } else if (action === "delete") {
      if (!confirm("Delete this task?")) return;
      api("DELETE", "/api/tasks/" + encodeURIComponent(id)).then(function () {
        state.tasks = state.tasks.filter(function (t) { return t.id !== id; }); renderBoard();
      }).catch(function (e) { toast(e.message, true); });
    } else if (action === "events") {
      var box = $("events-" + id);
      if (openEvents[id]) { delete openEvents[id]; box.hidden = true; el.setAttribute("aria-expanded", "false"); }
      else { openEvents[id] = true; loadEvents(id); }
    } else if (action === "approve") {
      el.disabled = true;
      api("POST", "/api/openclaw/pairing/" + encodeURIComponent(el.getAttribute("data-request-id")) + "/approve", {})
        .then(function () { toast("Approved: connecting…"); }).catch(function (e) { toast(e.message, true); }).then(done);
    } else if (action === "diagnose") {
      el.disabled = true; $("diagnosis").textContent = "Running diagnosis…";
      api("GET", "/api/openclaw/diagnose").then(function (d) { state.diagnosis = d; $("diagnosis").innerHTML = R.diagnosis(d); })
        .catch(function (e) { $("diagnosis").textContent = e.message; }).then(done);
    } else if (action === "reconnect") {
      api("POST", "/api/openclaw/reconnect", {}).catch(function (e) { toast(e.message, true); });
    } else if (action === "sync-agents") {
      el.disabled = true;
      api("POST", "/api/agents/sync", {}).then(function (d) { state.agents = d.agents; renderAgents(); renderBoard(); toast(d.synced + " agent(s) synced"); })
        .catch(function (e) { toast(e.message, true); }).then(done);
    } else if (action === "refresh-sessions") {
      refreshSessions();
    } else if (action === "logout") {
      api("DELETE", "/api/session").then(function () { location.reload(); });
    }
  });
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.getAttribute("data-action") !== "assign") return;
    var id = el.closest("[data-task-id]").getAttribute("data-task-id");
    api("PATCH", "/api/tasks/" + encodeURIComponent(id), { assignedAgentId: el.value || null })
      .then(function (d) { upsertTask(d.task); renderBoard(); var again = document.querySelector('[data-key="dispatch-' + id + '"]') || document.querySelector('[data-key="assign-' + id + '"]'); if (again) again.focus(); })
      .catch(function (e) { toast(e.message, true); renderBoard(); });
  });
  $("create-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target; var body = { title: f.title.value, priority: f.priority.value };
    if (f.description.value.trim()) body.description = f.description.value;
    if (f.agent.value) body.assignedAgentId = f.agent.value;
    var btn = f.querySelector("button[type=submit]"); btn.disabled = true;
    api("POST", "/api/tasks", body).then(function (d) {
      upsertTask(d.task); renderBoard(); f.title.value = ""; f.description.value = ""; f.title.focus(); toast("Task created");
    }).catch(function (e) { toast(e.message, true); }).then(function () { btn.disabled = false; });
  });

  var es;
  function connect() {
    es = new EventSource("/api/events");
    es.addEventListener("hello", function (e) {
      state.status = JSON.parse(e.data).gateway; renderGateway(); $("stream-state").textContent = "live";
      if (state.status.state === "connected") refreshSessions();
    });
    es.addEventListener("gateway", function (e) {
      state.status = JSON.parse(e.data); renderGateway();
      if (state.status.state === "connected") { refreshSessions(); }
    });
    es.addEventListener("task", function (e) { upsertTask(JSON.parse(e.data)); renderBoard(); });
    es.addEventListener("task.deleted", function (e) { var id = JSON.parse(e.data).id; state.tasks = state.tasks.filter(function (t) { return t.id !== id; }); renderBoard(); });
    es.addEventListener("task.event", function (e) { var ev = JSON.parse(e.data); if (openEvents[ev.taskId]) loadEvents(ev.taskId); });
    es.addEventListener("agents", function () { refreshAgents(); });
    es.addEventListener("sessions", function () { refreshSessions(); });
    es.addEventListener("run", function (e) {
      var r = JSON.parse(e.data); state.live[r.taskId] = r;
      var card = $("task-" + r.taskId); if (!card) return;
      var t = state.tasks.find(function (x) { return x.id === r.taskId; }); if (!t) return;
      var tmp = document.createElement("ul"); tmp.innerHTML = R.card(t, state.agents, r);
      var active = document.activeElement; var key = active && card.contains(active) && active.getAttribute("data-key");
      var wasOpen = openEvents[r.taskId];
      card.replaceWith(tmp.firstElementChild);
      if (wasOpen) loadEvents(r.taskId);
      if (key) { var again = document.querySelector('[data-key="' + key + '"]'); if (again) again.focus(); }
    });
    es.onerror = function () { $("stream-state").textContent = "reconnecting…"; };
    es.onopen = function () { $("stream-state").textContent = "live"; };
  }
  connect();
  // After a long disconnect of the stream, resync everything once it is back.
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refreshTasks(); } });
})();
`;
