import Router from '@koa/router';
import { HttpProblem } from './problem.ts';

/** `/healthz` answers while the process lives; `/readyz` only while every dependency answers too. */
export function healthRoutes(dependencies: Record<string, () => Promise<unknown>>): Router {
  const checks = Object.entries(dependencies).map(([name, check]) => ({ name, check: shared(check) }));
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.allSettled(checks.map(({ check }) => check()));
    const failed = checks.filter((_, index) => results[index]?.status === 'rejected').map(({ name }) => name);
    if (failed.length > 0) {
      throw new HttpProblem(503, 'not-ready', `Not reachable: ${failed.join(', ')}.`);
    }
    ctx.body = { status: 'ready' };
  });
  return router;
}

/** A dependency that does not answer in time (a stopped server holds the call open) counts as not reachable: a probe must be answered. */
const CHECK_DEADLINE_MS = 2_000;

function withinDeadline(check: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_DEADLINE_MS} ms`)), CHECK_DEADLINE_MS);
  });
  return Promise.race([check, late]).finally(() => clearTimeout(timer));
}

/**
 * A check that callers arriving while it runs share instead of starting their own: `/readyz` is
 * not rate-limited (probes are not clients), so a flood of it must not multiply into as many
 * requests to the dependencies.
 */
function shared(check: () => Promise<unknown>): () => Promise<unknown> {
  let running: Promise<unknown> | undefined;
  return () => {
    running ??= withinDeadline(check()).finally(() => {
      running = undefined;
    });
    return running;
  };
}
