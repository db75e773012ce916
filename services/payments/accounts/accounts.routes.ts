import { readBody } from '../../../lib/http/input.ts';
import { publicPath, publicRouter } from '../../../lib/http/public-route.ts';
import type Router from '@koa/router';
import { PAYMENTS_ROUTES } from '../public-routes.ts';
import { depositRequestSchema } from './account.schemas.ts';
import { deposit, findAccount, openAccount, toAccountJson } from './accounts.ts';

export function accountRoutes(currency: string): Router {
  return publicRouter(PAYMENTS_ROUTES, {
    openAccount: async (ctx) => {
      const account = await openAccount(ctx.state.em, ctx.state.userId, currency);
      ctx.status = 201;
      ctx.set('location', publicPath(PAYMENTS_ROUTES.readAccount));
      ctx.body = toAccountJson(account);
    },

    readAccount: async (ctx) => {
      ctx.body = toAccountJson(await findAccount(ctx.state.em, ctx.state.userId));
    },

    deposit: async (ctx) => {
      const { amount } = readBody(ctx, depositRequestSchema);
      ctx.status = 201;
      ctx.body = await deposit(ctx.state.em, ctx.state.userId, amount);
    },
  });
}
