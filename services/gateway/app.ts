import Router from '@koa/router';
import type Koa from 'koa';
import pg from 'pg';
import { createHttpApp } from '../../lib/http/http-app.ts';
import { createMetrics, type Metrics } from '../../lib/http/metrics.ts';
import { API_PREFIX, type PublicRoute } from '../../lib/http/public-route.ts';
import type { Logger } from '../../lib/logger.ts';
import { authenticate } from './authenticate.ts';
import type { GatewayConfig } from './config.ts';
import { openGatewayDatabase } from './database.ts';
import { docsRoutes } from './docs.routes.ts';
import { forwardTo } from './forward.ts';
import { clientAddress } from './limits/client-address.ts';
import { rateLimit } from './limits/rate-limit.ts';
import { streamCap } from './limits/stream-cap.ts';
import { securityHeaders } from './security-headers.ts';
import { PUBLIC_ROUTES } from './public-routes.ts';
import { storefrontRoutes } from './storefront.routes.ts';
import { streamFrom } from './stream.ts';
import { isReady, upstreamsOf } from './upstream.ts';

export interface Gateway {
  app: Koa;
  /** Served apart from the app, on a port of their own (see serveMetrics). */
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * The only public entry: every route of the contract, limited, authenticated, then passed to its
 * service. Its own database (migrated here) holds the limits its replicas share.
 */
export async function createGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  // Migrated on a connection of its own (it holds the migration lock), then closed.
  await (await openGatewayDatabase(config.GATEWAY_DATABASE_URL, 1)).close();
  const pool = new pg.Pool({
    connectionString: config.GATEWAY_DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    // Short waits: a limit that cannot be read falls back to memory rather than hold the request.
    connectionTimeoutMillis: 1_000,
    query_timeout: 2_000,
    // Counters and leases need no flush to disk before the answer: a crash may forget the last
    // moment's counts, which costs nothing, and each request is spared waiting on the disk.
    options: '-c synchronous_commit=off',
  });
  // An idle connection that breaks (PostgreSQL restarted) must not take the process down.
  pool.on('error', (error) => logger.warn({ err: error }, 'gateway database connection lost'));
  const window = config.RATE_LIMIT_WINDOW_SECONDS;
  const upstreams = upstreamsOf(config);
  const perAddress = rateLimit(pool, { per: 'address', points: config.RATE_LIMIT_PER_ADDRESS, windowSeconds: window, clientOf: (ctx) => clientAddress(ctx.ip) });
  const perUser = rateLimit(pool, { per: 'user', points: config.RATE_LIMIT_PER_USER, windowSeconds: window, clientOf: (ctx) => ctx.state.userId });
  const streams = streamCap(pool, config.EVENT_STREAMS_PER_USER, logger);

  // Every public route, forwarded to the service that lists it, behind authentication and the
  // per-user limit. They sit in each route's own stack, not in api.use(): a route matches its path
  // in any case (/API/orders), a router's use() layer only as written, so /API/... would skip them.
  const api = new Router({ prefix: API_PREFIX });
  const guards = [authenticate(config.JWT_SECRET), perUser];
  for (const [service, routes] of Object.entries(PUBLIC_ROUTES)) {
    const upstream = upstreams[service as keyof typeof PUBLIC_ROUTES];
    for (const route of Object.values<PublicRoute>(routes)) {
      api.register(route.path, [route.method], [...guards, ...(route.stream ? [streams.middleware, streamFrom(upstream)] : [forwardTo(upstream)])]);
    }
  }

  const metrics = createMetrics('gateway');
  // An instance that refuses connections costs callers nothing (the next one answers), so it shows here.
  metrics.gauge('gateway_upstream_instances_passed_over', 'Instances of a service passed over because they refused a connection', ['service'], () =>
    Promise.resolve(Object.values(upstreams).map((upstream) => ({ labels: { service: upstream.name }, value: upstream.instances.passedOver() }))),
  );
  const storefront = storefrontRoutes({
    temporalUiUrl: config.TEMPORAL_UI_URL,
    temporalNamespace: config.TEMPORAL_NAMESPACE,
    devSignIn: config.DEV_SIGN_IN,
    jwtSecret: config.JWT_SECRET,
  });
  const app = createHttpApp({
    logger,
    metrics,
    dependencies: { payments: () => isReady(upstreams.payments), orders: () => isReady(upstreams.orders) },
    outermost: [securityHeaders()],
    middleware: [perAddress],
    routers: [docsRoutes(), storefront, api],
  });
  return {
    app,
    metrics,
    // After the server has closed (its streams cut): their leases are released before the pool goes;
    // no request is in flight to a service, so its connections close at once.
    close: async () => {
      await streams.released();
      await pool.end();
      await Promise.all(Object.values(upstreams).map((upstream) => upstream.connections.close()));
    },
  };
}
