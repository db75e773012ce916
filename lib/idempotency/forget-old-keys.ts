import type { EntityManager } from '@mikro-orm/postgresql';
import { IdempotencyKey } from './idempotency-key.entity.ts';

/** Keys are honoured for at least this long, then forgotten. */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 24;

export async function forgetOldIdempotencyKeys(em: EntityManager, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000);
  return em.fork().nativeDelete(IdempotencyKey, { createdAt: { $lt: cutoff } });
}
