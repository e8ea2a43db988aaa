/** A refused API call: the server's message and its fix, as the page shows them. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; hint?: unknown };
}

function describe(body: unknown, fallback: string): { message: string; code: string | null } {
  const e = (body && typeof body === "object" ? (body as ErrorBody).error : undefined) ?? {};
  const message = typeof e.message === "string" && e.message ? e.message : fallback;
  const hint = typeof e.hint === "string" && e.hint ? ` — ${e.hint}` : "";
  return { message: message + hint, code: typeof e.code === "string" ? e.code : null };
}

/**
 * One call to the dashboard's JSON API with the session cookie. A 401 means the session ended
 * (logged out elsewhere, token changed): the page reloads into the login form.
 */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...extraHeaders };
  const init: RequestInit = { method, credentials: "same-origin", headers };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 204) return null as T;
  // A proxy in front may answer with HTML (502): the status line is the message then.
  const data: unknown = await res.json().catch(() => null);
  if (res.status === 401) location.reload();
  if (!res.ok) {
    const { message, code } = describe(data, `${res.status} ${res.statusText}`.trim());
    throw new ApiError(message, res.status, code);
  }
  return data as T;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
