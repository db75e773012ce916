import type pg from 'pg';

/**
 * Gives the pool back the slot of a connection that dies while it is checked out.
 *
 * Kysely, under MikroORM, releases a transaction's connection only once its COMMIT or ROLLBACK
 * has succeeded (kysely-org/kysely#1990). On a dead connection (PostgreSQL restarted, the session
 * killed) both fail, so the slot stays taken for the life of the process: after as many such
 * deaths as the pool has connections, every query waits for ever. Here the dead connection is
 * released with an error, which makes the pool drop it; the release its holder may still make
 * later becomes a no-op, since releasing a connection twice throws.
 */
export function releaseDeadConnections(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  const watched = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    checkedOut.add(client);
    if (watched.has(client)) return;
    watched.add(client);
    client.once('end', () => {
      if (!checkedOut.has(client)) return;
      const release = client.release.bind(client);
      client.release = () => undefined;
      release(new Error('the connection ended while checked out'));
    });
  });
  pool.on('release', (_error, client) => checkedOut.delete(client));
}
