import { PassThrough } from 'node:stream';
import type { RouterMiddleware } from '@koa/router';
import type { OrderEvents } from './order-events.ts';
import { ISO_TIME, ordersChangedSince, type OrderJson } from './orders.repository.ts';

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
export function orderEventsHandler(events: OrderEvents): RouterMiddleware {
  return async (ctx) => {
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
    // Changes since `from` may not have been sent: the table is read from there on each catch-up.
    // Live events that arrive during a catch-up are held and sent after it, so that an older
    // snapshot read from the table never follows a newer one, and the last id a client keeps
    // never passes a change it has not been sent.
    let from = since ?? new Date(Date.now() - REPLAY_MARGIN_MS);
    let held: OrderJson[] | undefined;
    let catchingUp = Promise.resolve();
    const catchUp = () => {
      catchingUp = catchingUp.then(async () => {
        const read = from;
        from = new Date(Date.now() - REPLAY_MARGIN_MS);
        held = [];
        try {
          // A fresh fork each time: the request's identity map would hand back the snapshots it read before.
          for (const order of await ordersChangedSince(ctx.state.em.fork(), ctx.state.userId, read, REPLAY_LIMIT)) send(order);
        } finally {
          const live = held;
          held = undefined;
          for (const order of live) send(order);
        }
      });
      return catchingUp;
    };
    const unsubscribe = events.subscribe(ctx.state.userId, {
      onOrder: (order) => (held ? held.push(order) : send(order)),
      // A catch-up that fails ends the stream: the client reconnects with Last-Event-ID and is replayed.
      onResume: () => void catchUp().catch(end),
      onClose: end,
    });
    ctx.req.once('close', end);
    if (!since) return;
    try {
      await catchUp();
    } catch (error) {
      end();
      throw error;
    }
  };
}
