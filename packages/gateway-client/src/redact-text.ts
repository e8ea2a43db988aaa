import { isSecretName, isSecretParam, REDACTED } from "./redact.js";

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
// `Authorization: Bearer abc`, `Cookie: a=b` — a header line inside a string (curl -H, a headers array).
const HEADER_LINE =
  /\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key|x-auth-token|api-key)(\s*[:=]\s*)(\S[^\r\n]*)/gi;
// `Bearer abc…` without the header name: the scheme says what follows is a credential.
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token)(\s+)([A-Za-z0-9._~+/=-]{8,})/g;
// Each shape above needs a `:` (`://`, a header line), a `=` or a space (after a scheme): text
// without any (most config values, most log fields) is returned without running the three.
const MAY_HOLD_CREDENTIAL = /[:=\s]/;

/** Whether a header, by name, carries a credential (`Authorization`, `Cookie`, `X-API-Key`…). */
export function isSecretHeaderName(name: string): boolean {
  const n = name.trim();
  return /^(?:proxy-)?authorization$|^(?:set-)?cookie$/i.test(n) || isSecretName(n);
}

function redactUrlInText(url: string): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/i, (_m, scheme: string, userinfo: string) => {
    const i = userinfo.indexOf(":");
    if (i >= 0) return `${scheme}${userinfo.slice(0, i)}:${REDACTED}@`;
    // A bare user name before @ is how tokens ride in https://<token>@host URLs; `git@` is a user name.
    return /^(?:https?|wss?):\/\//i.test(scheme) ? `${scheme}${REDACTED}@` : `${scheme}${userinfo}@`;
  });
  out = out.replace(/([?&#;])([^=&#;\s]+)=([^&#;\s]*)/g, (m, sep: string, name: string, value: string) =>
    value !== "" && isSecretParam(decodeSafe(name)) ? `${sep}${name}=${REDACTED}` : m,
  );
  return out;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Masks credentials that free text carries by their shape rather than by the key that holds
 * them: the userinfo and secret-named parameters of any URL in it (`wss://u:***@h/?token=***`),
 * the value of an auth header line (`Authorization: ***`) and the credential after an auth
 * scheme (`Bearer ***`). Everything else is kept as written.
 */
export function redactSecretsInText(text: string): string {
  if (!MAY_HOLD_CREDENTIAL.test(text)) return text;
  let out = text.replace(URL_IN_TEXT, redactUrlInText);
  out = out.replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  out = out.replace(AUTH_SCHEME, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  return out;
}

/**
 * The credentials {@link redactSecretsInText} would mask in `text`, so that the same values can be
 * recognised wherever else they appear (a token in a URL here, the same token alone elsewhere).
 */
export function secretsInText(text: string): string[] {
  const found: string[] = [];
  if (!MAY_HOLD_CREDENTIAL.test(text)) return found;
  for (const url of text.match(URL_IN_TEXT) ?? []) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@\s]*)@/i.exec(url)?.[1];
    if (userinfo) {
      const i = userinfo.indexOf(":");
      if (i >= 0) found.push(decodeSafe(userinfo.slice(i + 1)));
      else if (/^(?:https?|wss?):\/\//i.test(url)) found.push(decodeSafe(userinfo));
    }
    for (const m of url.matchAll(/[?&#;]([^=&#;\s]+)=([^&#;\s]*)/g))
      if (m[2] && isSecretParam(decodeSafe(m[1]!))) found.push(decodeSafe(m[2]));
  }
  for (const m of text.matchAll(HEADER_LINE)) found.push(m[3]!.trim());
  for (const m of text.matchAll(AUTH_SCHEME)) found.push(m[3]!);
  return found.filter((s) => s.length > 0);
}
