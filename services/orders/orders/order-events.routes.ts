import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { OrderEvents } from './order-events.ts';
import { ISO_TIME, ordersChangedSince, type OrderJson } from './orders.ts';

export const ORDER_EVENTS_PATH = '/api/orders/events';
const HEARTBEAT_MS = 15_000;
// Status changes may commit a little out of the order of their times: replay a margin before.
const REPLAY_MARGIN_MS = 5_000;
const REPLAY_LIMIT = 500;

/**
 * Server-Sent Events: an `order` event with the order's JSON each time one of the caller's
 * orders changes status, and a comment line as a heartbeat so proxies keep the stream open.
 * Each event's id is the time of the change; a client that reconnects with `Last-Event-ID` first
 * gets, from the orders table, every change of its orders since then (less a margin). Events are
 * snapshots of an order, so one received twice does no harm.
 */
export function orderEventRoutes(events: OrderEvents): Router {
  const router = new Router();
  router.get(ORDER_EVENTS_PATH, async (ctx) => {
    const lastEventId = ctx.get('last-event-id');
    const since = ISO_TIME.test(lastEventId) ? new Date(Date.parse(lastEventId) - REPLAY_MARGIN_MS) : undefined;
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
    const send = (order: OrderJson) => stream.write(`event: order\nid: ${order.updatedAt}\ndata: ${JSON.stringify(order)}\n\n`);
    // Subscribed before the replay is read, so nothing falls between the two.
    const unsubscribe = events.subscribe(ctx.state.userId, send, end);
    ctx.req.once('close', end);
    if (!since) return;
    try {
      for (const order of await ordersChangedSince(ctx.state.em, ctx.state.userId, since, REPLAY_LIMIT)) send(order);
    } catch (error) {
      end();
      throw error;
    }
  });
  return router;
}
