import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { OrderEvents } from './order-events.ts';

export const ORDER_EVENTS_PATH = '/api/orders/events';
const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events: an `order` event with the order's JSON each time one of the caller's
 * orders changes status, and a comment line as a heartbeat so proxies keep the stream open.
 */
export function orderEventRoutes(events: OrderEvents): Router {
  const router = new Router();
  router.get(ORDER_EVENTS_PATH, (ctx) => {
    const stream = new PassThrough();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setKeepAlive(true);
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set({ 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    ctx.body = stream;
    stream.write(': connected\n\n');

    const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      stream.end();
    };
    const unsubscribe = events.subscribe(
      ctx.state.userId,
      (order) => stream.write(`event: order\nid: ${order.id}:${order.status}\ndata: ${JSON.stringify(order)}\n\n`),
      end,
    );
    ctx.req.once('close', end);
  });
  return router;
}
