// The outbox relay: publishes the orders outbox to Temporal, and reconciles orders left NEW. Run as many as you like.
import { Client, Connection } from '@temporalio/client';
import { createMetrics, registryMetrics, serveMetrics } from '../lib/http/metrics.ts';
import { createLogger } from '../lib/logger.ts';
import { runMain } from '../lib/main.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { OutboxRelay } from '../services/orders/outbox/outbox-relay.ts';
import { Reconciler } from '../services/orders/reconcile/reconciler.ts';
import { readOutboxRelayConfig } from './config.ts';

await runMain(async () => {
  const config = readOutboxRelayConfig();
  const logger = createLogger('outbox-relay', config.LOG_LEVEL);
  const orm = await openOrdersDatabase(config.ORDERS_DATABASE_URL, config.DATABASE_POOL_SIZE);
  const connection = await Connection.connect(config.temporal.options);
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const relay = new OutboxRelay({
    orm,
    temporal,
    logger,
    databaseUrl: config.ORDERS_DATABASE_URL,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
  });
  const reconciler = new Reconciler({ orm, temporal, logger, olderThanMs: config.RECONCILE_AFTER_MS, intervalMs: config.RECONCILE_INTERVAL_MS });
  // Ready (runMain tells the supervisor) only once the relay hears new orders: its LISTEN is in place.
  await relay.start();
  reconciler.start();
  // Its process metrics, `/healthz` (the process runs) and `/readyz` (Temporal and the database answer).
  const metricsServer = config.METRICS_ADDRESS
    ? await serveMetrics(registryMetrics(createMetrics('outbox-relay')), config.METRICS_ADDRESS, {
        logger,
        health: { temporal: () => connection.workflowService.getSystemInfo({}), database: () => orm.em.fork().execute('select 1') },
      })
    : undefined;
  logger.info({ metrics: metricsServer?.url }, 'outbox relay listening');
  return {
    logger,
    stop: async () => {
      await metricsServer?.close();
      await Promise.all([relay.stop(), reconciler.stop()]);
      await connection.close();
      await orm.close();
    },
  };
});
