import type { Middleware } from 'koa';
import { lastEventIdSchema } from '../orders/orders/order.schemas.ts';
import { callUpstream, headerValue, type Upstream } from './upstream.ts';

const LAST_EVENT_ID_HEADER = 'last-event-id';

/** The caller's Last-Event-ID goes on only when it has the documented form; the service parses it. */
function lastEventId(value: string): Record<string, string> {
  return lastEventIdSchema.safeParse(value).success ? { [LAST_EVENT_ID_HEADER]: value } : {};
}

/**
 * Relays a long-lived event stream from a service as it arrives. The timeout covers only the
 * service's first answer; the stream then lasts until the caller or the service hangs up.
 */
export function streamFrom(upstream: Upstream): Middleware {
  return async (ctx) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), upstream.timeoutMs);
    const headers = { accept: 'text/event-stream', ...lastEventId(ctx.get(LAST_EVENT_ID_HEADER)) };
    const response = await callUpstream(upstream, ctx, { headers, signal: abort.signal }, (response) => response).finally(() => clearTimeout(timer));
    ctx.req.socket.setTimeout(0);
    ctx.req.once('close', () => abort.abort());
    ctx.status = response.statusCode;
    ctx.set({ 'content-type': headerValue(response.headers['content-type']) ?? 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    // The body ends with an abort when the caller leaves; that is the normal end, not an error.
    ctx.body = response.body.on('error', () => undefined);
  };
}
