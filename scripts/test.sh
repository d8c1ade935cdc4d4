#!/usr/bin/env bash
# `npm test`: everything CI checks, cheapest first, stopping at the first failure.
# Integration tests start their own Temporal dev server and nats-server (test/support/global-setup.ts), and the
# prod-* tests the production topology (scripts/prod-local.sh on this machine's PostgreSQL), so the only
# prerequisite is the toolchain, which the first step provides on a fresh machine: the Temporal CLI, nats-server,
# Node.js LTS (what the rest runs on), docker-compose, and with --prod the Temporal server and UI server. The first
# run builds them with Go (about 10 minutes); later runs find them in .tools.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step() {
  local name=$1 started
  shift
  log "==> $name"
  started=$(now_ms)
  if ! "$@"; then
    die "$name failed (after $(secs_since "$started")s)"
  fi
  log "ok: $name ($(secs_since "$started")s)"
}

# The compose files cannot be started here (no Docker engine), but docker-compose can resolve them: the dev file
# and every profile of the production file must be valid, and the production file must refuse to run without its
# secrets (they have no defaults). A private empty env file keeps a developer's own .env out of the check.
compose_files() {
  if ! command -v docker-compose >/dev/null 2>&1; then
    printf '[test] error: docker-compose is not installed, so the compose files cannot be validated.\n' >&2
    printf '[test]        Install it (Debian: apt-get install --no-install-recommends docker-compose; the toolchain\n' >&2
    printf '[test]        step does when it runs as root).\n' >&2
    return 1
  fi
  local env_file profile failed=0
  env_file=$(mktemp)
  local secrets=(POSTGRES_PASSWORD=ci-placeholder CODEC_KEYS=ci-placeholder CODEC_OIDC_CLIENT_SECRET=ci-placeholder
    KEYCLOAK_ADMIN_PASSWORD=ci-placeholder KEYCLOAK_PUBLIC_URL=https://id.example.org)
  local unset_secrets=(-u POSTGRES_PASSWORD -u CODEC_KEYS -u CODEC_OIDC_CLIENT_SECRET -u KEYCLOAK_ADMIN_PASSWORD
    -u KEYCLOAK_PUBLIC_URL)
  log "docker-compose.yml"
  docker-compose --env-file "$env_file" -f docker-compose.yml config -q || failed=1
  for profile in '' nats-single nats-cluster; do
    log "docker-compose.prod.yml${profile:+ --profile $profile}"
    env "${unset_secrets[@]}" "${secrets[@]}" \
      docker-compose --env-file "$env_file" -f docker-compose.prod.yml ${profile:+--profile "$profile"} config -q ||
      failed=1
  done
  if env "${unset_secrets[@]}" docker-compose --env-file "$env_file" -f docker-compose.prod.yml config -q 2>/dev/null; then
    # shellcheck disable=SC2016 # the compose syntax, literally
    warn 'docker-compose.prod.yml resolves without its secrets: they must be required (${VAR:?...})'
    failed=1
  fi
  rm -f "$env_file"
  return "$failed"
}

total=$(now_ms)
step toolchain bash scripts/toolchain.sh --prod
# Everything below runs on the toolchain's Node.js LTS (USE_SYSTEM_NODE=1 keeps the system's).
use_project_node
log "node $(node --version) ($(command -v node))"
# The build (dist/) is what the CLI test runs as a real process; the typecheck adds the tests.
step build npm run --silent build
step typecheck npx tsc -p tsconfig.json --noEmit
step lint npx eslint .
step format npx prettier --check --log-level warn .
step 'compose files' compose_files
step 'unit tests' npx jest --selectProjects unit
# In band: the suites share one Temporal and one NATS. --forceExit because the SDK's native runtime
# can keep the process alive after the last test.
step 'integration tests' npx jest --selectProjects integration --runInBand --forceExit
log "all checks passed in $(secs_since "$total")s"
