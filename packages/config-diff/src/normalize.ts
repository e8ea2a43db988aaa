import type { Segment } from "./pointer.js";

/** A known OpenClaw rewrite: both spellings mean the same running config. */
export interface NormalizeRule {
  id: string;
  path: readonly string[];
  description: string;
  /** The canonical value, or REMOVE when OpenClaw drops the key. Undefined = leave as is. */
  apply(value: unknown): unknown;
}

export const REMOVE = Symbol("remove");

const BIND_ALIASES: Record<string, string> = {
  "0.0.0.0": "lan",
  "::": "lan",
  "127.0.0.1": "loopback",
  localhost: "loopback",
  "::1": "loopback",
};

export const NORMALIZE_RULES: readonly NormalizeRule[] = [
  {
    id: "reload-mode-hybrid",
    path: ["gateway", "reload", "mode"],
    description: 'gateway.reload.mode "hot" and "restart" are retired; OpenClaw (doctor) maps both to "hybrid"',
    apply: (v) => (v === "hot" || v === "restart" ? "hybrid" : undefined),
  },
  {
    id: "bind-host-alias",
    path: ["gateway", "bind"],
    description:
      "legacy gateway.bind host aliases map to bind modes (0.0.0.0/:: → lan, 127.0.0.1/localhost/::1 → loopback)",
    apply: (v) => (typeof v === "string" && v in BIND_ALIASES ? BIND_ALIASES[v] : undefined),
  },
  {
    id: "inert-disable-device-auth",
    path: ["gateway", "controlUi", "dangerouslyDisableDeviceAuth"],
    description: "gateway.controlUi.dangerouslyDisableDeviceAuth is inert and removed by openclaw doctor --fix",
    apply: () => REMOVE,
  },
];

export interface NormalizeEvent {
  rule: string;
  segments: Segment[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Applies the rules copy-on-write along their paths only, so a large config is not cloned.
 * Returns the rewritten config and where it was rewritten.
 */
export function normalizeConfig(
  value: unknown,
  rules: readonly NormalizeRule[] = NORMALIZE_RULES,
): { value: unknown; events: NormalizeEvent[] } {
  let root = value;
  const events: NormalizeEvent[] = [];
  for (const rule of rules) {
    const parents: Record<string, unknown>[] = [];
    let cur: unknown = root;
    let ok = true;
    for (const key of rule.path.slice(0, -1)) {
      if (!isPlainObject(cur) || !(key in cur)) {
        ok = false;
        break;
      }
      parents.push(cur);
      cur = cur[key];
    }
    const leaf = rule.path[rule.path.length - 1]!;
    if (!ok || !isPlainObject(cur) || !(leaf in cur)) continue;
    const next = rule.apply(cur[leaf]);
    if (next === undefined) continue;
    // Rebuild the path bottom-up with shallow copies.
    let copy: Record<string, unknown> = { ...cur };
    if (next === REMOVE) delete copy[leaf];
    else copy[leaf] = next;
    for (let i = parents.length - 1; i >= 0; i--) copy = { ...parents[i]!, [rule.path[i]!]: copy };
    root = copy;
    events.push({ rule: rule.id, segments: [...rule.path] });
  }
  return { value: root, events };
}
