/* Diffing */
export { diffConfigs, configInput } from "./diff-configs.js";
export type { DiffOptions, LoadedConfig } from "./diff-configs.js";
export { structuralDiff } from "./diff.js";
export type { ArrayMode, ChangeKind, RawChange, StructuralDiffOptions } from "./diff.js";
export { FORMAT_VERSION } from "./report.js";
export type { Change, DiffReport, DiffSummary, Disposition, LiveStatus, RuleReport, Severity, SourceInfo } from "./report.js";

/* Loading */
export { loadConfigSource } from "./sources/index.js";
export type { LoadSourceOptions } from "./sources/index.js";
export { loadFileSource } from "./sources/file.js";
export { loadDockerSource, parseDockerSpec } from "./sources/docker.js";
export { loadGatewaySource, liveFromConfigGet } from "./sources/gateway.js";
export type { GatewaySourceOptions } from "./sources/gateway.js";
export { parseJson5, resolveIncludes, INCLUDE_MAX_DEPTH, INCLUDE_MAX_FILE_BYTES } from "./load.js";
export { parseEnvFile, loadEnvFile, substitute } from "./env.js";
export type { EnvMode } from "./env.js";

/* Rules */
export { BUILTIN_IGNORES, loadIgnoreFile, parseIgnoreFile, IgnoreFileSchema } from "./ignore.js";
export type { IgnoreFile, IgnoreRuleSpec, RuleOrigin } from "./ignore.js";
export { NORMALIZE_RULES } from "./normalize.js";
export { lintConfig, LINT_OPENCLAW_VERSION } from "./lint.js";
export type { LintFinding } from "./lint.js";
export { isSensitivePath, REDACTED_SENTINEL } from "./secrets.js";
export { toPointer, toDotted, parsePointer } from "./pointer.js";

/* Rendering */
export { renderHuman } from "./render/human.js";
export type { HumanOptions } from "./render/human.js";
export { renderJson } from "./render/json.js";
export { renderJsonPatch, toJsonPatch } from "./render/json-patch.js";
export type { JsonPatchOp } from "./render/json-patch.js";
export { renderGithub } from "./render/github.js";
export type { GithubOutput } from "./render/github.js";

/* CLI */
export { runCli } from "./cli/run.js";
export type { CliIo } from "./cli/run.js";

/* Errors */
export { ConfigDiffError, isConfigDiffError } from "./errors.js";
export type { ConfigDiffErrorCode } from "./errors.js";
