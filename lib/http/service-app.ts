import Koa from 'koa';
import type Router from '@koa/router';
import type { Orm } from '../database/open-database.ts';
import type { Logger } from '../logger.ts';
import { jsonBodyParser } from './input.ts';
import { errorHandler, logLateErrors } from './error-handler.ts';
import { healthRoutes } from './health.ts';
import { internalAuth } from './internal-auth.ts';
import type { Metrics } from './metrics.ts';
import { requestLog } from './request-log.ts';
import { originFormOnly } from './request-target.ts';
import './state.ts';

export interface ServiceAppOptions {
  orm: Orm;
  metrics: Metrics;
  internalToken: string;
  logger: Logger;
  routers: Router[];
}

/**
 * The frame every internal service shares: request log, problem answers, health checks,
 * request timing for the metrics, the gateway-only guard, JSON bodies and an entity manager per request.
 */
export function createServiceApp({ orm, metrics, internalToken, logger, routers }: ServiceAppOptions): Koa {
  const app = new Koa();
  app.on('error', logLateErrors(logger));
  const health = healthRoutes({ database: () => orm.em.fork().execute('select 1') });
  app.use(requestLog(logger));
  app.use(errorHandler(logger));
  app.use(originFormOnly());
  app.use(metrics.timing);
  app.use(health.routes());
  app.use(internalAuth(internalToken));
  app.use(jsonBodyParser());
  app.use(async (ctx, next) => {
    ctx.state.em = orm.em.fork();
    await next();
  });
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  return app;
}
