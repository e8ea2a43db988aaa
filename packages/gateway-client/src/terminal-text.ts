/**
 * Characters a terminal acts on instead of printing: C0 controls (ESC starts the sequences that
 * set the window title or erase lines), DEL, C1 controls (U+009B is a one-byte CSI on some
 * terminals), the Unicode line separators and the bidi overrides that reorder what is shown.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const asEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

export interface SanitizeOptions {
  /** Keep line feeds (a whole rendered report). Default false: a field must stay on its line. */
  multiline?: boolean;
}

/**
 * Text from the gateway, a config file or any other input, made safe to print on a terminal:
 * every control character becomes a visible `\uXXXX` escape (valid inside JSON strings too), so
 * an `ESC]0;…` or `ESC[2K` in a gateway message is shown, never executed. Tabs are kept; line
 * feeds only with `multiline`. Idempotent.
 */
export function sanitizeForTerminal(text: string, options: SanitizeOptions = {}): string {
  const multiline = options.multiline === true;
  return String(text).replace(CONTROL, (ch) => (ch === "\t" || (multiline && ch === "\n") ? ch : asEscape(ch)));
}
