import type { Context, Middleware } from 'koa';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpProblem } from '../../../lib/http/problem.ts';

/** After the database failed a count, how long a replica counts in memory before trying it again. */
const DATABASE_RETRY_MS = 5_000;

export interface RateLimitOptions {
  /** Whom the limit counts: `address` or `user`; also the prefix of its keys in the shared table. */
  per: 'address' | 'user';
  /** Requests one client may make in a window; 0 turns the limit off. */
  points: number;
  windowSeconds: number;
  clientOf: (ctx: Context) => string;
}

/**
 * A fixed-window request limit kept in the gateway's database, so every replica counts against
 * the same number. A request over the limit is answered 429 with Retry-After before it reaches a
 * service: it changes nothing. While the database cannot be reached, each replica falls back to a
 * count in its own memory rather than failing every request, and keeps to it for a few seconds
 * before trying the database again: a database that does not answer at all (a partition) costs
 * a connection or query timeout, which must not be paid by every request.
 */
export function rateLimit(pool: pg.Pool, options: RateLimitOptions): Middleware {
  if (options.points === 0) return (_ctx, next) => next();
  const limits = { points: options.points, duration: options.windowSeconds };
  // The library queries this instead of the pool: after a failed query the database is left
  // alone for a while, and the library counts in memory (its insurance) without waiting on it.
  let databaseBackAt = 0;
  const store = {
    async query(query: pg.QueryConfig) {
      if (Date.now() < databaseBackAt) throw new Error('the limits database failed a moment ago');
      try {
        return await pool.query(query);
      } catch (error) {
        databaseBackAt = Date.now() + DATABASE_RETRY_MS;
        throw error;
      }
    },
  };
  const limiter = new RateLimiterPostgres({
    ...limits,
    storeClient: store,
    storeType: 'pool',
    tableName: 'rate_limits',
    // The table is the gateway's migration's, not created by the library on the fly.
    tableCreated: true,
    keyPrefix: options.per,
    // A client over the limit is refused from memory for the rest of the window: its flood costs
    // the database nothing.
    inMemoryBlockOnConsumed: options.points + 1,
    insuranceLimiter: new RateLimiterMemory(limits),
  });
  return async (ctx, next) => {
    try {
      await limiter.consume(options.clientOf(ctx));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new HttpProblem(
        429,
        'too-many-requests',
        `More than ${options.points} requests per ${options.per} in ${options.windowSeconds} s; try again in ${seconds} s.`,
        { headers: { 'retry-after': String(seconds) } },
      );
    }
    await next();
  };
}
