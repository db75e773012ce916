import Router from '@koa/router';
import { readBody } from '../../../lib/http/input.ts';
import { idempotent } from '../../../lib/idempotency/idempotent.ts';
import { depositRequestSchema } from './account.schemas.ts';
import { deposit, findAccount, openAccount, toAccountJson } from './accounts.ts';

export const ACCOUNT_PATH = '/api/account';

export function accountRoutes(currency: string): Router {
  const router = new Router();

  router.post(ACCOUNT_PATH, async (ctx) => {
    const account = await openAccount(ctx.state.em, ctx.state.userId, currency);
    ctx.status = 201;
    ctx.set('location', ACCOUNT_PATH);
    ctx.body = toAccountJson(account);
  });

  router.get(ACCOUNT_PATH, async (ctx) => {
    ctx.body = toAccountJson(await findAccount(ctx.state.em, ctx.state.userId));
  });

  router.post(`${ACCOUNT_PATH}/deposits`, idempotent(), async (ctx) => {
    const { amount } = readBody(ctx, depositRequestSchema);
    ctx.status = 201;
    ctx.body = await deposit(ctx.state.em, ctx.state.userId, amount);
  });

  return router;
}
