import Koa, { type Middleware } from 'koa';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import { errorHandler } from './error-handler.ts';
import { healthRoutes } from './health.ts';
import { toProblem } from './problem.ts';
import { serve, type RunningServer } from './server.ts';

export interface Metrics {
  registry: Registry;
  /** Times every request, labelled by route pattern (not raw path, to keep the label set small). */
  timing: Middleware;
  /** A gauge whose value is read from `collect` at each scrape (from the database, say). */
  gauge(name: string, help: string, labelNames: string[], collect: () => Promise<{ labels?: Record<string, string>; value: number }[]>): void;
}

export function createMetrics(process: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    timing: async (ctx, next) => {
      const end = duration.startTimer({ method: ctx.method });
      const route = () => (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      try {
        await next();
        end({ route: route(), status: String(ctx.status) });
      } catch (error) {
        // A problem thrown here is answered outside (errorHandler), after this has run: record
        // the status it will have, not the 404 that Koa holds until then.
        end({ route: route(), status: String(toProblem(error).status) });
        throw error;
      }
    },
    gauge(name, help, labelNames, collect) {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          for (const { labels, value } of await collect()) {
            if (labels) this.set(labels, value);
            else this.set(value);
          }
        },
      });
    },
  };
}

/** What `GET /metrics` answers: the Prometheus text, and its content type. */
export type MetricsSource = () => Promise<{ contentType: string; text: string }>;

/** A registry's metrics, as `GET /metrics` answers them. */
export function registryMetrics(metrics: Metrics): MetricsSource {
  return async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() });
}

export interface MetricsServerOptions {
  logger: Logger;
  /** `/healthz` and `/readyz` (lib/http/health.ts) for a program that has no HTTP port of its own: a worker, the relay. */
  health?: Record<string, () => Promise<unknown>>;
}

/**
 * `GET /metrics` in the Prometheus text format, on a listener of its own (`host:port`), never on
 * the port that serves the API: that port may be public, and metrics tell an attacker too much.
 */
export function serveMetrics(source: MetricsSource, address: string, { logger, health }: MetricsServerOptions): Promise<RunningServer> {
  const app = new Koa().use(errorHandler(logger));
  if (health) app.use(healthRoutes(health).routes());
  app.use(async (ctx) => {
    if (ctx.method !== 'GET' || ctx.path !== '/metrics') return;
    const { contentType, text } = await source();
    ctx.type = contentType;
    ctx.body = text;
  });
  const separator = address.lastIndexOf(':');
  return serve(app, address.slice(0, separator), Number(address.slice(separator + 1)));
}
