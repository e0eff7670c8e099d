# syntax=docker/dockerfile:1
# tenant-events: one image for every command (serve, report, tenants, ingest, mau, ...).
#
#   docker build -t tenant-events .
#   docker run --rm tenant-events --help
#
# Health: every gRPC server (serve, tenants) answers grpc.health.v1 without a token. The image carries
# deploy/grpc-health.mjs for container health checks, e.g. for a server with TLS:
#   HEALTHCHECK CMD ["node", "deploy/grpc-health.mjs", "localhost:50051", "/run/secrets/ca"]
# (grpc_health_probe -tls -tls-ca-cert ... -addr ... works as well). No HEALTHCHECK is set here because
# the address and CA depend on how each command is run; docker-compose.yml sets one per service.
# --metrics-listen serves Prometheus metrics over plain HTTP at /metrics.

FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci needs every workspace's manifest (the client package is built and published on its own).
COPY packages/client/package.json ./packages/client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:26-trixie-slim
ENV NODE_ENV=production
# JSON logs for log collectors, also under `docker run -t` (pretty logs need a dev dependency).
ENV TENANT_EVENTS_LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY deploy/grpc-health.mjs ./deploy/
# Named volumes start as a copy of these directories, so the non-root user can write to them
# (the tenants service's DuckDB file, the reporter's cursor).
RUN mkdir -p /data /state && chown node:node /data /state
USER node
ENTRYPOINT ["node", "bin/tenant-events.js"]
CMD ["--help"]
