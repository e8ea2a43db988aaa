import { type Segment, toDotted, toPointer } from "./pointer.js";
import knownKeys from "./schema/known-keys.json";

export type LintSeverity = "error" | "warning";

export interface LintFinding {
  side: "source" | "runtime";
  pointer: string;
  path: string;
  rule: "removed-key" | "inert-key" | "retired-value" | "unknown-key";
  severity: LintSeverity;
  message: string;
  fix: string;
}

type KeyNode = 0 | { p?: Record<string, KeyNode>; x?: KeyNode; i?: KeyNode };

/** The OpenClaw version whose schema `--lint` checks against (vendored, see scripts/gen-known-keys.mjs). */
export const LINT_OPENCLAW_VERSION: string = (knownKeys as { openclawVersion: string }).openclawVersion;
const TREE = (knownKeys as { tree: KeyNode }).tree;

interface KeyRule {
  path: string[];
  rule: LintFinding["rule"];
  severity: LintSeverity;
  message: string;
  fix: string;
  when?: (v: unknown) => boolean;
}

// Facts measured on openclaw 2026.9.6 (openclaw-protocol.md §6, §8).
const KEY_RULES: KeyRule[] = [
  {
    path: ["gateway", "controlUi", "allowInsecureAuth"],
    rule: "removed-key",
    severity: "error",
    message:
      'no longer exists: "Unrecognized key" makes the whole config invalid, so the gateway skips the ' +
      "reload and silently keeps running its last good config (and refuses to start from this file)",
    fix:
      "remove gateway.controlUi.allowInsecureAuth; serve the Control UI over HTTPS (e.g. behind Caddy) or " +
      "from loopback, and list its origin in gateway.controlUi.allowedOrigins",
  },
  {
    path: ["gateway", "controlUi", "dangerouslyDisableDeviceAuth"],
    rule: "inert-key",
    severity: "warning",
    message:
      "is retired and inert: clients without a device identity are still rejected, and changing it forces a full gateway restart",
    fix:
      "remove it (openclaw doctor --fix does); pair the client's device (openclaw devices approve) or use " +
      'gateway.auth.mode "trusted-proxy"',
  },
  {
    path: ["gateway", "reload", "mode"],
    rule: "retired-value",
    severity: "warning",
    message: 'uses a retired mode ("hot"/"restart"); OpenClaw treats it as "hybrid"',
    fix: 'set gateway.reload.mode to "hybrid" (or "off")',
    when: (v) => v === "hot" || v === "restart",
  },
  {
    path: ["gateway", "bind"],
    rule: "retired-value",
    severity: "warning",
    message: "is a legacy host alias, not a bind mode",
    fix: 'use a bind mode: "lan" for 0.0.0.0/::, "loopback" for 127.0.0.1/localhost/::1 (or "custom" with gateway.customBindHost)',
    when: (v) => typeof v === "string" && ["0.0.0.0", "::", "127.0.0.1", "localhost", "::1"].includes(v),
  },
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Keys and values the pinned OpenClaw rejects or ignores, each with the fix. */
export function lintConfig(config: unknown, side: LintFinding["side"]): LintFinding[] {
  const findings: LintFinding[] = [];
  const special = new Set<string>();
  for (const r of KEY_RULES) {
    let cur: unknown = config;
    let found = true;
    for (const k of r.path) {
      if (!isPlainObject(cur) || !(k in cur)) {
        found = false;
        break;
      }
      cur = cur[k];
    }
    if (!found || (r.when && !r.when(cur))) continue;
    const pointer = toPointer(r.path);
    special.add(pointer);
    findings.push({
      side,
      pointer,
      path: toDotted(r.path),
      rule: r.rule,
      severity: r.severity,
      message: `${toDotted(r.path)} ${r.message}`,
      fix: r.fix,
    });
  }

  const segs: Segment[] = [];
  const walk = (v: unknown, node: KeyNode): void => {
    if (node === 0) return;
    if (Array.isArray(v)) {
      if (node.i === undefined) return;
      v.forEach((item, i) => {
        segs.push(i);
        walk(item, node.i!);
        segs.pop();
      });
      return;
    }
    if (!isPlainObject(v) || (node.p === undefined && node.x === undefined)) return;
    for (const [k, item] of Object.entries(v)) {
      if (k === "$include" || (segs.length === 0 && k === "$schema")) continue;
      segs.push(k);
      const child = node.p && Object.hasOwn(node.p, k) ? node.p[k] : node.x;
      if (child === undefined) {
        const pointer = toPointer(segs);
        if (!special.has(pointer)) {
          const parent = segs.length > 1 ? toDotted(segs.slice(0, -1)) : "(root)";
          findings.push({
            side,
            pointer,
            path: toDotted(segs),
            rule: "unknown-key",
            severity: "error",
            message:
              `${parent}: Unrecognized key ${JSON.stringify(k)} — OpenClaw ${LINT_OPENCLAW_VERSION} validates ` +
              `strictly, so the whole config is invalid and the gateway keeps its last good config`,
            fix: `remove or rename ${toDotted(segs)} (check the spelling against \`openclaw config schema\`)`,
          });
        }
      } else walk(item, child);
      segs.pop();
    }
  };
  walk(config, TREE);
  return findings;
}
