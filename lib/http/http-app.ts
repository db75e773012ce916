import type Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from '../logger.ts';
import { errorHandler, logLateErrors } from './error-handler.ts';
import { healthRoutes } from './health.ts';
import type { Metrics } from './metrics.ts';
import { HttpProblem } from './problem.ts';
import { requestLog } from './request-log.ts';
import { originFormOnly } from './request-target.ts';
import './state.ts';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  /** What `/readyz` checks, by name. */
  dependencies: Record<string, () => Promise<unknown>>;
  /** Runs outside the error handler, so that problem answers pass through it too (headers every answer carries). */
  outermost?: Middleware[];
  /** Runs after the health checks and before the routes: guards, limits, body parsing. */
  middleware: Middleware[];
  routers: Router[];
}

/**
 * The frame every HTTP program shares, gateway and services alike: request log, problem answers,
 * origin-form request targets only, request timing for the metrics, health checks, then the
 * program's own middleware and routes.
 */
export function createHttpApp({ logger, metrics, dependencies, outermost = [], middleware, routers }: HttpAppOptions): Koa {
  const app = new Koa();
  app.on('error', logLateErrors(logger));
  app.use(requestLog(logger));
  for (const layer of outermost) app.use(layer);
  app.use(errorHandler(logger));
  app.use(originFormOnly());
  app.use(metrics.timing);
  // Before guards and limits: an orchestrator's probes are not a client's requests.
  app.use(healthRoutes(dependencies).routes());
  for (const layer of middleware) app.use(layer);
  for (const router of routers) {
    app.use(router.routes());
    // A method no router knows (PURGE, LINK…) is the client's mistake: 405, not the default 501.
    app.use(router.allowedMethods({ throw: true, notImplemented: () => new HttpProblem(405, 'method-not-allowed', 'This method is not allowed here.') }));
  }
  return app;
}
