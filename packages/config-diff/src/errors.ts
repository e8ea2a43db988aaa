/** Stable codes of every error config-diff raises; the CLI maps all of them to exit code 2. */
export type ConfigDiffErrorCode =
  | "INVALID_OPTIONS"
  | "UNKNOWN_FORMAT"
  | "FILE_UNREADABLE"
  | "FILE_NOT_REGULAR"
  | "FILE_TOO_LARGE"
  | "READ_TIMEOUT"
  | "INPUT_TOO_DEEP"
  | "PARSE_ERROR"
  | "INCLUDE_ERROR"
  | "ENV_FILE_INVALID"
  | "IGNORE_FILE_INVALID"
  | "DOCKER_FAILED"
  | "GATEWAY_CLIENT_MISSING"
  | "GATEWAY_FAILED";

export interface ConfigDiffErrorContext {
  /** The file or source label the error is about (never its contents). */
  file?: string;
  line?: number;
  column?: number;
  /** RFC 6901 pointer inside the config, when the error is about one value. */
  pointer?: string;
  hint?: string;
}

/**
 * The one error class of @missionctl/config-diff. Messages follow
 * `[config-diff] subject: reason — what to do` and never carry config values, so they are
 * safe to print even when the input holds secrets.
 */
export class ConfigDiffError extends Error {
  override readonly name = "ConfigDiffError";
  readonly code: ConfigDiffErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly pointer?: string;
  readonly hint?: string;

  constructor(
    code: ConfigDiffErrorCode,
    message: string,
    context: ConfigDiffErrorContext = {},
    options: { cause?: unknown } = {},
  ) {
    super(`[config-diff] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (context.file !== undefined) this.file = context.file;
    if (context.line !== undefined) this.line = context.line;
    if (context.column !== undefined) this.column = context.column;
    if (context.pointer !== undefined) this.pointer = context.pointer;
    if (context.hint !== undefined) this.hint = context.hint;
  }
}

export function isConfigDiffError(err: unknown): err is ConfigDiffError {
  return err instanceof ConfigDiffError;
}
