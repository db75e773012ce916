import type Koa from 'koa';
import type { Orm } from '../../lib/database/open-database.ts';
import { createServiceApp } from '../../lib/http/service-app.ts';
import type { Logger } from '../../lib/logger.ts';
import type { OrdersConfig } from './config.ts';
import { orderRoutes } from './orders/orders.routes.ts';

export function createOrdersApp(orm: Orm, config: OrdersConfig, logger: Logger): Koa {
  return createServiceApp({
    orm,
    internalToken: config.INTERNAL_TOKEN,
    logger,
    routers: [orderRoutes(config.CURRENCY)],
  });
}
