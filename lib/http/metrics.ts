import Router from '@koa/router';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Times every request, labelled by route pattern (not raw path, to keep the label set small). */
  timing: Middleware;
  /** `GET /metrics` in the Prometheus text format. */
  routes: Router;
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
  const routes = new Router();
  routes.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return {
    registry,
    routes,
    timing: async (ctx, next) => {
      const end = duration.startTimer({ method: ctx.method });
      try {
        await next();
      } finally {
        end({ route: (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched', status: String(ctx.status) });
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
