// The dashboard's browser code (bundled into dist/ui/app.js, the page's only script).
import { startDashboard } from "./dashboard.js";
import { startLogin } from "./login.js";

const login = document.getElementById("login-form");
if (login instanceof HTMLFormElement) startLogin(login);
else startDashboard();
