// Runs inside the "gateway host" network namespace (ip netns exec <ns> node ns-peer.mjs <json>):
// the real OpenClaw gateway (test peer) on the namespace's loopback, reading the exact
// openclaw.json the openclaw role rendered (keepConfig), plus a tiny OpenAI-compatible stub model.
// Prints one JSON line when ready; stops on "stop" / end of stdin / SIGTERM.
import { createServer } from "node:http";
import { startPeer } from "../../peer/peer.mjs";

const opts = JSON.parse(process.argv[2]);
const token = process.env.MCTL_PEER_TOKEN;

const stub = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "chatcmpl-e2e",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: "stub-model",
        choices: [{ index: 0, message: { role: "assistant", content: "STUB-REPLY: done" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  });
});
await new Promise((r) => stub.listen(opts.stubPort, "127.0.0.1", r));

let peer;
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try {
    await peer?.stop({ clean: false });
  } finally {
    stub.close();
    process.exit(code);
  }
}
process.on("SIGTERM", () => void stop(0));
process.stdin.on("data", (d) => {
  if (String(d).includes("stop")) void stop(0);
});
process.stdin.on("end", () => void stop(0));

try {
  peer = await startPeer({
    dir: opts.dir,
    keepConfig: true,
    port: opts.port,
    token,
    startTimeoutMs: opts.startTimeoutMs ?? 150_000,
    log: () => {},
  });
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      pid: peer.pid,
      nodeBin: peer.nodeBin,
      openclawEntry: peer.openclawEntry,
      stateDir: peer.stateDir,
      home: peer.home,
      configPath: peer.configPath,
    })}\n`,
  );
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ready: false, error: String(err?.message ?? err) })}\n`);
  await stop(1);
}
