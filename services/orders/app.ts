import type Koa from 'koa';
import type { Orm } from '../../lib/database/open-database.ts';
import { createMetrics, type Metrics } from '../../lib/http/metrics.ts';
import { publicRouter } from '../../lib/http/public-route.ts';
import { createServiceApp } from '../../lib/http/service-app.ts';
import { sweepOldIdempotencyKeys } from '../../lib/idempotency/forget-old-keys.ts';
import type { Logger } from '../../lib/logger.ts';
import type { OrdersConfig } from './config.ts';
import { OrderEvents } from './orders/order-events.ts';
import { orderEventsHandler } from './orders/order-events.routes.ts';
import { orderHandlers } from './orders/orders.routes.ts';
import { ORDERS_ROUTES } from './public-routes.ts';
import { addOutboxMetrics } from './outbox/outbox-metrics.ts';

export function createOrdersApp(orm: Orm, config: OrdersConfig, logger: Logger): { app: Koa; metrics: Metrics; close: () => Promise<void> } {
  const events = new OrderEvents(config.ORDERS_DATABASE_URL, logger);
  const metrics = createMetrics('orders');
  addOutboxMetrics(metrics, orm);
  metrics.gauge('orders_oldest_new_age_seconds', 'Age of the oldest order still NEW (0 when none): a payment that is not moving', [], async () => {
    const [row] = await orm.em.fork().execute<{ oldest: string | null }[]>(
      `select extract(epoch from now() - min(created_at)) as oldest from orders where status = 'NEW'`,
    );
    return [{ value: Number(row?.oldest ?? 0) }];
  });
  // One subscription per open GET /api/orders/events stream; with no stream open, both are 0.
  metrics.gauge('orders_event_subscriptions', 'Order-event streams open on this process', [], () => Promise.resolve([{ value: events.counts().subscriptions }]));
  metrics.gauge('orders_event_subscribed_users', 'Users with an order-event stream open on this process', [], () => Promise.resolve([{ value: events.counts().users }]));
  const app = createServiceApp({
    orm,
    metrics,
    internalToken: config.INTERNAL_TOKEN,
    logger,
    routers: [publicRouter(ORDERS_ROUTES, { ...orderHandlers(config.CURRENCY, logger), orderEvents: orderEventsHandler(events) })],
  });
  const stopSweep = sweepOldIdempotencyKeys(orm.em, logger);
  return { app, metrics, close: () => events.close().finally(stopSweep) };
}
