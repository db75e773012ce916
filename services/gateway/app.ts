import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler, logLateErrors } from '../../lib/http/error-handler.ts';
import { healthRoutes } from '../../lib/http/health.ts';
import { HttpProblem } from '../../lib/http/problem.ts';
import { createMetrics } from '../../lib/http/metrics.ts';
import { requestLog } from '../../lib/http/request-log.ts';
import { originFormOnly } from '../../lib/http/request-target.ts';
import '../../lib/http/state.ts';
import type { Logger } from '../../lib/logger.ts';
import { authenticate } from './authenticate.ts';
import type { GatewayConfig } from './config.ts';
import { docsRoutes } from './docs.routes.ts';
import { forwardTo, type Upstream } from './forward.ts';
import { storefrontRoutes } from './storefront.routes.ts';
import { streamFrom } from './stream.ts';

/** The only public entry: every route of the contract, authenticated, then passed to its service. */
export function createGatewayApp(config: GatewayConfig, logger: Logger): Koa {
  const upstream = (name: string, url: string): Upstream => ({
    name,
    url,
    internalToken: config.INTERNAL_TOKEN,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  const payments = upstream('payments', config.PAYMENTS_URL);
  const orders = upstream('orders', config.ORDERS_URL);
  const auth = authenticate(config.JWT_SECRET);
  const toPayments = forwardTo(payments);
  const toOrders = forwardTo(orders);

  const api = new Router();
  api.post('/api/account', auth, toPayments);
  api.get('/api/account', auth, toPayments);
  api.post('/api/account/deposits', auth, toPayments);
  api.post('/api/orders', auth, toOrders);
  api.get('/api/orders', auth, toOrders);
  api.get('/api/orders/events', auth, streamFrom(orders));
  api.get('/api/orders/:id', auth, toOrders);

  const metrics = createMetrics('gateway');
  const health = healthRoutes({ payments: () => isReady(payments), orders: () => isReady(orders) });

  const app = new Koa();
  app.on('error', logLateErrors(logger));
  app.use(requestLog(logger));
  app.use(errorHandler(logger));
  app.use(originFormOnly());
  app.use(metrics.timing);
  app.use(health.routes());
  app.use(metrics.routes.routes());
  app.use(docsRoutes().routes());
  app.use(storefrontRoutes({ temporalUiUrl: config.TEMPORAL_UI_URL, devSignIn: config.DEV_SIGN_IN, jwtSecret: config.JWT_SECRET }).routes());
  app.use(api.routes());
  // A method the router does not know (PURGE, LINK…) is the client's mistake: 405, not the default 501.
  app.use(api.allowedMethods({ throw: true, notImplemented: () => new HttpProblem(405, 'method-not-allowed', 'This method is not allowed here.') }));
  return app;
}

async function isReady(upstream: Upstream): Promise<void> {
  const response = await fetch(new URL('/readyz', upstream.url), { signal: AbortSignal.timeout(upstream.timeoutMs) });
  if (!response.ok) throw new Error(`${upstream.name} is not ready`);
}
