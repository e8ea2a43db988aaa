#!/usr/bin/env node
import { sanitizeForTerminal } from "../terminal-text.js";
import { main } from "./main.js";

// exitCode, not process.exit(): pending stdout writes to a pipe are flushed before the process ends.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      sanitizeForTerminal(
        `missionctl-gateway: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        { multiline: true },
      ),
    );
    process.exitCode = 1;
  },
);
