import type { Child } from "hono/jsx";
import { toHtml } from "../render.js";

export function byId<T extends HTMLElement = HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

/** Run a DOM change and give focus back to the control that had it (matched by data-key). */
function keepingFocus(scope: Element, change: () => void): void {
  const active = document.activeElement;
  const key = active && scope.contains(active) ? active.getAttribute("data-key") : null;
  change();
  if (key) document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

/**
 * Replace an element's content with a component's markup. The markup comes from hono/jsx,
 * which escapes every text and attribute: gateway text never reaches the DOM as HTML.
 */
export function patch(el: Element, node: Child): void {
  keepingFocus(el, () => {
    el.innerHTML = toHtml(node);
  });
}

/** Replace an element itself (one task card) with a component's markup. */
export function replace(el: Element, node: Child): void {
  const tpl = document.createElement("template");
  tpl.innerHTML = toHtml(node);
  const next = tpl.content.firstElementChild;
  if (next) keepingFocus(el, () => el.replaceWith(next));
}

export function focusFirst(...keys: string[]): void {
  for (const key of keys) {
    const el = document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    if (el) {
      el.focus();
      return;
    }
  }
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** A short message at the bottom of the page; errors stay longer and are styled as such. */
export function toast(message: string, isError = false): void {
  const t = byId("toast");
  if (!t) return;
  t.textContent = message;
  t.hidden = false;
  t.className = isError ? "error" : "";
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), isError ? 8000 : 3000);
}
