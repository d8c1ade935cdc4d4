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
token_file="$DATA_DIR/codec-server-token"
[ -f "$token_file" ] || { node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' >"$token_file"; chmod 600 "$token_file"; }
export CODEC_SERVER_TOKEN=${CODEC_SERVER_TOKEN:-$(cat "$token_file")}
export CODEC_ENDPOINT=${CODEC_ENDPOINT:-http://127.0.0.1:${CODEC_SERVER_PORT:-8888}}

bash scripts/stack.sh up
bash scripts/stack.sh apps
node bin/cases setup
node dist/src/demo/run.js "$@"
log "the stack keeps running: Web UI http://127.0.0.1:8233; cases CLI: node bin/cases --help; stop with: npm run stack:down"
log "Web UI decoding: sign in at $CODEC_ENDPOINT/session with the token in $token_file (see README)"
log "decode a history: temporal workflow show -w <id> --codec-endpoint $CODEC_ENDPOINT --codec-auth \"Bearer \$(cat $token_file)\""
