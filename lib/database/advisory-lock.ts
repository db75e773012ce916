import pg from 'pg';

/**
 * Runs `work` while holding a PostgreSQL session advisory lock on its own connection to `url`,
 * so processes doing the same thing at once take turns. The lock belongs to the database the
 * URL names, and PostgreSQL drops it if this process dies.
 */
export async function withAdvisoryLock<T>(url: string, name: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [name]);
    return await work(client);
  } finally {
    await client.end();
  }
}
