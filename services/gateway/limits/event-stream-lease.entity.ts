import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * An open event stream, held by whichever gateway replica serves it and renewed while it lasts;
 * the lease of a replica that died runs out by itself. Counting a user's live leases caps their
 * streams across all replicas.
 */
export const EventStreamLease = defineEntity({
  name: 'EventStreamLease',
  tableName: 'event_stream_leases',
  properties: {
    id: p.uuid().primary(),
    userId: p.string().index(),
    expiresAt: p.datetime(),
  },
});
export type EventStreamLease = InferEntity<typeof EventStreamLease>;
