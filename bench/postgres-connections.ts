import pg from 'pg';

export interface PostgresConnections {
  /** The most client connections open at once while sampled (every program's pools, the Temporal servers', the bench's own clients). */
  peak: number;
  /** PostgreSQL's max_connections: past it, a new connection is refused. */
  max: number;
  samples: number;
}

/**
 * Counts PostgreSQL's client connections (pg_stat_activity, client backends but the sampler's own)
 * every `everyMs` until stopped, and keeps the peak: whether the pools of every program, summed,
 * stay under max_connections under load. A sample that fails (PostgreSQL busy) is skipped.
 */
export async function samplePostgresConnections(connectionString: string, everyMs = 250): Promise<{ stop(): Promise<PostgresConnections> }> {
  const client = new pg.Client({ connectionString });
  // A connection lost mid-run fails its samples (skipped), not the bench.
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ max: number }>(`select current_setting('max_connections')::int as max`);
  const figures: PostgresConnections = { peak: 0, max: rows[0]?.max ?? Number.NaN, samples: 0 };
  let sampling = Promise.resolve();
  const sample = async () => {
    const { rows: counted } = await client.query<{ open: number }>(
      `select count(*)::int as open from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`,
    );
    figures.peak = Math.max(figures.peak, counted[0]?.open ?? 0);
    figures.samples++;
  };
  // One sample at a time: a slow one is not overtaken by the next.
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, everyMs);
  return {
    /** Takes a last sample, so that a load shorter than the interval still counts. */
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample().catch(() => undefined);
      await client.end();
      return figures;
    },
  };
}
