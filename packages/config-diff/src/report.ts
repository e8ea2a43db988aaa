import type { ChangeKind } from "./diff.js";
import type { RuleOrigin } from "./ignore.js";
import type { LintFinding } from "./lint.js";

/** Bump the minor for additions, the major for breaking changes (Terraform's format_version rule). */
export const FORMAT_VERSION = "1.0";

export type Disposition = "drift" | "ignored" | "normalized" | "unverifiable";
export type Severity = "error" | "warning" | "info";

/** One change, safe to print: sensitive values are `***`, resolved env values are shown as written. */
export interface Change {
  pointer: string;
  path: string;
  kind: ChangeKind;
  disposition: Disposition;
  severity: Severity;
  sensitive: boolean;
  /** The source's value (absent for `added`); `***` when sensitive. */
  before?: unknown;
  /** The runtime's value (absent for `removed`); `***` when sensitive. */
  after?: unknown;
  /** For sensitive values: the shape only, e.g. `placeholder ${OPENCLAW_GATEWAY_TOKEN}` or `literal`. */
  beforeShape?: string;
  afterShape?: string;
  /** The ignore pattern or normalize rule that matched. */
  rule?: string;
  note?: string;
  /** For a leaf of an object absent on one side: where that object starts (JSON Patch groups by it). */
  root?: string;
}

export interface RuleReport {
  pattern: string;
  origin: RuleOrigin;
  reason?: string;
  suppressed: number;
}

export interface SourceInfo {
  label: string;
  kind: "file" | "stdin" | "docker" | "gateway" | "value";
}

/** What the live `gateway:` source says about the config it runs. */
export interface LiveStatus {
  /** Whether the file on the gateway's disk passes validation. */
  valid: boolean;
  issues: { path: string; message: string }[];
  legacyIssues: { path: string; message: string }[];
  /** Whether the running config is this file's revision. */
  applied: boolean;
  path?: string;
  hash?: string | null;
  configRevisionHash?: string | null;
  appliedConfigHash?: string | null;
  message?: string;
}

export interface DiffSummary {
  drift: number;
  ignored: number;
  normalized: number;
  unverifiable: number;
  lintErrors: number;
  lintWarnings: number;
  /** True when a live gateway runs something other than its file. */
  liveMismatch: boolean;
}

export interface DiffReport {
  formatVersion: string;
  status: "no-drift" | "drift";
  /** 0 no drift, 1 drift (or lint errors, live mismatch, or unverifiable with failOn). */
  exitCode: 0 | 1;
  sources: { source: SourceInfo; runtime: SourceInfo };
  summary: DiffSummary;
  changes: Change[];
  rules: RuleReport[];
  lint?: LintFinding[];
  live?: LiveStatus;
  options: { envMode: string; normalize: boolean; failOn: string[] };
}
