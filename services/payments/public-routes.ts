import type { PublicRoutes } from '../../lib/http/public-route.ts';
import { accountSchema, depositRequestSchema } from './accounts/account.schemas.ts';

/** The public API the payments service answers (behind the gateway, under /api). */
export const PAYMENTS_ROUTES = {
  openAccount: {
    method: 'POST',
    path: '/account',
    summary: 'Open my account',
    responses: { '201': { description: 'The new account', schema: accountSchema }, '409': { description: 'You already have one' } },
  },
  readAccount: {
    method: 'GET',
    path: '/account',
    summary: 'Read my account',
    responses: { '200': { description: 'The account', schema: accountSchema }, '404': { description: 'No account yet' } },
  },
  deposit: {
    method: 'POST',
    path: '/account/deposits',
    summary: 'Deposit into my account',
    request: { body: depositRequestSchema },
    idempotent: true,
    responses: {
      '201': { description: 'The account after the deposit', schema: accountSchema },
      '404': { description: 'No account yet' },
      '422': { description: 'A bad amount' },
    },
  },
} as const satisfies PublicRoutes;
