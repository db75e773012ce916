# One image for every program of the system; docker-compose.yml picks the command.
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; Node itself comes with the base image.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY lib ./lib
COPY services ./services
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY scripts/migrate.ts ./scripts/migrate.ts
# The operator's tool for the outbox's dead letters: `npm run outbox -- list | retry <id>`.
COPY scripts/outbox.ts ./scripts/outbox.ts
USER node
# Every program loads its tracing before its own modules; it does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT
# (with OTEL_SERVICE_NAME per service) asks for traces.
ENV NODE_OPTIONS=--import=./lib/telemetry/tracing.ts
# Node 24 runs the TypeScript sources directly (type stripping); there is no build step.
CMD ["node", "services/gateway/main.ts"]
