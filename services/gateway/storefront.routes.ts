import { readFile } from 'node:fs/promises';
import Router from '@koa/router';
import { z } from 'zod';
import { jsonBodyParser, readBody } from '../../lib/http/input.ts';
import { HttpProblem } from '../../lib/http/problem.ts';
import { PAYMENT_WORKFLOW_ID_PREFIX } from '../../workflows/names.ts';
import { USER_ID_FORMAT } from './authenticate.ts';
import { signUserToken } from './sign-token.ts';

// A Map, not an object: the name comes from the URL, and `constructor` or `__proto__` must not be found.
const FILES = new Map([
  ['storefront.js', 'text/javascript'],
  ['storefront.css', 'text/css'],
]);
const file = (name: string) => readFile(new URL(`./storefront/${name}`, import.meta.url));
const signInSchema = z.object({ userId: z.string().regex(USER_ID_FORMAT, 'must be 1 to 128 visible ASCII characters') });

export interface StorefrontOptions {
  temporalUiUrl: string;
  /** The namespace the payments run in, for the storefront's links to them in the Temporal UI. */
  temporalNamespace: string;
  /** Local sign-in signs a token for any user id: on only for a local run (`npm start`). */
  devSignIn: boolean;
  jwtSecret: string;
}

/** A small storefront page at `/`, using nothing but the public API. */
export function storefrontRoutes(options: StorefrontOptions): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    ctx.type = 'text/html';
    ctx.body = await file('index.html');
  });
  router.get('/storefront/config.json', (ctx) => {
    ctx.body = { temporalUiUrl: options.temporalUiUrl, temporalNamespace: options.temporalNamespace, paymentWorkflowIdPrefix: PAYMENT_WORKFLOW_ID_PREFIX };
  });
  router.get('/storefront/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    const type = FILES.get(name);
    if (!type) return;
    ctx.type = type;
    ctx.body = await file(name);
  });
  router.post('/storefront/sign-in', jsonBodyParser(), async (ctx) => {
    if (!options.devSignIn) throw new HttpProblem(404, 'sign-in-off', 'Local sign-in is off here; use a token from your identity provider.');
    const { userId } = readBody(ctx, signInSchema);
    ctx.body = { token: await signUserToken(options.jwtSecret, userId) };
  });
  return router;
}
