#!/usr/bin/env bash
# The production topology as processes on one machine, no Docker (`npm run stack:prod-local -- up|down|status`):
#   - Temporal server (.tools, scripts/toolchain.sh --prod) on this machine's PostgreSQL, its schema created and
#     migrated by Temporal's SQL tool, the frontend serving mTLS only (a development CA from deploy/tls/dev-ca.sh),
#     internode mTLS, the namespace and our search attributes registered;
#   - the Temporal Web UI server, connected to the frontend with its own client certificate, and to our codec server;
#   - a three-node NATS JetStream cluster on loopback (routes between the nodes; stream and KV buckets at 3 replicas),
#     with TLS for clients and one NKEY identity per process when deploy/nats/client-access.conf asks for them;
#   - our processes: the dev identity provider, two orchestrator workers, the notifier, the codec server and the
#     gateway (a table below: one line per process; an entry point not built is skipped).
# The same files drive docker-compose.prod.yml: deploy/temporal/config/production.yaml (server configuration),
# deploy/temporal/dynamicconfig/, deploy/temporal/setup-schema.sh and setup-namespace.sh, deploy/nats/cluster-*.conf
# and client-access.conf.
# docs/production.md explains each part and how it maps to the compose file.
#
#   up       start what is not running (idempotent: a second `up` reuses what runs, restarts what died)
#   down     stop everything this script started (TERM, then KILL after 15 s); data is kept for the next `up`
#   status   what runs where (exit 1 if a part is not running)
#   purge    down, then drop the two databases and delete the state directory
#   ports    the TCP ports the topology listens on, one a line (for tests that pick a free PROD_LOCAL_PORT_BASE)
#
# Settings (environment):
#   PROD_LOCAL_PORT_BASE       17000, at most 31000: frontend base+233, UI base+80, NATS base+422..424, codec server
#                              base+888, gateway base+700, identity provider base+900 (`ports` lists them all)
#   PROD_LOCAL_DB              temporal_prodlocal (the visibility database: <db>_visibility)
#   PGHOST PGPORT PGUSER PGPASSWORD   127.0.0.1, 5432, postgres, none
#   PROD_LOCAL_HISTORY_SHARDS  4 (fixed once the database exists)
#   PROD_LOCAL_APPS            a comma-separated subset of the process table below (`none`: the servers alone)
#   PROD_LOCAL_UI=0            no Web UI;  PROD_LOCAL_INTERNODE_TLS=0  no internode mTLS
#   PROD_LOCAL_NO_BUILD=1      fail, naming the build command, instead of building missing tools
#   DATA_DIR                   state in $DATA_DIR/prod-local (PROD_LOCAL_DIR), certificates in $DATA_DIR/tls
#                              (PROD_LOCAL_TLS_DIR)
# Our processes inherit the caller's environment (e.g. NOTIFIER_WEBHOOK_<AGENCY>), with the topology's addresses
# and credentials set over it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

BASE=${PROD_LOCAL_PORT_BASE:-17000}
# Temporal stores its services' ports in a PostgreSQL smallint (cluster_membership.rpc_port): all must stay < 32768.
if ! [[ "$BASE" =~ ^[0-9]+$ ]] || ((BASE < 1024 || BASE > 31000)); then
  die "PROD_LOCAL_PORT_BASE must be 1024..31000"
fi
PL="${PROD_LOCAL_DIR:-$DATA_DIR/prod-local}"
TLS_DIR="${PROD_LOCAL_TLS_DIR:-$DATA_DIR/tls}"
LOG_DIR="$PL/logs"
PID_DIR="$PL/pids"
DB=${PROD_LOCAL_DB:-temporal_prodlocal}
VIS_DB="${DB}_visibility"
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "PROD_LOCAL_DB must be a lower-case SQL identifier"
PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-postgres}
PG_PASSWORD=${PGPASSWORD:-}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-90}

# Ports, all on 127.0.0.1.
FRONTEND_PORT=$((BASE + 233))
TEMPORAL_ADDRESS="127.0.0.1:$FRONTEND_PORT"
UI_PORT=$((BASE + 80))
UI_URL="http://127.0.0.1:$UI_PORT"
CODEC_PORT=$((BASE + 888))
CODEC_URL="http://127.0.0.1:$CODEC_PORT"
IDP_PORT=$((BASE + 900))
GATEWAY_PORT=$((BASE + 700))
NATS_NODES=(1 2 3)
nats_port() { echo $((BASE + 421 + $1)); }
nats_cluster_port() { echo $((BASE + 621 + $1)); }
nats_monitor_port() { echo $((BASE + 821 + $1)); }
# The servers' client access (TLS, NKEY users and their permissions) comes from the deployment's own file when it
# has one; then clients connect with tls:// and an identity each (`cases setup --auth-config` writes them).
NATS_ACCESS="$ROOT/deploy/nats/client-access.conf"
NATS_AUTH="$PL/nats/auth.conf"
NATS_CREDENTIALS="$NATS_AUTH.credentials"
NATS_SCHEME=nats
[ -f "$NATS_ACCESS" ] && NATS_SCHEME=tls
NATS_URL=$(for n in "${NATS_NODES[@]}"; do printf '%s://127.0.0.1:%s,' "$NATS_SCHEME" "$(nats_port "$n")"; done)
NATS_URL=${NATS_URL%,}

# Our processes. One line each: name | entry point (npm run build) | log line that means ready (empty: alive after
# 3 s) | Temporal client certificate (empty: no Temporal access) | payload keys (keys: gets the codec keys) | NATS
# identity (empty: no NATS access) | extra environment (space-separated NAME=value). Every process gets OIDC_ISSUER
# (the identity provider). A missing entry point is skipped with a note. FIRST_APPS start, and are ready, before
# APPS start (in parallel): the codec server and the gateway read the identity provider's discovery document and
# its generated client secrets at start.
FIRST_APPS=(
  "identity-provider|dist/workers/identity-provider.js|identity provider ready||||IDP_HOST=127.0.0.1 IDP_PORT=$IDP_PORT"
)
APPS=(
  "orchestrator-1|dist/workers/orchestrator.js|orchestrator worker ready|worker|keys|orchestrator|TEMPORAL_METRICS_ADDRESS=127.0.0.1:$((BASE + 464))"
  "orchestrator-2|dist/workers/orchestrator.js|orchestrator worker ready|worker|keys|orchestrator|TEMPORAL_METRICS_ADDRESS=127.0.0.1:$((BASE + 465))"
  "notifier|dist/workers/notifier.js|notifier ready|||notifier|METRICS_PORT=$((BASE + 466)) METRICS_HOST=127.0.0.1"
  "codec-server|dist/workers/codec-server.js|codec server listening||keys||CODEC_SERVER_HOST=127.0.0.1 CODEC_SERVER_PORT=$CODEC_PORT CODEC_ALLOWED_ORIGIN=$UI_URL"
  "gateway|dist/workers/gateway.js|gateway listening|gateway|keys|gateway|GATEWAY_HOST=127.0.0.1 GATEWAY_PORT=$GATEWAY_PORT GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT"
)

selected_app() {
  [ -z "${PROD_LOCAL_APPS:-}" ] && return 0
  case ",$PROD_LOCAL_APPS," in *",$1,"*) return 0 ;; *) return 1 ;; esac
}

# ---- tools ------------------------------------------------------------------------------------------------------

require_tools() {
  if [ "${PROD_LOCAL_NO_BUILD:-}" != 1 ]; then
    TOOLCHAIN_QUIET=1 bash "$ROOT/scripts/toolchain.sh" --prod
  fi
  local missing=()
  [ -x "$TEMPORAL_SERVER_BIN" ] || missing+=("$TEMPORAL_SERVER_BIN")
  [ -x "$TEMPORAL_SQL_BIN" ] || missing+=("$TEMPORAL_SQL_BIN")
  [ -d "$TEMPORAL_SCHEMA_DIR" ] || missing+=("$TEMPORAL_SCHEMA_DIR")
  [ "${PROD_LOCAL_UI:-1}" = 0 ] || [ -x "$UI_SERVER_BIN" ] || missing+=("$UI_SERVER_BIN")
  [ -n "$(temporal_bin)" ] || missing+=(temporal)
  [ "$("$(nats_bin)" --version 2>/dev/null)" = "nats-server: v$NATS_SERVER_VERSION" ] ||
    missing+=("nats-server v$NATS_SERVER_VERSION (.tools/bin/nats-server)")
  [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]}. Build them with: bash scripts/toolchain.sh --prod"
  [ -f "$ROOT/dist/workers/orchestrator.js" ] || die "dist/ is missing: run npm run build"
  use_project_node
}

# ---- credentials ------------------------------------------------------------------------------------------------

# The dev CA and certificates (idempotent), and a payload key (made once, kept in $PL). The codec server gets no
# break-glass token: admins sign in to it through the identity provider.
credentials() {
  bash "$ROOT/deploy/tls/dev-ca.sh" "$TLS_DIR" | sed 's/^/[prod-local] /'
  if [ -z "${CODEC_KEYS:-}${CODEC_KEY_FILE:-}" ]; then
    export CODEC_KEY_FILE="$PL/codec-keys.json"
    if [ ! -f "$CODEC_KEY_FILE" ]; then
      node -e 'require("./dist/src/temporal/keyring").generateDevKeyFile(process.argv[1])' "$PL" >/dev/null
      log "generated a development payload key: $CODEC_KEY_FILE"
    fi
  fi
}

# Runs "$@" as the admin: the Temporal CLI reads TEMPORAL_ADDRESS and the TEMPORAL_TLS_* files from the
# environment (so do our processes and the Web UI server).
as_admin() {
  TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS TEMPORAL_TLS_CA="$TLS_DIR/ca.pem" TEMPORAL_TLS_CERT="$TLS_DIR/admin.pem" \
    TEMPORAL_TLS_KEY="$TLS_DIR/admin-key.pem" PATH="$(dirname "$(temporal_bin)"):$PATH" "$@"
}

# ---- NATS -------------------------------------------------------------------------------------------------------

# Each node's configuration is generated from deploy/nats/cluster-N.conf (the compose file's): its server name, the
# cluster's name, JetStream, with the network and the store on this machine (loopback ports instead of the compose
# network's names, a store under $PL). Client access is deploy/nats/client-access.conf itself, copied next to this
# topology's own auth.conf (which it includes as ./auth.conf): TLS with the development CA's nats-server
# certificate (NATS_TLS_CERT/KEY in the server's environment, as in compose) and the NKEY users; the routes use
# deploy/nats/cluster-tls.conf, mutual TLS with the nats-route certificate (NATS_ROUTE_CERT/KEY/CA).
nats_config() {
  local n=$1 dir="$PL/nats/$1" conf routes='' m name
  mkdir -p "$dir/store"
  conf="$dir/nats.conf"
  name=$(sed -n 's/^server_name:[[:space:]]*\([[:alnum:]_-]*\).*/\1/p' "$ROOT/deploy/nats/cluster-$n.conf")
  [ -n "$name" ] || die "no server_name in deploy/nats/cluster-$n.conf"
  for m in "${NATS_NODES[@]}"; do routes+="${routes:+, }nats-route://127.0.0.1:$(nats_cluster_port "$m")"; done
  # With client TLS, the routes get theirs too: mutual TLS between the nodes (deploy/nats/cluster-tls.conf).
  local route_tls=''
  if [ "$NATS_SCHEME" = tls ]; then route_tls='include "../cluster-tls.conf"'; fi
  cat >"$conf" <<EOF
# Generated by scripts/prod-local.sh from deploy/nats/cluster-$n.conf, on loopback (rewritten by every up).
server_name: $name
listen: 127.0.0.1:$(nats_port "$n")
http: 127.0.0.1:$(nats_monitor_port "$n")
jetstream { store_dir: "$dir/store" }
cluster {
  name: cases
  listen: 127.0.0.1:$(nats_cluster_port "$n")
  routes: [ $routes ]
  $route_tls
}
EOF
  if [ "$NATS_SCHEME" = tls ]; then printf 'include "../client-access.conf"\n' >>"$conf"; fi
  printf '%s\n' "$conf"
}

# The NKEY users and their credentials (`cases setup --auth-config`: idempotent, keeps existing seeds, needs no
# server; it then tries to provision and cannot yet, which is expected here), and the access file beside them.
nats_access() {
  [ "$NATS_SCHEME" = tls ] || return 0
  mkdir -p "$PL/nats"
  cp "$NATS_ACCESS" "$PL/nats/client-access.conf"
  cp "$(dirname "$NATS_ACCESS")/cluster-tls.conf" "$PL/nats/cluster-tls.conf"
  NATS_URL=nats://127.0.0.1:1 LOG_LEVEL=error node "$ROOT/bin/cases" setup --auth-config "$NATS_AUTH" \
    >"$LOG_DIR/nats-auth.log" 2>&1 || true
  if ! [ -f "$NATS_AUTH" ] || ! [ -f "$NATS_CREDENTIALS/admin.env" ]; then
    tail -n 20 "$LOG_DIR/nats-auth.log" >&2
    die "cases setup --auth-config did not write $NATS_AUTH (log: $LOG_DIR/nats-auth.log)"
  fi
}

# nats_identity NAME: the environment of a NATS client with that identity (its .env file: the seed file, the reply
# prefix) and the CA of the servers' certificate. Nothing without client access configured.
nats_identity() {
  [ "$NATS_SCHEME" = tls ] || return 0
  [ -f "$NATS_CREDENTIALS/$1.env" ] || die "no NATS identity $1 in $NATS_CREDENTIALS"
  grep -E '^NATS_[A-Z_]+=' "$NATS_CREDENTIALS/$1.env"
  printf '%s\n' "NATS_TLS_CA_FILE=$TLS_DIR/ca.pem"
}

http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }

nats_up() {
  local n started=() conf
  for n in "${NATS_NODES[@]}"; do
    if pid_running "$PID_DIR/nats-$n.pid" nats-server; then continue; fi
    if tcp_open 127.0.0.1 "$(nats_port "$n")"; then
      die "port $(nats_port "$n") is in use by another process (PROD_LOCAL_PORT_BASE)"
    fi
    conf=$(nats_config "$n")
    start_daemon "$PID_DIR/nats-$n.pid" "$LOG_DIR/nats-$n.log" env NATS_TLS_CERT="$TLS_DIR/nats-server.pem" \
      NATS_TLS_KEY="$TLS_DIR/nats-server-key.pem" NATS_ROUTE_CERT="$TLS_DIR/nats-route.pem" \
      NATS_ROUTE_KEY="$TLS_DIR/nats-route-key.pem" NATS_ROUTE_CA="$TLS_DIR/ca.pem" "$(nats_bin)" -c "$conf"
    started+=("$n")
  done
  # A node is healthy once JetStream is up and it knows the meta leader: the cluster has a quorum.
  for n in "${NATS_NODES[@]}"; do
    # shellcheck disable=SC2329 # called by wait_until
    nats_healthy() { http_ok "http://127.0.0.1:$(nats_monitor_port "$n")/healthz"; }
    wait_until nats_healthy "$PID_DIR/nats-$n.pid" nats-server "$LOG_DIR/nats-$n.log"
  done
  [ ${#started[@]} -gt 0 ] && log "NATS cluster ready: nodes ${started[*]} started ($NATS_URL)"
  return 0
}

# ---- Temporal ---------------------------------------------------------------------------------------------------

# The server's environment, and nothing else: deploy/temporal/config/production.yaml reads only these.
temporal_env() {
  local tls=$TLS_DIR
  printf '%s\n' "PATH=$PATH" "HOME=${HOME:-/tmp}" \
    "LOG_LEVEL=${PROD_LOCAL_TEMPORAL_LOG_LEVEL:-warn}" \
    "NUM_HISTORY_SHARDS=${PROD_LOCAL_HISTORY_SHARDS:-4}" \
    "POSTGRES_SEEDS=$PG_HOST" "DB_PORT=$PG_PORT" "POSTGRES_USER=$PG_USER" "POSTGRES_PWD=$PG_PASSWORD" \
    "DBNAME=$DB" "VISIBILITY_DBNAME=$VIS_DB" "SQL_MAX_CONNS=10" "SQL_MAX_IDLE_CONNS=10" "SQL_VIS_MAX_CONNS=4" \
    "BIND_ON_IP=127.0.0.1" "TEMPORAL_BROADCAST_ADDRESS=127.0.0.1" \
    "FRONTEND_GRPC_PORT=$FRONTEND_PORT" "FRONTEND_HTTP_PORT=$((BASE + 243))" \
    "HISTORY_GRPC_PORT=$((BASE + 234))" "MATCHING_GRPC_PORT=$((BASE + 235))" "WORKER_GRPC_PORT=$((BASE + 239))" \
    "FRONTEND_MEMBERSHIP_PORT=$((BASE + 933))" "HISTORY_MEMBERSHIP_PORT=$((BASE + 934))" \
    "MATCHING_MEMBERSHIP_PORT=$((BASE + 935))" "WORKER_MEMBERSHIP_PORT=$((BASE + 939))" \
    "PROMETHEUS_ENDPOINT=127.0.0.1:$((BASE + 800))" \
    "DYNAMIC_CONFIG_FILE_PATH=$ROOT/deploy/temporal/dynamicconfig/production-sql.yaml" \
    "TEMPORAL_TLS_CA=$tls/ca.pem" \
    "TEMPORAL_TLS_FRONTEND_CERT=$tls/frontend.pem" "TEMPORAL_TLS_FRONTEND_KEY=$tls/frontend-key.pem" \
    "TEMPORAL_TLS_SYSTEM_WORKER_CERT=$tls/system-worker.pem" \
    "TEMPORAL_TLS_SYSTEM_WORKER_KEY=$tls/system-worker-key.pem" \
    "TEMPORAL_TLS_FRONTEND_SERVER_NAME=localhost"
  if [ "${PROD_LOCAL_INTERNODE_TLS:-1}" = 1 ]; then
    printf '%s\n' "TEMPORAL_TLS_INTERNODE_CERT=$tls/internode.pem" "TEMPORAL_TLS_INTERNODE_KEY=$tls/internode-key.pem" \
      "TEMPORAL_TLS_INTERNODE_SERVER_NAME=localhost"
  fi
}

# The databases and their schema, with Temporal's SQL tool through the same script as the compose file's job.
temporal_schema() {
  local started
  started=$(now_ms)
  env SQL_PLUGIN=postgres12 SQL_HOST="$PG_HOST" SQL_PORT="$PG_PORT" SQL_USER="$PG_USER" SQL_PASSWORD="$PG_PASSWORD" \
    DBNAME="$DB" VISIBILITY_DBNAME="$VIS_DB" SCHEMA_ROOT="$TEMPORAL_SCHEMA_DIR" \
    PATH="$(dirname "$TEMPORAL_SQL_BIN"):$PATH" \
    sh "$ROOT/deploy/temporal/setup-schema.sh" >"$LOG_DIR/temporal-schema.log" 2>&1 || {
    tail -n 20 "$LOG_DIR/temporal-schema.log" >&2
    die "schema setup failed (log: $LOG_DIR/temporal-schema.log); is PostgreSQL at $PG_HOST:$PG_PORT?"
  }
  log "schema of $DB and $VIS_DB up to date ($(secs_since "$started")s)"
}

temporal_healthy() {
  as_admin "$(temporal_bin)" operator cluster health --command-timeout 2s >/dev/null 2>&1
}

# "--search-attribute=Name=Type" arguments from the one list that workflows, tests and the dev stack use.
search_attribute_args() {
  # shellcheck disable=SC2016 # JavaScript template literal, not a shell expansion
  node -e 'for (const [k, v] of Object.entries(require(process.argv[1]))) console.log(`--search-attribute=${k}=${v}`)' \
    "$ROOT/src/temporal/search-attributes.json"
}

temporal_namespace() {
  local args=()
  mapfile -t args < <(search_attribute_args)
  as_admin env TEMPORAL_NAMESPACE=default sh "$ROOT/deploy/temporal/setup-namespace.sh" "${args[@]}" \
    >"$LOG_DIR/temporal-setup.log" 2>&1 || {
    tail -n 20 "$LOG_DIR/temporal-setup.log" >&2
    die "namespace setup failed (log: $LOG_DIR/temporal-setup.log)"
  }
  log "namespace default ready with our search attributes"
}

temporal_up() {
  if pid_running "$PID_DIR/temporal.pid" "$TEMPORAL_SERVER_BIN"; then
    wait_until temporal_healthy "$PID_DIR/temporal.pid" "$TEMPORAL_SERVER_BIN" "$LOG_DIR/temporal.log"
    return
  fi
  tcp_open 127.0.0.1 "$FRONTEND_PORT" && die "port $FRONTEND_PORT is in use by another process (PROD_LOCAL_PORT_BASE)"
  temporal_schema
  local started env_vars=()
  started=$(now_ms)
  mapfile -t env_vars < <(temporal_env)
  start_daemon "$PID_DIR/temporal.pid" "$LOG_DIR/temporal.log" env -i "${env_vars[@]}" \
    "$TEMPORAL_SERVER_BIN" --root "$ROOT" --config deploy/temporal/config --env production --allow-no-auth start
  wait_until temporal_healthy "$PID_DIR/temporal.pid" "$TEMPORAL_SERVER_BIN" "$LOG_DIR/temporal.log"
  log "Temporal server ready in $(secs_since "$started")s at $TEMPORAL_ADDRESS (mTLS)"
  temporal_namespace
}

# ---- Web UI -----------------------------------------------------------------------------------------------------

# The UI server's own config/docker.yaml (the temporalio/ui image's, same variables as in docker-compose.prod.yml),
# bound to loopback.
ui_up() {
  [ "${PROD_LOCAL_UI:-1}" = 0 ] && return
  if pid_running "$PID_DIR/temporal-ui.pid" "$UI_SERVER_BIN"; then return; fi
  tcp_open 127.0.0.1 "$UI_PORT" && die "port $UI_PORT is in use by another process (PROD_LOCAL_PORT_BASE)"
  mkdir -p "$PL/ui/config"
  { cat "$UI_SERVER_DIR/config/docker.yaml" && printf '\nhost: 127.0.0.1\n'; } >"$PL/ui/config/docker.yaml"
  cp "$UI_SERVER_DIR/config/base.yaml" "$PL/ui/config/base.yaml"
  start_daemon "$PID_DIR/temporal-ui.pid" "$LOG_DIR/temporal-ui.log" env \
    TEMPORAL_ADDRESS="$TEMPORAL_ADDRESS" TEMPORAL_UI_PORT="$UI_PORT" TEMPORAL_DEFAULT_NAMESPACE=default \
    TEMPORAL_TLS_CA="$TLS_DIR/ca.pem" TEMPORAL_TLS_CERT="$TLS_DIR/ui.pem" TEMPORAL_TLS_KEY="$TLS_DIR/ui-key.pem" \
    TEMPORAL_TLS_ENABLE_HOST_VERIFICATION=true TEMPORAL_TLS_SERVER_NAME=localhost \
    TEMPORAL_CODEC_ENDPOINT="$CODEC_URL" TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true \
    TEMPORAL_CSRF_COOKIE_INSECURE=true TEMPORAL_CORS_ORIGINS="$UI_URL" TEMPORAL_NOTIFY_ON_NEW_VERSION=false \
    "$UI_SERVER_BIN" --root "$PL/ui" --env docker start
  # Ready once it answers, and reaches the frontend with its certificate (the namespace comes back).
  # shellcheck disable=SC2329 # called by wait_until
  ui_healthy() { http_ok "$UI_URL/api/v1/namespaces/default"; }
  wait_until ui_healthy "$PID_DIR/temporal-ui.pid" "$UI_SERVER_BIN" "$LOG_DIR/temporal-ui.log"
  log "Temporal Web UI ready at $UI_URL"
}

# ---- our processes ----------------------------------------------------------------------------------------------

# The stream, consumers and KV buckets at 3 replicas, by the admin tooling (cases setup), before any process uses them.
jetstream_setup() {
  local admin=()
  mapfile -t admin < <(nats_identity admin)
  env "${admin[@]}" NATS_URL="$NATS_URL" NATS_REPLICAS=3 LOG_LEVEL=warn node "$ROOT/bin/cases" setup \
    >"$LOG_DIR/jetstream-setup.log" 2>&1 || {
    tail -n 20 "$LOG_DIR/jetstream-setup.log" >&2
    die "JetStream setup failed (log: $LOG_DIR/jetstream-setup.log)"
  }
}

# app_env CERT KEYS IDENTITY EXTRA: the environment of one process, over the caller's own.
app_env() {
  local cert=$1 keys=$2 identity=$3 extra=$4
  local vars=(
    "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS" TEMPORAL_NAMESPACE=default "NATS_URL=$NATS_URL" NATS_REPLICAS=3
    "TEMPORAL_UI_URL=$UI_URL" "DATA_DIR=$PL" "LOG_LEVEL=${LOG_LEVEL:-info}" "OIDC_ISSUER=http://127.0.0.1:$IDP_PORT"
  )
  if [ -n "$cert" ]; then
    vars+=("TEMPORAL_TLS_CA=$TLS_DIR/ca.pem" "TEMPORAL_TLS_CERT=$TLS_DIR/$cert.pem")
    vars+=("TEMPORAL_TLS_KEY=$TLS_DIR/$cert-key.pem")
  fi
  if [ "$keys" = keys ]; then
    vars+=("CODEC_KEY_FILE=${CODEC_KEY_FILE:-}" "CODEC_KEYS=${CODEC_KEYS:-}")
  fi
  if [ -n "$identity" ]; then mapfile -t -O "${#vars[@]}" vars < <(nats_identity "$identity"); fi
  local word
  for word in $extra; do vars+=("$word"); done
  printf '%s\n' "${vars[@]}"
}

# start_apps LINE...: starts the processes of these table lines that do not run, then waits until all are ready.
start_apps() {
  local app name entry ready cert keys identity extra offset item started vars=() waiting=()
  for app in "$@"; do
    IFS='|' read -r name entry ready cert keys identity extra <<<"$app"
    selected_app "$name" || continue
    if [ ! -f "$ROOT/$entry" ]; then
      log "$name: $entry not built (yet); skipped"
      continue
    fi
    pid_running "$PID_DIR/$name.pid" "$entry" && continue
    mapfile -t vars < <(app_env "$cert" "$keys" "$identity" "$extra")
    # Readiness is read from what this start writes, after the log's current end.
    offset=$(($(stat -c %s "$LOG_DIR/$name.log" 2>/dev/null || echo 0) + 1))
    # A process gets the credentials of its line only, never the caller's: payload keys, Temporal and NATS identities.
    start_daemon "$PID_DIR/$name.pid" "$LOG_DIR/$name.log" env -u CODEC_KEYS -u CODEC_KEY_FILE -u CODEC_SERVER_TOKEN \
      -u TEMPORAL_TLS_CERT -u TEMPORAL_TLS_KEY -u NATS_NKEY_SEED_FILE -u NATS_INBOX_PREFIX -u NATS_CREDS_FILE \
      -u NATS_USER -u NATS_PASSWORD "${vars[@]}" node "$ROOT/$entry"
    waiting+=("$name|$entry|$ready|$offset")
  done
  started=$SECONDS
  for item in "${waiting[@]}"; do
    IFS='|' read -r name entry ready offset <<<"$item"
    if [ -n "$ready" ]; then
      # shellcheck disable=SC2329 # called by wait_until
      app_ready() { grep -q "$ready" < <(tail -c "+$offset" "$LOG_DIR/$name.log"); }
    else
      # shellcheck disable=SC2329 # called by wait_until
      app_ready() { ((SECONDS - started >= 3)); }
    fi
    wait_until app_ready "$PID_DIR/$name.pid" "$entry" "$LOG_DIR/$name.log"
    log "$name ready (pid $(cat "$PID_DIR/$name.pid"))"
  done
}

apps_up() {
  start_apps "${FIRST_APPS[@]}"
  start_apps "${APPS[@]}"
}

# ---- commands ---------------------------------------------------------------------------------------------------

# What an admin's shell needs to reach the topology (`source` it): the Temporal CLI, `node bin/cases`, scripts.
write_client_env() {
  cat >"$PL/client.env" <<EOF
# Generated by scripts/prod-local.sh up: the admin's client settings for the production topology. Source it:
#   . $PL/client.env && temporal workflow list && node bin/cases login --as fiscal-017 && node bin/cases list
export TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS
export TEMPORAL_NAMESPACE=default
export TEMPORAL_TLS_CA=$TLS_DIR/ca.pem
export TEMPORAL_TLS_CERT=$TLS_DIR/admin.pem
export TEMPORAL_TLS_KEY=$TLS_DIR/admin-key.pem
# A name on the frontend's certificate (clients dial an IP address).
export TEMPORAL_TLS_SERVER_NAME=localhost
export NATS_URL=$NATS_URL
$(nats_identity admin | sed 's/^/export /')
export NATS_REPLICAS=3
export TEMPORAL_UI_URL=$UI_URL
export CODEC_ENDPOINT=$CODEC_URL
# The cases CLI goes through the gateway; cases login --as <dev account> reads the dev provider secrets in DATA_DIR.
export CASES_GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT
export OIDC_ISSUER=http://127.0.0.1:$IDP_PORT
export DATA_DIR=$PL
${CODEC_KEY_FILE:+export CODEC_KEY_FILE=$CODEC_KEY_FILE}
export PROD_LOCAL_DIR=$PL
export PROD_LOCAL_PORT_BASE=$BASE
export PROD_LOCAL_DB=$DB
EOF
  chmod 600 "$PL/client.env"
}

up() {
  local started
  started=$(now_ms)
  require_tools
  mkdir -p "$LOG_DIR" "$PID_DIR"
  chmod 700 "$PL"
  credentials
  nats_access
  nats_up
  temporal_up
  jetstream_setup
  ui_up
  apps_up
  write_client_env
  log "production topology up in $(secs_since "$started")s"
  status || true
}

down() {
  local i name entry all=("${FIRST_APPS[@]}" "${APPS[@]}")
  for ((i = ${#all[@]} - 1; i >= 0; i--)); do
    IFS='|' read -r name entry _ <<<"${all[i]}"
    stop_pid "$PID_DIR/$name.pid" "$entry"
  done
  stop_pid "$PID_DIR/temporal-ui.pid" "$UI_SERVER_BIN"
  stop_pid "$PID_DIR/temporal.pid" "$TEMPORAL_SERVER_BIN"
  for n in "${NATS_NODES[@]}"; do stop_pid "$PID_DIR/nats-$n.pid" nats-server; done
  log "production topology stopped (data kept in $PL and databases $DB, $VIS_DB; purge removes them)"
}

purge() {
  down
  local db
  for db in "$DB" "$VIS_DB"; do
    if SQL_PASSWORD=$PG_PASSWORD "$TEMPORAL_SQL_BIN" --plugin postgres12 --ep "$PG_HOST" -p "$PG_PORT" -u "$PG_USER" \
      --db "$db" drop-database -f >/dev/null 2>&1; then
      log "dropped database $db"
    fi
  done
  rm -rf "$PL"
  log "removed $PL (certificates stay in $TLS_DIR)"
}

# status_line NAME PIDFILE PROGRAM WHERE
status_line() {
  if pid_running "$2" "$3"; then
    printf '  %-18s running  pid %-8s %s\n' "$1" "$(cat "$2")" "$4"
  else
    printf '  %-18s DOWN     %-12s %s\n' "$1" '' "$4"
    return 1
  fi
}

status() {
  local ok=0 n app name entry
  log "production topology in $PL (logs in $LOG_DIR):"
  status_line temporal "$PID_DIR/temporal.pid" "$TEMPORAL_SERVER_BIN" \
    "$TEMPORAL_ADDRESS (mTLS), db $DB + $VIS_DB on $PG_HOST:$PG_PORT" || ok=1
  if [ "${PROD_LOCAL_UI:-1}" != 0 ]; then
    status_line temporal-ui "$PID_DIR/temporal-ui.pid" "$UI_SERVER_BIN" "$UI_URL" || ok=1
  fi
  for n in "${NATS_NODES[@]}"; do
    status_line "nats-$n" "$PID_DIR/nats-$n.pid" nats-server \
      "$NATS_SCHEME://127.0.0.1:$(nats_port "$n") (monitor :$(nats_monitor_port "$n"))" || ok=1
  done
  for app in "${FIRST_APPS[@]}" "${APPS[@]}"; do
    IFS='|' read -r name entry _ <<<"$app"
    selected_app "$name" || continue
    if [ ! -f "$ROOT/$entry" ]; then
      printf '  %-18s skipped  (%s not built)\n' "$name" "$entry"
      continue
    fi
    status_line "$name" "$PID_DIR/$name.pid" "$entry" "log $LOG_DIR/$name.log" || ok=1
  done
  log "admin shell: . $PL/client.env   (Temporal CLI, node bin/cases; certificates in $TLS_DIR)"
  log "gateway http://127.0.0.1:$GATEWAY_PORT, identity provider http://127.0.0.1:$IDP_PORT" \
    "(dev accounts: deploy/identity/dev-seed.json," \
    "password: node -p \"require('$PL/identity/secrets.json').devPassword\")"
  log "Web UI decoding: sign in as admin-1 at $CODEC_URL/session, then enable the codec endpoint in the UI (README)"
  return "$ok"
}

ports() {
  local offset
  for offset in 80 233 234 235 239 243 422 423 424 464 465 466 622 623 624 700 800 822 823 824 888 900 \
    933 934 935 939; do
    echo $((BASE + offset))
  done
}

case "${1:-}" in
  up) up ;;
  ports) ports ;;
  down) down ;;
  status) status ;;
  purge) purge ;;
  *)
    echo "usage: $0 up|down|status|purge|ports" >&2
    exit 2
    ;;
esac
