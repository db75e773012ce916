import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdAt } from '../database/timestamps.ts';

/**
 * A request made with an `Idempotency-Key`, stored in the same transaction as its effect,
 * with the answer it got, so that a retry is answered again instead of done again.
 */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    userId: p.string().primary(),
    key: p.string().primary(),
    requestHash: p.string(),
    responseStatus: p.integer(),
    responseBody: p.json<unknown>(),
    responseLocation: p.string().nullable(),
    // Indexed for the sweep that forgets keys once they are old enough.
    createdAt: createdAt().index(),
  },
  primaryKeys: ['userId', 'key'],
});
export type IdempotencyKey = InferEntity<typeof IdempotencyKey>;
