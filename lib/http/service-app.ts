import type Koa from 'koa';
import type Router from '@koa/router';
import type { Orm } from '../database/open-database.ts';
import type { Logger } from '../logger.ts';
import { createHttpApp } from './http-app.ts';
import { jsonBodyParser } from './input.ts';
import { internalAuth } from './internal-auth.ts';
import type { Metrics } from './metrics.ts';

export interface ServiceAppOptions {
  orm: Orm;
  metrics: Metrics;
  internalToken: string;
  logger: Logger;
  routers: Router[];
}

/**
 * An internal service: the shared HTTP frame with its database as the dependency, the
 * gateway-only guard, JSON bodies and an entity manager per request.
 */
export function createServiceApp({ orm, metrics, internalToken, logger, routers }: ServiceAppOptions): Koa {
  return createHttpApp({
    logger,
    metrics,
    dependencies: { database: () => orm.em.fork().execute('select 1') },
    middleware: [
      internalAuth(internalToken),
      jsonBodyParser(),
      async (ctx, next) => {
        ctx.state.em = orm.em.fork();
        await next();
      },
    ],
    routers,
  });
}
