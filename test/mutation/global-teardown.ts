import pg from 'pg';
import { removeDataOfEndedRunners } from './runner-postgres.ts';

/**
 * After each of Stryker's Jest runs: drops the databases the run made that nothing uses any more (the server stays up for
 * the process's next run, see global-setup.ts), and removes the data folders of test processes
 * that Stryker killed at a timeout, server and all. Those it kills at the end of the run are
 * removed by `npm run mutation` once the group is done (run.ts).
 */
export default async function mutationGlobalTeardown(): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where not datistemplate and datname <> 'postgres'");
    // Not `with (force)`: a connection that a mutant's failed test left open in this process (a
    // held lock, a pool never closed) would be cut, and its client, with no error listener, would
    // crash the process. Such a database goes in a later run's teardown, once its sessions are gone.
    for (const { datname } of rows) await client.query(`drop database ${client.escapeIdentifier(datname)}`).catch(() => undefined);
  } finally {
    await client.end();
  }
  await removeDataOfEndedRunners();
}
