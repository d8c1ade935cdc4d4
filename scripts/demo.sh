#!/usr/bin/env bash
# `npm run demo`: from a fresh clone to a full reference case on the embedded default stack.
# Installs what is missing, builds, provisions the toolchain, starts Temporal (with its Web UI) and
# NATS, our worker, notifier and codec server, then drives the case and shows what each agency got.
# The stack keeps running afterwards for the Web UI; `npm run stack:down` stops it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[ -d node_modules/@temporalio/worker ] || { log "installing npm packages (npm ci)"; npm ci --no-audit --no-fund; }
log "building (npm run build)"
npm run --silent build
bash scripts/toolchain.sh

# Payloads are always encrypted: a dev key and a codec-server token live in the data dir (ignored by
# git). Real deployments pass CODEC_KEY_FILE/CODEC_KEYS and CODEC_SERVER_TOKEN from their secret store.
mkdir -p "$DATA_DIR"
if [ -z "${CODEC_KEYS:-}${CODEC_KEY_FILE:-}" ]; then
  export CODEC_KEY_FILE=$DATA_DIR/codec-keys.json
  if [ ! -f "$CODEC_KEY_FILE" ]; then
    node -e 'require("./dist/src/temporal/keyring").generateDevKeyFile(process.argv[1])' "$DATA_DIR"
    log "generated a development encryption key: $CODEC_KEY_FILE (keep it: without it the demo's histories cannot be read)"
  fi
fi
export CODEC_ENDPOINT=${CODEC_ENDPOINT:-http://127.0.0.1:${CODEC_SERVER_PORT:-8888}}

bash scripts/stack.sh up
# Streams, consumers and buckets before the services that use them (idempotent).
node bin/cases setup
bash scripts/stack.sh apps
node dist/src/demo/run.js "$@"
secrets="$DATA_DIR/identity/secrets.json"
log "the stack keeps running; stop it with: npm run stack:down"
log "gateway (the one door): ${GATEWAY_URL:-http://127.0.0.1:8700} — try: node bin/cases login --as judge-9 && node bin/cases inbox"
log "staff web app: ${GATEWAY_URL:-http://127.0.0.1:8700}/inbox — sign in as judge-9, social-12 or fiscal-017 to work the live case's tasks (docs/web.md)"
log "mails caught by the development SMTP sink (nothing is relayed): $DATA_DIR/mail-sink/mails.jsonl"
log "dev accounts (deploy/identity/dev-seed.json): fiscal-017, fiscal-coord-02, pol-204, pol-311, judge-9, clerk-4, social-12, oversight-3, partner-1, admin-1"
log "their password (development only): node -p \"require('$secrets').devPassword\""
log "Temporal Web UI: http://127.0.0.1:8233; to read payloads, sign in as admin-1 at $CODEC_ENDPOINT/session (see README)"
