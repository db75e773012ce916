import type Koa from 'koa';
import type { Orm } from '../../lib/database/open-database.ts';
import { createServiceApp } from '../../lib/http/service-app.ts';
import type { Logger } from '../../lib/logger.ts';
import { accountRoutes } from './accounts/accounts.routes.ts';
import type { PaymentsConfig } from './config.ts';

export function createPaymentsApp(orm: Orm, config: PaymentsConfig, logger: Logger): { app: Koa; close: () => Promise<void> } {
  const app = createServiceApp({
    orm,
    internalToken: config.INTERNAL_TOKEN,
    logger,
    routers: [accountRoutes(config.CURRENCY)],
  });
  return { app, close: () => Promise.resolve() };
}
