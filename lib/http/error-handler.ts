import type { Middleware } from 'koa';
import type { Logger } from '../logger.ts';
import { HttpProblem, sendProblem, toProblem } from './problem.ts';

/** The one place where errors become answers: every failure leaves as application/problem+json. */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpProblem(404, 'not-found', `Nothing is at ${ctx.method} ${ctx.path}.`);
      }
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) logger.error({ err: error, requestId: ctx.state.requestId }, 'request failed');
      sendProblem(ctx, problem);
    }
  };
}
