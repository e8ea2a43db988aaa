#!/usr/bin/env node
// node tests/peer/cli.mjs install [--sdk]      install Node 24 + openclaw (and the official SDK)
// node tests/peer/cli.mjs node-bin             print the path of the peer's Node 24 (installs it if missing)
// node tests/peer/cli.mjs start [--dir D] [--port P] [--json] [--no-auto-approve] [--trusted-proxy IP]... [--origin O]...
//      [--config-file F]   start a gateway in the foreground; SIGINT/SIGTERM stops it
import { readFileSync } from "node:fs";
import { ensurePeerInstalled } from "./install.mjs";
import { startPeer } from "./peer.mjs";

const [cmd, ...rest] = process.argv.slice(2);

function parse(args) {
  const o = { trustedProxies: [], allowedOrigins: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--dir") o.dir = next();
    else if (a === "--port") o.port = Number(next());
    else if (a === "--json") o.json = true;
    else if (a === "--sdk") o.sdk = true;
    else if (a === "--no-auto-approve") o.autoApproveLocal = false;
    else if (a === "--trusted-proxy") o.trustedProxies.push(next());
    else if (a === "--origin") o.allowedOrigins.push(next());
    else if (a === "--config-file") o.config = JSON.parse(readFileSync(next(), "utf8"));
    else if (a === "--stub-model-url") o.stubModelUrl = next();
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.trustedProxies.length) delete o.trustedProxies;
  if (!o.allowedOrigins.length) delete o.allowedOrigins;
  return o;
}

try {
  if (cmd === "install") {
    const o = parse(rest);
    const r = await ensurePeerInstalled({ sdk: o.sdk });
    console.log(`[peer] ready: node ${r.nodeBin}, openclaw ${r.openclawEntry}`);
  } else if (cmd === "node-bin") {
    const r = await ensurePeerInstalled({ log: () => {} });
    console.log(r.nodeBin);
  } else if (cmd === "start") {
    const o = parse(rest);
    const peer = await startPeer(o);
    const info = {
      url: peer.url,
      port: peer.port,
      pid: peer.pid,
      dir: peer.dir,
      configPath: peer.configPath,
      tokenFile: `${peer.dir}/token`,
    };
    console.log(
      o.json
        ? JSON.stringify(info)
        : `[peer] OpenClaw gateway ready at ${peer.url} (pid ${peer.pid}); token in ${info.tokenFile}`,
    );
    const stop = async () => {
      await peer.stop({ clean: false });
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    setInterval(() => {}, 1 << 30);
  } else {
    console.error(
      "usage: node tests/peer/cli.mjs install [--sdk] | start [--dir D] [--port P] [--json] [--no-auto-approve] [--trusted-proxy IP] [--origin O] [--config-file F] [--stub-model-url U]",
    );
    process.exitCode = 2;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 2;
}
