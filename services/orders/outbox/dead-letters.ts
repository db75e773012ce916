import type { EntityManager } from '@mikro-orm/postgresql';
import { OUTBOX_CHANNEL } from './outbox-message.entity.ts';

export interface DeadLetter {
  id: string;
  aggregate_id: string;
  attempts: number;
  last_error: string | null;
  dead_at: string;
}

/** The outbox rows the relay gave up on, oldest first. */
export function listDeadLetters(em: EntityManager): Promise<DeadLetter[]> {
  return em.execute<DeadLetter[]>(
    'select id, aggregate_id, attempts, last_error, dead_at from outbox_messages where dead_at is not null order by dead_at',
  );
}

/** The largest bigserial id. */
const MAX_ROW_ID = 2n ** 63n - 1n;

/**
 * Re-arms a dead letter: due now with a fresh attempt budget, and the relays woken. Answers
 * false when no dead row has this id, a string of digits (a live or published row is left alone).
 */
export async function retryDeadLetter(em: EntityManager, id: string): Promise<boolean> {
  // An id past bigint names no row; PostgreSQL would refuse to compare it at all.
  if (BigInt(id) > MAX_ROW_ID) return false;
  return em.transactional(async (tx) => {
    const rearmed = await tx.execute<{ id: string }[]>(
      `update outbox_messages set dead_at = null, attempts = 0, next_attempt_at = now()
        where id = ? and dead_at is not null and published_at is null returning id`,
      [id],
    );
    if (rearmed.length === 0) return false;
    await tx.execute('select pg_notify(?, ?)', [OUTBOX_CHANNEL, id]);
    return true;
  });
}
