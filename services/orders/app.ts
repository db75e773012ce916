import type Koa from 'koa';
import type { Orm } from '../../lib/database/open-database.ts';
import { createServiceApp } from '../../lib/http/service-app.ts';
import type { Logger } from '../../lib/logger.ts';
import type { OrdersConfig } from './config.ts';
import { OrderEvents } from './orders/order-events.ts';
import { orderEventRoutes } from './orders/order-events.routes.ts';
import { orderRoutes } from './orders/orders.routes.ts';

export function createOrdersApp(orm: Orm, config: OrdersConfig, logger: Logger): { app: Koa; close: () => Promise<void> } {
  const events = new OrderEvents(config.ORDERS_DATABASE_URL, logger);
  const app = createServiceApp({
    orm,
    internalToken: config.INTERNAL_TOKEN,
    logger,
    // The events route first: `/api/orders/events` must not be taken for an order id.
    routers: [orderEventRoutes(events), orderRoutes(config.CURRENCY)],
  });
  return { app, close: () => events.close() };
}
