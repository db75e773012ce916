import type { Orm } from '../../../lib/database/open-database.ts';
import type { Metrics } from '../../../lib/http/metrics.ts';

/**
 * The outbox's health at each scrape: what waits to be published, what the relay gave up on, and
 * how long the oldest has waited. One query serves the three gauges.
 */
export function addOutboxMetrics(metrics: Metrics, orm: Orm): void {
  const outbox = async () => {
    const [row] = await orm.em.fork().execute<{ backlog: string; dead: string; oldest: string | null }[]>(
      `select count(*) filter (where dead_at is null) as backlog, count(*) filter (where dead_at is not null) as dead,
              extract(epoch from now() - min(created_at) filter (where dead_at is null)) as oldest
         from outbox_messages where published_at is null`,
    );
    return row;
  };
  metrics.gauge('outbox_backlog', 'Outbox messages not yet published', [], async () => [{ value: Number((await outbox())?.backlog ?? 0) }]);
  metrics.gauge('outbox_dead_letters', 'Outbox messages the relay gave up on: each waits for `npm run outbox -- retry <id>`', [], async () => [
    { value: Number((await outbox())?.dead ?? 0) },
  ]);
  metrics.gauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest unpublished outbox message (0 when none)', [], async () => [
    { value: Number((await outbox())?.oldest ?? 0) },
  ]);
}
