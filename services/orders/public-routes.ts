import { z } from 'zod';
import type { PublicRoutes } from '../../lib/http/public-route.ts';
import { lastEventIdSchema, listOrdersQuerySchema, orderPageSchema, orderSchema, placeOrderRequestSchema } from './orders/order.schemas.ts';

/**
 * The public API the orders service answers (behind the gateway, under /api). The order matters:
 * the event stream comes before `/orders/:id`, which would otherwise take `events` for an order id.
 */
export const ORDERS_ROUTES = {
  placeOrder: {
    method: 'POST',
    path: '/orders',
    summary: 'Place an order; it is paid asynchronously',
    request: { body: placeOrderRequestSchema },
    idempotent: true,
    responses: {
      '202': { description: 'The order, status NEW; Location names it', schema: orderSchema },
      '422': { description: 'Bad input' },
    },
  },
  listOrders: {
    method: 'GET',
    path: '/orders',
    summary: 'List my orders, newest first',
    request: { query: listOrdersQuerySchema },
    responses: { '200': { description: 'A page of orders', schema: orderPageSchema }, '400': { description: 'A bad limit or cursor' } },
  },
  orderEvents: {
    method: 'GET',
    path: '/orders/events',
    summary: 'Live status of my orders (Server-Sent Events)',
    request: { headers: z.object({ 'last-event-id': lastEventIdSchema.optional() }) },
    stream: true,
    responses: {
      '200': {
        description:
          'An `order` event, with the order as JSON data, each time one of my orders changes status; its `id` is the time of the change. ' +
          'Reconnecting with `Last-Event-ID` first replays every change since then (a few seconds more; an event may come twice).',
        schema: z.string(),
      },
    },
  },
  readOrder: {
    method: 'GET',
    path: '/orders/:id',
    summary: 'Read one of my orders',
    request: { path: z.object({ id: z.string() }) },
    responses: { '200': { description: 'The order', schema: orderSchema }, '404': { description: 'No such order of mine' } },
  },
} as const satisfies PublicRoutes;
