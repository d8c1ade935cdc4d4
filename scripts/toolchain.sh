#!/usr/bin/env bash
# Makes sure the two servers the project needs exist: the Temporal CLI (dev server + Web UI) and
# nats-server; and, for the Web UI test (test/integration/ui-codec.test.ts), a headless Chromium.
# Idempotent and quiet when all are present, so test.sh and CI can run it every time.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# v1.5.1 is the newest CLI release whose go.mod has no replace directive, so `go install` works.
TEMPORAL_CLI_VERSION=v1.5.1

ensure_temporal() {
  [ -n "$(temporal_bin)" ] && return
  local go
  go=$(go_bin)
  [ -n "$go" ] || die "Temporal CLI not found and Go is not installed. Install Go (https://go.dev/dl/) and" \
    "re-run \`npm run toolchain\`, or put a \`temporal\` binary on PATH (https://docs.temporal.io/cli#install)."
  mkdir -p "$ROOT/.tools/bin"
  # Two concurrent `go install` runs would race on the same output file; the lock serialises them
  # and the second one then finds the binary already built.
  exec 9>"$ROOT/.tools/temporal-build.lock"
  flock 9
  if [ -z "$(temporal_bin)" ]; then
    log "building Temporal CLI $TEMPORAL_CLI_VERSION with Go (first time takes several minutes)..."
    local started=$SECONDS
    GOBIN="$ROOT/.tools/bin" "$go" install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" ||
      die "go install of the Temporal CLI failed (see the output above)"
    log "built $ROOT/.tools/bin/temporal in $((SECONDS - started))s"
  fi
  flock -u 9
}

ensure_nats() {
  [ -n "$(nats_bin)" ] && return
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing nats-server with apt-get..."
    # CI has no stdin: never let dpkg ask questions.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  fi
  [ -n "$(nats_bin)" ] || die "nats-server not found. Install it with \`sudo apt-get install -y nats-server\`" \
    "(Debian/Ubuntu) or from https://github.com/nats-io/nats-server/releases, then re-run \`npm run toolchain\`."
}

# Chromium for the UI test (driven by playwright-core, which downloads no browser). Installed like
# nats-server when running as root with apt-get; otherwise only a warning here, and the UI test itself
# fails saying how to install it.
chromium_bin() {
  local candidate
  for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      printf '%s\n' "$candidate"
      return
    fi
  done
}

ensure_chromium() {
  [ -n "$(chromium_bin)" ] && return
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium with apt-get (for the Web UI test)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [ -n "$(chromium_bin)" ] || warn "chromium not found: the Web UI test will fail. Install it with" \
    "\`sudo apt-get install -y chromium\` (Debian/Ubuntu) or set CHROMIUM_PATH, then re-run \`npm run toolchain\`."
}

ensure_temporal
ensure_nats
ensure_chromium
log "temporal:    $(temporal_bin) ($("$(temporal_bin)" --version | head -n1))"
log "nats-server: $(nats_bin) ($("$(nats_bin)" --version | head -n1))"
# Debian's chromium wrapper script prints a shell warning on some machines; only the version line matters.
if [ -n "$(chromium_bin)" ]; then
  log "chromium:    $(chromium_bin) ($("$(chromium_bin)" --version 2>/dev/null | head -n1))"
fi
