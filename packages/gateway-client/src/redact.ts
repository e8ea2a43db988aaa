/** Keys whose values never reach a log line, whatever their depth. */
const SECRET_KEY =
  /^(auth|token|password|deviceToken|bootstrapToken|approvalRuntimeToken|agentRuntimeIdentityToken|signature|privateKey|privateKeyPem|secret|authorization|cookie|set-cookie|proxy-authorization|recoveryScope)$/i;

export const REDACTED = "***";

/** A deep copy of `value` with every secret-bearing field replaced by "***". */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redact(v, depth + 1);
  }
  return out as T;
}

/** Removes `token=`/`password=`-like query parameters and userinfo from a URL for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    for (const key of [...u.searchParams.keys()]) {
      if (/token|password|secret|key|auth/i.test(key)) u.searchParams.set(key, REDACTED);
    }
    return u.toString();
  } catch {
    return "<unparsable url>";
  }
}
