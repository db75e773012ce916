import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * One counter of rate-limiter-flexible's PostgreSQL store (its own table layout): `key` is the
 * limit's prefix and the client (`user:alice`, `address:192.0.2.1`), `points` the requests in the
 * window that ends at `expire` (epoch milliseconds). Shared by every gateway replica.
 */
export const RateLimit = defineEntity({
  name: 'RateLimit',
  tableName: 'rate_limits',
  properties: {
    key: p.string().primary(),
    points: p.integer().default(0),
    expire: p.bigint('number').nullable(),
  },
});
export type RateLimit = InferEntity<typeof RateLimit>;
