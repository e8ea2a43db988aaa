// The baseline of bench/session-page.bench.mjs: a plain node:http server holding one gateway
// connection (gateway-client, built) that does the session page's two jobs with nothing else —
// the transcript as chat.history returns it, and the session's chat events relayed as SSE.
// Usage: node bench/session-baseline.mjs <port> <gatewayUrl> (token in OPENCLAW_GATEWAY_TOKEN)
import http from "node:http";
import { chatHistory, GatewayClient, sessionsSubscribe } from "../packages/gateway-client/dist/index.js";

const [port, url] = process.argv.slice(2);
const client = new GatewayClient({
  url,
  token: process.env.OPENCLAW_GATEWAY_TOKEN,
  identity: null,
  scopes: ["operator.read", "operator.write"],
  clientId: "gateway-client",
  clientMode: "backend",
  displayName: "bench-baseline",
});
await client.connect();
await sessionsSubscribe(client);

const streams = new Map(); // sessionKey → Set<res>
client.on("chat", (p) => {
  const set = streams.get(p.sessionKey);
  if (!set || set.size === 0) return;
  const frame = `event: chat\ndata: ${JSON.stringify(p)}\n\n`;
  for (const res of set) res.write(frame);
});

http
  .createServer(async (req, res) => {
    const u = new URL(req.url, "http://x");
    const key = u.searchParams.get("key") ?? "";
    if (u.pathname === "/history") {
      try {
        const limit = Number(u.searchParams.get("limit") ?? 100);
        const offset = Number(u.searchParams.get("offset") ?? 0);
        const page = await chatHistory(client, { sessionKey: key, limit, ...(offset ? { offset } : {}) });
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(page));
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
      return;
    }
    if (u.pathname === "/page") {
      // The least a session page can do: fetch the newest page (as many messages as the session
      // page's first page, ?limit=) and list their text.
      const pageLimit = Math.min(1000, Math.max(1, Number(u.searchParams.get("limit") ?? 50)));
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body>
<ol id="t"></ol><script>
fetch("/history?key=" + encodeURIComponent(${JSON.stringify(key).replace(/</g, "\\u003c")}) + "&limit=${pageLimit}").then((r) => r.json()).then((page) => {
  const ol = document.getElementById("t");
  for (const m of page.messages) {
    const li = document.createElement("li");
    const c = m.content;
    li.textContent = typeof c === "string" ? c : (c || []).map((p) => p.text || "").join("");
    ol.appendChild(li);
  }
  performance.mark("transcript-rendered");
  ol.setAttribute("data-transcript-ready", "");
});
</script></body></html>`);
      return;
    }
    if (u.pathname === "/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.socket?.setNoDelay(true);
      res.write("event: hello\ndata: {}\n\n");
      let set = streams.get(key);
      if (!set) streams.set(key, (set = new Set()));
      set.add(res);
      res.on("close", () => set.delete(res));
      return;
    }
    res.writeHead(404).end();
  })
  .listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"));
