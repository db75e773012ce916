import pg from 'pg';

/**
 * Polls pg_stat_activity on a connection of its own (the sessions it waits for may hold every
 * connection of the pool), one autocommit query at a time so that each sees a fresh snapshot,
 * until `count` sessions of this database match `where`; answers how many did. Throws when they
 * are not there in time: a test whose window was missed fails instead of passing by luck.
 */
async function sessionsReach(databaseUrl: string, where: string, values: unknown[], count: number, timeoutMs: number): Promise<number> {
  const observer = new pg.Client({ connectionString: databaseUrl });
  await observer.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await observer.query<{ n: string }>(
        `select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and ${where}`,
        values,
      );
      const sessions = Number(rows[0]?.n);
      if (sessions >= count) return sessions;
      if (Date.now() > deadline) throw new Error(`only ${sessions} of ${count} sessions came to match ${where} ${JSON.stringify(values)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await observer.end();
  }
}

/** A barrier on PostgreSQL's own view of the overlap: waits until `count` sessions wait on a lock in a query like `like`. */
export function lockWaiters(databaseUrl: string, like: string, count: number, timeoutMs = 15_000): Promise<number> {
  return sessionsReach(databaseUrl, `wait_event_type = 'Lock' and query like $1`, [like], count, timeoutMs);
}

/** Waits until a session LISTENs on `channel`: its last statement was the LISTEN. */
export async function listening(databaseUrl: string, channel: string, timeoutMs = 15_000): Promise<void> {
  await sessionsReach(databaseUrl, 'query = $1', [`listen "${channel}"`], 1, timeoutMs);
}

/** Locks the rows `lockingQuery` selects (FOR UPDATE) in a transaction of its own, until released. */
export async function holdRows(databaseUrl: string, lockingQuery: string, values: unknown[]): Promise<{ release(): Promise<void> }> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  await holder.query('begin');
  await holder.query(lockingQuery, values);
  return {
    async release() {
      await holder.query('commit');
      await holder.end();
    },
  };
}
