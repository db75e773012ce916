import { openDatabase, type Orm } from '../../lib/database/open-database.ts';
import { EventStreamLease } from './limits/event-stream-lease.entity.ts';
import { RateLimit } from './limits/rate-limit.entity.ts';
import { Migration20261125200000_limits } from './migrations/Migration20261125200000_limits.ts';

/** The gateway's own database holds only what its replicas must share: the clients' limits. */
export const gatewayEntities = [RateLimit, EventStreamLease];

/** Oldest first; a new migration is appended here and never edited once released. */
export const gatewayMigrations = [Migration20261125200000_limits];

export function openGatewayDatabase(url: string, poolSize: number): Promise<Orm> {
  return openDatabase({ url, entities: gatewayEntities, migrations: gatewayMigrations, poolSize });
}
