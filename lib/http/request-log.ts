import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { withLogIds } from '../log-context.ts';
import type { Logger } from '../logger.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * Gives every request an id (the caller's, if it sent a sane one, so the gateway's id travels
 * into the services) and logs one line when the answer has left. Every line logged while the
 * request is served carries its ids (`ctx.state`'s requestId, userId and orderId, once known).
 */
export function requestLog(logger: Logger): Middleware {
  return (ctx, next) => {
    const incoming = ctx.get(REQUEST_ID_HEADER);
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set(REQUEST_ID_HEADER, requestId);
    return withLogIds(ctx.state, async () => {
      const started = performance.now();
      try {
        await next();
      } finally {
        // Health probes arrive every few seconds; they are not worth a line each.
        const level = ctx.path === '/healthz' || ctx.path === '/readyz' ? 'debug' : 'info';
        logger[level]({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
      }
    });
  };
}
