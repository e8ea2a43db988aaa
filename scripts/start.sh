#!/usr/bin/env bash
# The run command: installs the dependencies, builds the packages and starts Mission Control on
# http://127.0.0.1:${PORT:-4000}. Without OPENCLAW_GATEWAY_URL it also starts the pinned local
# OpenClaw gateway (Node 24 + openclaw, installed into .cache/peer) and connects to it.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --loglevel=error
npm run build --silent
exec node scripts/start.mjs
