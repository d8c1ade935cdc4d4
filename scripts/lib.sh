# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
# Callers set `set -euo pipefail` themselves so that each script reads as a complete program.

# Absolute path of the repository, whatever the caller's working directory.
repo_root() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

ROOT="${ROOT:-$(repo_root)}"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"
# Runtime state (databases, logs, pid files). Relative paths are taken from the repository root so
# that `DATA_DIR=.data` means the same thing from any directory.
DATA_DIR="${DATA_DIR:-.data}"
case "$DATA_DIR" in /*) ;; *) DATA_DIR="$ROOT/$DATA_DIR" ;; esac

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*"; }
warn() { printf '[%s] warning: %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "$(basename "$0" .sh)" "$*" >&2
  exit 1
}

# Wall-clock milliseconds, and seconds elapsed since such a timestamp (one decimal) for timing logs.
now_ms() { date +%s%3N; }
secs_since() {
  local d=$(($(now_ms) - $1))
  printf '%d.%d' $((d / 1000)) $((d % 1000 / 100))
}

# The Temporal CLI: PATH first (a user's own install wins), else the project-local build.
temporal_bin() {
  if command -v temporal >/dev/null 2>&1; then
    command -v temporal
  elif [ -x "$ROOT/.tools/bin/temporal" ]; then
    printf '%s\n' "$ROOT/.tools/bin/temporal"
  fi
}

# nats-server: the pinned release scripts/toolchain.sh builds into .tools/bin first (tests, the dev stack and
# production run one NATS), else one on PATH or in Debian's /usr/sbin (not on a non-root user's PATH).
nats_bin() {
  if [ -x "$ROOT/.tools/bin/nats-server" ]; then
    printf '%s\n' "$ROOT/.tools/bin/nats-server"
  elif command -v nats-server >/dev/null 2>&1; then
    command -v nats-server
  else
    local candidate
    for candidate in /usr/sbin/nats-server /usr/local/sbin/nats-server /usr/local/bin/nats-server; do
      if [ -x "$candidate" ]; then
        printf '%s\n' "$candidate"
        return
      fi
    done
  fi
}

# The production topology's binaries, built by `scripts/toolchain.sh --prod` (Go module binaries are named after
# their package directory: the Temporal server and the UI server are both `server`, the SQL tool `sql`).
# shellcheck disable=SC2034 # read by the scripts that source this file
{
  TEMPORAL_SERVER_DIR="$ROOT/.tools/temporal-server"
  TEMPORAL_SERVER_BIN="$TEMPORAL_SERVER_DIR/bin/server"
  TEMPORAL_SQL_BIN="$TEMPORAL_SERVER_DIR/bin/temporal-sql-tool"
  # Temporal's PostgreSQL schema files, copied from the server module at build time.
  TEMPORAL_SCHEMA_DIR="$TEMPORAL_SERVER_DIR/schema/postgresql/v12"
  UI_SERVER_DIR="$ROOT/.tools/ui-server"
  UI_SERVER_BIN="$UI_SERVER_DIR/bin/server"
}

# Node.js LTS from .tools/node (scripts/toolchain.sh), ahead of the system's node on PATH, so tests and our
# processes run on a supported release. USE_SYSTEM_NODE=1 keeps the system's node.
PROJECT_NODE_DIR="$ROOT/.tools/node"
use_project_node() {
  [ "${USE_SYSTEM_NODE:-}" = 1 ] && return 0
  if [ -x "$PROJECT_NODE_DIR/bin/node" ]; then
    case ":$PATH:" in
      *":$PROJECT_NODE_DIR/bin:"*) ;;
      *) export PATH="$PROJECT_NODE_DIR/bin:$PATH" ;;
    esac
  fi
}

# Go may be installed outside PATH (the official tarball goes to /usr/local/go).
go_bin() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    printf '%s\n' /usr/local/go/bin/go
  fi
}

# True when something accepts TCP connections on host:port (bash's /dev/tcp, so no nc needed).
tcp_open() {
  timeout 2 bash -c ": >/dev/tcp/$1/$2" 2>/dev/null
}

# True when the pid in pid file $1 is alive and is still the program named $2 (pids get reused).
pid_running() {
  local pid_file=$1 program=$2 pid
  [ -f "$pid_file" ] || return 1
  pid=$(cat "$pid_file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$program"
}

# Starts "$@" in its own session (so closing the terminal does not stop it) with output appended to log file $2
# (after a line that marks the start: a restart keeps the log of the run that died) and its pid in file $1. The pid
# is written by the process itself, before exec, so it is the server's pid even if setsid has to fork.
start_daemon() {
  local pid_file=$1 log_file=$2
  shift 2
  printf '=== %s: starting %s\n' "$(date -u +%FT%TZ)" "$(basename "$pid_file" .pid)" >>"$log_file"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pid_file" "$@" >>"$log_file" 2>&1 </dev/null &
  local _
  for _ in $(seq 50); do [ -s "$pid_file" ] && return; sleep 0.1; done
  die "could not start $1 (see $log_file)"
}

# Waits for check "$1" to succeed while the process in pid file $2 (program $3) lives; fails with the tail of log
# file $4. STARTUP_TIMEOUT seconds at most (default 60).
wait_until() {
  local check=$1 pid_file=$2 program=$3 log_file=$4 started=$SECONDS
  until $check; do
    if ! pid_running "$pid_file" "$program"; then
      tail -n 20 "$log_file" | cut -c1-400 >&2 || true
      die "$program exited during startup (log: $log_file)"
    fi
    if ((SECONDS - started >= ${STARTUP_TIMEOUT:-60})); then
      tail -n 20 "$log_file" | cut -c1-400 >&2 || true
      die "$program not ready after ${STARTUP_TIMEOUT:-60}s (log: $log_file)"
    fi
    sleep 0.5
  done
}

# Stops the process in pid file $1 if it is still program $2: TERM, then KILL after 15s.
stop_pid() {
  local pid_file=$1 program=$2 pid _
  if [ ! -f "$pid_file" ]; then
    return 0
  fi
  if ! pid_running "$pid_file" "$program"; then
    rm -f "$pid_file"
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
  log "stopped $(basename "$pid_file" .pid) (pid $pid)"
}
