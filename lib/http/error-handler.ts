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
      if (problem.status >= 500) logger.error({ err: error }, 'request failed');
      sendProblem(ctx, problem);
    }
  };
}

/**
 * For what Koa reports after an answer has started (a streamed answer cut short): a client
 * leaving an event stream is routine, anything else is logged as an error.
 */
export function logLateErrors(logger: Logger): (error: Error & { code?: string }) => void {
  return (error) => {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') logger.debug('client left a streamed answer');
    else logger.error({ err: error }, 'error after the answer started');
  };
}
