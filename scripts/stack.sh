#!/usr/bin/env bash
# Local dev stack without Docker: a Temporal dev server (SQLite file, Web UI) and NATS JetStream.
#   scripts/stack.sh up | apps | down | status   (apps: our worker, notifier, codec server, gateway, mail sink)
# State lives in $DATA_DIR (default .data): temporal.db, nats/, logs/, pids/. `down` stops only what
# `up` started, so a shared NATS already running on the machine is used and left alone.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_IP=${TEMPORAL_IP:-127.0.0.1}
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
TEMPORAL_ADDRESS="$TEMPORAL_IP:$TEMPORAL_PORT"
UI_URL="http://$TEMPORAL_IP:$TEMPORAL_UI_PORT"
NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-60}

# NATS_URL may be a comma-separated list (see src/config.ts); the first entry is the one we manage.
nats_first=${NATS_URL%%,*}
nats_hostport=${nats_first#*://}
NATS_HOST=${nats_hostport%:*}
NATS_PORT=${nats_hostport##*:}

LOG_DIR="$DATA_DIR/logs"
PID_DIR="$DATA_DIR/pids"
TEMPORAL_DB="$DATA_DIR/temporal.db"
TEMPORAL_PID="$PID_DIR/temporal.pid"
NATS_PID="$PID_DIR/nats.pid"

# "Name=Type" lines from the one list of search attributes that workflows and tests also use.
search_attributes() {
  # shellcheck disable=SC2016 # JavaScript template literal, not a shell expansion
  node -e 'for (const [k, v] of Object.entries(require(process.argv[1]))) console.log(`${k}=${v}`)' \
    "$ROOT/src/temporal/search-attributes.json"
}

# Starts "$@" in its own session (so closing the terminal does not stop it) with output to log file
# $2 and its pid in file $1. The pid is written by the process itself, before exec, so it is the
# server's pid even if setsid has to fork.
start_daemon() {
  local pid_file=$1 log_file=$2
  shift 2
  : >"$log_file"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pid_file" "$@" >>"$log_file" 2>&1 </dev/null &
  local _
  for _ in $(seq 50); do [ -s "$pid_file" ] && return; sleep 0.1; done
  die "could not start $3 (see $log_file)"
}

# Serving, and the default namespace exists (workers poll it; the frontend answers a little earlier).
temporal_healthy() {
  local t
  t=$(temporal_bin)
  "$t" operator cluster health --address "$TEMPORAL_ADDRESS" --command-timeout 2s >/dev/null 2>&1 &&
    "$t" operator namespace describe --namespace default --address "$TEMPORAL_ADDRESS" --command-timeout 2s \
      >/dev/null 2>&1
}

# Waits for check "$1" to succeed while the process in pid file $2 lives; fails with the log tail.
wait_until() {
  local check=$1 pid_file=$2 program=$3 log_file=$4 started=$SECONDS
  until $check; do
    if ! pid_running "$pid_file" "$program"; then
      tail -n 20 "$log_file" >&2 || true
      die "$program exited during startup (log: $log_file)"
    fi
    if ((SECONDS - started >= STARTUP_TIMEOUT)); then
      tail -n 20 "$log_file" >&2 || true
      die "$program not ready after ${STARTUP_TIMEOUT}s (log: $log_file)"
    fi
    sleep 0.5
  done
}

# Search attributes belong to the namespace stored in the db file. For a db from an earlier run (maybe
# made with an older list) add them through the operator API too; the call is idempotent.
register_search_attributes() {
  local pair out
  for pair in $(search_attributes); do
    if ! out=$("$(temporal_bin)" operator search-attribute create --address "$TEMPORAL_ADDRESS" \
      --name "${pair%%=*}" --type "${pair#*=}" 2>&1); then
      # "already exists" is the normal case; "already exists and has different type" is not.
      if ! grep -qi 'already exists' <<<"$out" || grep -qi 'different type' <<<"$out"; then
        warn "search attribute ${pair%%=*}: $out"
      fi
    fi
  done
}

temporal_up() {
  if pid_running "$TEMPORAL_PID" temporal; then
    log "Temporal already running (pid $(cat "$TEMPORAL_PID")) at $TEMPORAL_ADDRESS"
    return
  fi
  tcp_open "$TEMPORAL_IP" "$TEMPORAL_PORT" &&
    die "port $TEMPORAL_PORT is in use by a process this script did not start; stop it or set TEMPORAL_PORT"
  local db_existed=false
  [ -f "$TEMPORAL_DB" ] && db_existed=true
  local args=(server start-dev --ip "$TEMPORAL_IP" --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT"
    --db-filename "$TEMPORAL_DB" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=OFF)
  local pair
  for pair in $(search_attributes); do args+=(--search-attribute "$pair"); done
  # Lets admins read encrypted payloads in the UI through our codec server. The dev server has no flag
  # for the UI's "include credentials" codec option, so each admin signs in at $CODEC_ENDPOINT/session
  # and ticks it in the UI's Codec Server settings (see workers/codec-server.ts).
  [ -n "${CODEC_ENDPOINT:-}" ] && args+=(--ui-codec-endpoint "$CODEC_ENDPOINT")
  local started
  started=$(now_ms)
  start_daemon "$TEMPORAL_PID" "$LOG_DIR/temporal.log" "$(temporal_bin)" "${args[@]}"
  wait_until temporal_healthy "$TEMPORAL_PID" temporal "$LOG_DIR/temporal.log"
  $db_existed && register_search_attributes
  log "Temporal ready in $(secs_since "$started")s at $TEMPORAL_ADDRESS (pid $(cat "$TEMPORAL_PID"), db $TEMPORAL_DB)"
}

nats_ready() { tcp_open "$NATS_HOST" "$NATS_PORT"; }

nats_up() {
  if pid_running "$NATS_PID" nats-server; then
    log "NATS already running (pid $(cat "$NATS_PID")) at $nats_first"
    return
  fi
  if nats_ready; then
    log "NATS already answers at $nats_first; using it (not managed by this script)"
    return
  fi
  mkdir -p "$DATA_DIR/nats"
  local started
  started=$(now_ms)
  start_daemon "$NATS_PID" "$LOG_DIR/nats.log" "$(nats_bin)" -js -a "$NATS_HOST" -p "$NATS_PORT" -sd "$DATA_DIR/nats"
  wait_until nats_ready "$NATS_PID" nats-server "$LOG_DIR/nats.log"
  log "NATS ready in $(secs_since "$started")s at $nats_first (pid $(cat "$NATS_PID"), store $DATA_DIR/nats)"
}

# Stops the process in pid file $1 if it is still program $2: TERM, then KILL after 15s.
stop_pid() {
  local pid_file=$1 program=$2 pid _
  if [ ! -f "$pid_file" ]; then
    log "$program: nothing to stop (not started by this script)"
    return 0
  fi
  if ! pid_running "$pid_file" "$program"; then
    rm -f "$pid_file"
    log "$program was not running (removed stale pid file)"
    return 0
  fi
  pid=$(cat "$pid_file")
  kill -TERM "$pid"
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$program (pid $pid) ignored SIGTERM for 15s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  log "stopped $program (pid $pid)"
}

# Our own processes (built into dist/ by `npm run build`): name, entry point, the log line that means ready.
# The identity provider comes first: the codec server and the gateway read its discovery document at start.
APPS=("identity-provider:dist/workers/identity-provider.js:identity provider ready"
  "orchestrator:dist/workers/orchestrator.js:orchestrator worker ready"
  "mail-sink:dist/workers/mail-sink.js:mail sink listening"
  "notifier:dist/workers/notifier.js:notifier ready"
  "codec-server:dist/workers/codec-server.js:codec server listening"
  "gateway:dist/workers/gateway.js:gateway listening")

# The embedded development identity provider (workers/identity-provider.ts); production points OIDC_ISSUER at Keycloak.
IDP_HOST=${IDP_HOST:-127.0.0.1}
IDP_PORT=${IDP_PORT:-8900}
export OIDC_ISSUER=${OIDC_ISSUER:-http://$IDP_HOST:$IDP_PORT}
GATEWAY_PORT=${GATEWAY_PORT:-8700}
export GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:$GATEWAY_PORT}
# E-mail: the notifier sends to the development SMTP sink (workers/mail-sink.ts), which keeps every mail in
# $DATA_DIR/mail-sink/mails.jsonl and relays nothing; production sets SMTP_URL to the agencies' relay instead.
MAIL_SINK_PORT=${MAIL_SINK_PORT:-2525}
export MAIL_SINK_PORT
export SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:$MAIL_SINK_PORT}
export MAIL_STAFF_DIRECTORY=${MAIL_STAFF_DIRECTORY:-$ROOT/deploy/identity/staff-directory.json}

# Starts the identity provider, worker, mail sink, notifier, codec server and gateway (with the staff web app)
# against the stack (after `up`).
# Needs the codec keys (CODEC_KEY_FILE or CODEC_KEYS) in the environment; demo.sh provides them.
apps_up() {
  mkdir -p "$LOG_DIR" "$PID_DIR"
  local app name entry ready pid_file log_file
  for app in "${APPS[@]}"; do
    IFS=: read -r name entry ready <<<"$app"
    pid_file="$PID_DIR/$name.pid"
    log_file="$LOG_DIR/$name.log"
    if pid_running "$pid_file" "$entry"; then
      log "$name already running (pid $(cat "$pid_file"))"
      continue
    fi
    [ -f "$ROOT/$entry" ] || die "$entry is missing: run npm run build"
    DATA_DIR=$DATA_DIR TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS NATS_URL=$NATS_URL TEMPORAL_UI_URL=$UI_URL \
      start_daemon "$pid_file" "$log_file" node "$ROOT/$entry"
    # shellcheck disable=SC2329 # called by wait_until
    app_ready() { grep -q "$ready" "$log_file"; }
    wait_until app_ready "$pid_file" "$entry" "$log_file"
    log "$name ready (pid $(cat "$pid_file"), log $log_file)"
  done
}

apps_down() {
  local app name entry ready
  for app in "${APPS[@]}"; do
    IFS=: read -r name entry ready <<<"$app"
    stop_pid "$PID_DIR/$name.pid" "$entry"
  done
}

up() {
  bash "$ROOT/scripts/toolchain.sh"
  mkdir -p "$LOG_DIR" "$PID_DIR"
  temporal_up
  nats_up
  log "Temporal UI: $UI_URL"
  log "export TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS NATS_URL=$NATS_URL"
}

down() {
  apps_down
  stop_pid "$TEMPORAL_PID" temporal
  stop_pid "$NATS_PID" nats-server
}

status() {
  if pid_running "$TEMPORAL_PID" temporal; then
    local health=starting
    temporal_healthy && health=serving
    log "Temporal: running, $health (pid $(cat "$TEMPORAL_PID")) at $TEMPORAL_ADDRESS, UI $UI_URL"
  elif tcp_open "$TEMPORAL_IP" "$TEMPORAL_PORT"; then
    log "Temporal: something not started by this script listens on $TEMPORAL_ADDRESS"
  else
    log "Temporal: not running"
  fi
  if pid_running "$NATS_PID" nats-server; then
    log "NATS: running (pid $(cat "$NATS_PID")) at $nats_first"
  elif nats_ready; then
    log "NATS: reachable at $nats_first (not started by this script)"
  else
    log "NATS: not running"
  fi
}

case "${1:-}" in
  up) up ;;
  apps) apps_up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 up|apps|down|status" >&2
    exit 2
    ;;
esac
