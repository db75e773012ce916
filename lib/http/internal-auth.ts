import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpProblem } from './problem.ts';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
export const USER_ID_HEADER = 'x-user-id';

/**
 * Internal services trust only the gateway: a call must carry the shared internal token,
 * and then the user id the gateway took from the caller's verified JWT.
 */
export function internalAuth(internalToken: string): Middleware {
  const expected = digest(internalToken);
  return async (ctx, next) => {
    if (!timingSafeEqual(digest(ctx.get(INTERNAL_TOKEN_HEADER)), expected)) {
      throw new HttpProblem(401, 'unauthorized', 'This service answers only the gateway.');
    }
    const userId = ctx.get(USER_ID_HEADER);
    if (!userId) throw new HttpProblem(401, 'unauthorized', `The ${USER_ID_HEADER} header is missing.`);
    ctx.state.userId = userId;
    await next();
  };
}

// Equal-length digests let timingSafeEqual compare tokens of any length in constant time.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
