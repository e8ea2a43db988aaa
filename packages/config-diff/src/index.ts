/* Diffing */

export type { CliIo } from "./cli/run.js";
/* CLI */
export { runCli } from "./cli/run.js";
export type { ArrayMode, ChangeKind, PathTracker, RawChange, StructuralDiffOptions } from "./diff.js";
export { structuralDiff } from "./diff.js";
export type { DiffOptions, LoadedConfig } from "./diff-configs.js";
export { configInput, diffConfigs } from "./diff-configs.js";
export type { EnvMode } from "./env.js";
export { loadEnvFile, parseEnvFile, substitute } from "./env.js";
export type { ConfigDiffErrorCode } from "./errors.js";
/* Errors */
export { ConfigDiffError, isConfigDiffError } from "./errors.js";
export type { IgnoreFile, IgnoreRuleSpec, RuleOrigin } from "./ignore.js";
/* Rules */
export { BUILTIN_IGNORES, IgnoreFileSchema, loadIgnoreFile, parseIgnoreFile } from "./ignore.js";
export type { LintFinding } from "./lint.js";
export { LINT_OPENCLAW_VERSION, lintConfig } from "./lint.js";
export type { ReadLimits } from "./load.js";
export {
  INCLUDE_MAX_DEPTH,
  INCLUDE_MAX_FILE_BYTES,
  MAX_CONFIG_DEPTH,
  MAX_CONFIG_FILE_BYTES,
  parseJson5,
  READ_TIMEOUT_MS,
  resolveIncludes,
} from "./load.js";
export { NORMALIZE_RULES } from "./normalize.js";
export { parsePointer, toDotted, toPointer } from "./pointer.js";
export type { GithubOutput } from "./render/github.js";
export { renderGithub } from "./render/github.js";
export type { HumanOptions } from "./render/human.js";
/* Rendering */
export { renderHuman } from "./render/human.js";
export { renderJson } from "./render/json.js";
export type { JsonPatchOp } from "./render/json-patch.js";
export { renderJsonPatch, toJsonPatch } from "./render/json-patch.js";
export type {
  Change,
  DiffReport,
  DiffSummary,
  Disposition,
  LiveStatus,
  RuleReport,
  Severity,
  SourceInfo,
} from "./report.js";
export { FORMAT_VERSION } from "./report.js";
export { isSensitivePath, REDACTED_SENTINEL } from "./secrets.js";
export { loadDockerSource, parseDockerSpec } from "./sources/docker.js";
export type { FileSourceOptions } from "./sources/file.js";
export { loadFileSource, loadStdinSource } from "./sources/file.js";
export type { GatewaySourceOptions } from "./sources/gateway.js";
export { liveFromConfigGet, loadGatewaySource } from "./sources/gateway.js";
export type { LoadSourceOptions } from "./sources/index.js";
/* Loading */
export { loadConfigSource } from "./sources/index.js";
