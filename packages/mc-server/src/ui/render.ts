import type { Child } from "hono/jsx";

/**
 * A component's markup as a string: the one render path of the dashboard, on the server for the
 * first paint and in the browser for every update (hono/jsx escapes every text and attribute).
 */
export function toHtml(node: Child): string {
  if (node === null || node === undefined || node === false) return "";
  if (node instanceof Promise) throw new Error("[mc-server] ui: a component rendered asynchronously");
  return String(node);
}

/** JSON inside <script type="application/json">: only "<" can end the element early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}
