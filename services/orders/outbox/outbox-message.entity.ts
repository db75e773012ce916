import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdAt } from '../../../lib/database/timestamps.ts';

/**
 * A message written in the same transaction as the change it announces, and published to
 * Temporal by the relay afterwards: at least once, never lost.
 */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox_messages',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    type: p.string(),
    /** The business id the message is about (the order id); one message of a type per id. */
    aggregateId: p.uuid(),
    payload: p.json<unknown>(),
    attempts: p.integer(),
    nextAttemptAt: p.datetime(),
    lastError: p.text().nullable(),
    publishedAt: p.datetime().nullable(),
    /** Set when the relay gave up on the row (dead letter); an operator clears it to re-arm the row. */
    deadAt: p.datetime().nullable(),
    /** The W3C traceparent of the request that placed it: the relay's start continues that trace. Null while tracing is off. */
    traceparent: p.text().nullable(),
    createdAt: createdAt(),
  },
  // The relay's claim query reads only the unpublished, live rows, oldest first.
  indexes: [
    {
      name: 'outbox_messages_due_index',
      expression: 'create index "outbox_messages_due_index" on "outbox_messages" ("next_attempt_at") where "published_at" is null and "dead_at" is null',
    },
  ],
  uniques: [{ name: 'outbox_messages_type_aggregate_unique', properties: ['type', 'aggregateId'] }],
});
export type OutboxMessage = InferEntity<typeof OutboxMessage>;

export const PAYMENT_REQUESTED = 'PaymentRequested';
/** The channel the relay LISTENs on; a NOTIFY in the writing transaction arrives at its commit. */
export const OUTBOX_CHANNEL = 'outbox_messages';
