// The dashboard's browser code (bundled into dist/ui/app.js, the page's only script).
import { startDashboard } from "./dashboard.js";
import { startLogin } from "./login.js";
import { startSessionPage } from "./session-page.js";

const login = document.getElementById("login-form");
if (login instanceof HTMLFormElement) startLogin(login);
else if (document.getElementById("session-page")) startSessionPage();
else startDashboard();
