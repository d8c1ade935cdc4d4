# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
# Callers set `set -euo pipefail` themselves so that each script reads as a complete program.

# Absolute path of the repository, whatever the caller's working directory.
repo_root() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

ROOT="${ROOT:-$(repo_root)}"
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

# nats-server: Debian installs it in /usr/sbin, which is not on a non-root user's PATH.
nats_bin() {
  if command -v nats-server >/dev/null 2>&1; then
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
