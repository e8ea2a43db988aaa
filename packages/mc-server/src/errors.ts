/** Stable codes for everything mc-server itself refuses or fails to do. */
export type McServerErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_UNSAFE_BIND"
  | "CONFIG_DATABASE"
  | "LISTEN_FAILED"
  | "GATEWAY_NOT_CONFIGURED"
  | "GATEWAY_NOT_CONNECTED"
  | "PAIRING_NOT_ALLOWED"
  | "UI_BUNDLE_MISSING"
  | "LOCAL_GATEWAY_INSTALL_FAILED"
  | "LOCAL_GATEWAY_START_FAILED"
  | "LOCAL_GATEWAY_CONFIG";

/** The one error class of @missionctl/mc-server: `[mc-server] subject: reason — what to do`. */
export class McServerError extends Error {
  override readonly name = "McServerError";
  readonly code: McServerErrorCode;
  readonly hint: string;
  readonly variable?: string;

  constructor(
    code: McServerErrorCode,
    subject: string,
    reason: string,
    hint: string,
    opts: { cause?: unknown; variable?: string } = {},
  ) {
    super(`[mc-server] ${subject}: ${reason} — ${hint}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = hint;
    if (opts.variable) this.variable = opts.variable;
  }
}

/** An HTTP API error: rendered as `{ error: { code, message, hint } }` with `status`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string;
  readonly details?: Record<string, unknown>;

  constructor(status: number, code: string, message: string, hint: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
    if (details) this.details = details;
  }
}
