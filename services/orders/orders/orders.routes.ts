import type { RouterMiddleware } from '@koa/router';
import { readBody, readQuery } from '../../../lib/http/input.ts';
import { publicPath } from '../../../lib/http/public-route.ts';
import type { Logger } from '../../../lib/logger.ts';
import { ORDERS_ROUTES } from '../public-routes.ts';
import { listOrdersQuerySchema, placeOrderRequestSchema } from './order.schemas.ts';
import { findOrder, listOrders, placeOrder, toOrderJson } from './orders.repository.ts';

type OrderHandlers = Record<'placeOrder' | 'listOrders' | 'readOrder', RouterMiddleware>;

export function orderHandlers(currency: string, logger: Logger): OrderHandlers {
  return {
    // 202: the order is taken; its payment happens after the answer.
    placeOrder: async (ctx) => {
      const order = await placeOrder(ctx.state.em, ctx.state.userId, readBody(ctx, placeOrderRequestSchema), {
        currency,
        requestId: ctx.state.requestId,
      });
      // From here on the request's lines name the order, as the payment's lines will.
      ctx.state.orderId = order.id;
      logger.info({ amount: order.amount }, 'order placed');
      ctx.status = 202;
      ctx.set('location', publicPath(ORDERS_ROUTES.readOrder, { id: order.id }));
      ctx.body = toOrderJson(order);
    },

    listOrders: async (ctx) => {
      const { limit, cursor } = readQuery(ctx, listOrdersQuerySchema);
      ctx.body = await listOrders(ctx.state.em, ctx.state.userId, limit, cursor);
    },

    readOrder: async (ctx) => {
      ctx.state.orderId = ctx.params.id;
      ctx.body = toOrderJson(await findOrder(ctx.state.em, ctx.state.userId, ctx.params.id ?? ''));
    },
  };
}
