import Router from '@koa/router';
import { readBody, readQuery } from '../../../lib/http/input.ts';
import { idempotent } from '../../../lib/idempotency/idempotent.ts';
import { listOrdersQuerySchema, placeOrderRequestSchema } from './order.schemas.ts';
import { findOrder, listOrders, placeOrder, toOrderJson } from './orders.repository.ts';

export const ORDERS_PATH = '/api/orders';

export function orderRoutes(currency: string): Router {
  const router = new Router();

  // 202: the order is taken; its payment happens after the answer.
  router.post(ORDERS_PATH, idempotent(), async (ctx) => {
    const order = await placeOrder(ctx.state.em, ctx.state.userId, readBody(ctx, placeOrderRequestSchema), {
      currency,
      requestId: ctx.state.requestId,
    });
    ctx.status = 202;
    ctx.set('location', `${ORDERS_PATH}/${order.id}`);
    ctx.body = toOrderJson(order);
  });

  router.get(ORDERS_PATH, async (ctx) => {
    const { limit, cursor } = readQuery(ctx, listOrdersQuerySchema);
    ctx.body = await listOrders(ctx.state.em, ctx.state.userId, limit, cursor);
  });

  router.get(`${ORDERS_PATH}/:id`, async (ctx) => {
    ctx.body = toOrderJson(await findOrder(ctx.state.em, ctx.state.userId, ctx.params.id ?? ''));
  });

  return router;
}
