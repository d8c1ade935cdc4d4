# syntax=docker/dockerfile:1
# One image for every long-running process: the orchestrator worker (default command), the notifier and the codec
# server; the compose files pick the command. The build stage compiles TypeScript with all dependencies; the
# runtime stage carries production dependencies and the compiled output only, and runs as the unprivileged `node`.
# test/unit/compose.test.ts checks this file's shape (stages, user, sources), since CI has no Docker engine.

# bookworm (glibc), not alpine: the Temporal worker's native core bridge ships glibc builds. Node 24 LTS, the exact
# release of scripts/versions.sh (NODE_LTS_VERSION, which tests and scripts run too); test/unit/compose.test.ts
# keeps them equal. Pinned by version, not digest: digests cannot be looked up from this machine (no registry
# access); `docker buildx imagetools inspect node:<tag>` gives one to append as @sha256:... where it can.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only what `npm run build` (tsconfig.build.json) compiles into the image; tests and tools stay out.
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
RUN npm run build

FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency runs code at install time (the native Temporal bridge ships prebuilt binaries).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only to the app user: the process cannot rewrite its own code. The worker bundles
# dist/workflows at start, in memory, so it needs no writable directory.
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
# Documentation only (compose publishes nothing of the workers): orchestrator runtime metrics, notifier metrics,
# codec server.
EXPOSE 9464 9465 8888
# Asks the process's own metrics or health endpoint (src/metrics/healthcheck.ts); without one configured it
# reports healthy rather than restart a container it cannot judge.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "dist/src/metrics/healthcheck.js"]
CMD ["node", "dist/workers/orchestrator.js"]
