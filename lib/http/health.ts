import Router from '@koa/router';
import { HttpProblem } from './problem.ts';

/** `/healthz` answers while the process lives; `/readyz` only while every dependency answers too. */
export function healthRoutes(dependencies: Record<string, () => Promise<unknown>>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.allSettled(Object.values(dependencies).map((check) => check()));
    const failed = Object.keys(dependencies).filter((_, index) => results[index]?.status === 'rejected');
    if (failed.length > 0) {
      throw new HttpProblem(503, 'not-ready', `Not reachable: ${failed.join(', ')}.`);
    }
    ctx.body = { status: 'ready' };
  });
  return router;
}
