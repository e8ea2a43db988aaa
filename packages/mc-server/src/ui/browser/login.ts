import { errorText } from "./api.js";

/** The login form: POST the API token; the server answers with a session cookie. */
export function startLogin(form: HTMLFormElement): void {
  const error = document.getElementById("login-error");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = (form.elements.namedItem("token") as HTMLInputElement).value;
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (button) button.disabled = true;
    void (async () => {
      try {
        const res = await fetch("/api/session", {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ token }),
        });
        if (res.ok) return location.reload();
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        if (error) error.textContent = body?.error?.message || "Login failed";
      } catch (err) {
        if (error) error.textContent = `Login failed: ${errorText(err)}`;
      } finally {
        if (button) button.disabled = false;
      }
    })();
  });
}
