#!/usr/bin/env node
// Regenerates src/schema/known-keys.json: the set of config keys the pinned OpenClaw accepts,
// trimmed from the gateway's own JSON schema (`openclaw config schema`) to what --lint needs.
//
//   node packages/config-diff/scripts/gen-known-keys.mjs             # runs the test peer's openclaw
//   node packages/config-diff/scripts/gen-known-keys.mjs schema.json # or trims a saved schema
//
// Node shape: 0 = anything goes below here; { p?: {key: node}, x?: node, i?: node } where
// p = declared properties, x = schema of undeclared keys (absent = closed: unknown keys rejected),
// i = array items.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

async function loadSchema() {
  if (process.argv[2])
    return { schema: JSON.parse(readFileSync(process.argv[2], "utf8")), version: process.argv[3] ?? "unknown" };
  const { ensurePeerInstalled, OPENCLAW_VERSION } = await import(here("../../../tests/peer/install.mjs"));
  const { nodeBin, openclawEntry } = await ensurePeerInstalled();
  // A throwaway state dir and HOME: the schema must not depend on a local install's config.
  const tmp = mkdtempSync(join(tmpdir(), "config-diff-schema-"));
  const res = spawnSync(nodeBin, [openclawEntry, "config", "schema"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: tmp,
      NO_COLOR: "1",
      OPENCLAW_STATE_DIR: join(tmp, "state"),
      OPENCLAW_CONFIG_PATH: join(tmp, "state", "openclaw.json"),
    },
  });
  rmSync(tmp, { recursive: true, force: true });
  if (res.status !== 0)
    throw new Error(`openclaw config schema failed (exit ${res.status}): ${res.stderr.slice(0, 500)}`);
  return { schema: JSON.parse(res.stdout), version: OPENCLAW_VERSION };
}

function trim(root) {
  const defs = { ...(root.$defs ?? {}), ...(root.definitions ?? {}) };
  const resolving = new Set();

  function node(s) {
    if (s === true || s === undefined || s === null) return 0;
    if (s === false) return { p: {} };
    if (s.$ref) {
      const name = s.$ref.replace(/^#\/(\$defs|definitions)\//, "");
      if (s.$ref === "#") return 0;
      if (resolving.has(name) || !defs[name]) return 0;
      resolving.add(name);
      try {
        return node(defs[name]);
      } finally {
        resolving.delete(name);
      }
    }
    const branches = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
    if (branches.length) {
      const own = { ...s };
      delete own.anyOf;
      delete own.oneOf;
      delete own.allOf;
      const parts = [
        ...branches.map(node),
        ...(own.properties || own.items || own.additionalProperties !== undefined ? [node(own)] : []),
      ];
      return merge(parts, Boolean(s.allOf));
    }
    if (s.patternProperties || s.propertyNames?.pattern) return 0;
    const isObject = s.type === "object" || s.properties || s.additionalProperties !== undefined;
    const isArray = s.type === "array" || s.items;
    if (isObject) {
      const out = {};
      if (s.properties) {
        out.p = {};
        for (const [k, v] of Object.entries(s.properties)) out.p[k] = node(v);
      }
      if (s.additionalProperties === undefined || s.additionalProperties === true) out.x = 0;
      else if (s.additionalProperties !== false) out.x = node(s.additionalProperties);
      if (!out.p && out.x === 0) return 0;
      return out;
    }
    if (isArray) {
      const items = Array.isArray(s.items) ? 0 : node(s.items);
      return items === 0 ? 0 : { i: items };
    }
    return 0;
  }

  // A value may match any branch: a key is known if any object branch declares it, and unknown
  // keys are accepted if any branch is open.
  function merge(parts) {
    const objs = parts.filter((p) => p !== 0 && (p.p || "x" in p));
    const arrs = parts.filter((p) => p !== 0 && p.i);
    if (objs.length === 0 && arrs.length === 0) return 0;
    const out = {};
    if (objs.length) {
      // A non-object branch (string | SecretRef) does not open the object form.
      const p = {};
      let open = false;
      let x;
      for (const o of objs) {
        for (const [k, v] of Object.entries(o.p ?? {})) p[k] = k in p ? merge([p[k], v]) : v;
        if ("x" in o) {
          if (o.x === 0) open = true;
          else x = x === undefined ? o.x : merge([x, o.x]);
        }
      }
      if (open) out.x = 0;
      else if (x !== undefined) out.x = x;
      out.p = p;
      if (Object.keys(p).length === 0 && out.x === 0) return arrs.length ? { i: mergeItems(arrs) } : 0;
    }
    if (arrs.length) out.i = mergeItems(arrs);
    return out;
  }
  function mergeItems(arrs) {
    return arrs.length === 1 ? arrs[0].i : merge(arrs.map((a) => a.i));
  }
  return node(root);
}

const { schema, version } = await loadSchema();
const tree = trim(schema);
const out = { openclawVersion: version, generatedBy: "scripts/gen-known-keys.mjs", tree };
const file = here("../src/schema/known-keys.json");
writeFileSync(file, `${JSON.stringify(out)}\n`);
console.log(`wrote ${file} (${JSON.stringify(out).length} bytes, openclaw ${version})`);
