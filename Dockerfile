# syntax=docker/dockerfile:1
# One image for both long-running processes (orchestrator worker, notifier); docker-compose.yml picks
# the command. Build stage compiles TypeScript; the runtime stage carries production dependencies only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# bookworm (glibc), not alpine: the Temporal worker's native core bridge ships glibc builds.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only to the app user: the process cannot rewrite its own code.
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "dist/workers/orchestrator.js"]
