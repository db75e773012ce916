import type Koa from 'koa';
import type { Orm } from '../../lib/database/open-database.ts';
import { createMetrics, type Metrics } from '../../lib/http/metrics.ts';
import { createServiceApp } from '../../lib/http/service-app.ts';
import { sweepOldIdempotencyKeys } from '../../lib/idempotency/forget-old-keys.ts';
import type { Logger } from '../../lib/logger.ts';
import { accountRoutes } from './accounts/accounts.routes.ts';
import type { PaymentsConfig } from './config.ts';

export function createPaymentsApp(orm: Orm, config: PaymentsConfig, logger: Logger): { app: Koa; metrics: Metrics; close: () => Promise<void> } {
  const metrics = createMetrics('payments');
  metrics.gauge('payments_by_outcome', 'Debit messages handled, by outcome', ['outcome'], async () => {
    const rows = await orm.em.fork().execute<{ outcome: string; count: string }[]>(
      'select outcome, count(*) as count from inbox_messages where outcome is not null group by outcome',
    );
    return rows.map((row) => ({ labels: { outcome: row.outcome }, value: Number(row.count) }));
  });
  const app = createServiceApp({
    orm,
    metrics,
    internalToken: config.INTERNAL_TOKEN,
    logger,
    routers: [accountRoutes(config.CURRENCY)],
  });
  const stopSweep = sweepOldIdempotencyKeys(orm.em, logger);
  return { app, metrics, close: () => Promise.resolve(stopSweep()) };
}
