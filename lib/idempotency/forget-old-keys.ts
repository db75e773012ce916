import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.ts';
import { IdempotencyKey } from './idempotency-key.entity.ts';

/** Keys are honoured for at least this long, then forgotten. */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 24;
const SWEEP_INTERVAL_MS = 3_600_000;

export async function forgetOldIdempotencyKeys(em: EntityManager, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000);
  return em.fork().nativeDelete(IdempotencyKey, { createdAt: { $lt: cutoff } });
}

/**
 * Forgets old keys every hour, for as long as the service that honours them runs. Returns the
 * function that stops it. A sweep that fails is only logged: the next one catches up.
 */
export function sweepOldIdempotencyKeys(em: EntityManager, logger: Logger): () => void {
  const sweep = setInterval(() => {
    forgetOldIdempotencyKeys(em).catch((error: unknown) => logger.warn({ err: error }, 'idempotency key sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  return () => clearInterval(sweep);
}
